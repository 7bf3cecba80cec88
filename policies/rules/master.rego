# Rules about the Scale Out Master nodes: service, account, certificate,
# HTTP.SYS, Schannel, firewall and MasterSettings.config.
package ssis.rules.master

import data.ssis.lib.certs
import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.result as res
import data.ssis.lib.sql

# METADATA
# title: Scale Out Master is installed on every master node
# description: Every master node has the SSISScaleOutMaster service and MasterSettings.config.
# custom:
#   id: MASTER-INSTALLED-EVERY-NODE
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA §2, §3
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: >-
#     The cluster can move the master role only to a node where the master service is installed and configured;
#     failing over to a node without it leaves every worker without a master.
#   facts: ["nodes/<NODE>/services.json: SSISScaleOutMaster<VER>", "nodes/<NODE>/files/MasterSettings.config"]
#   remediation: >-
#     Run SQL Server setup on the node with the Integration Services Scale Out Master feature (/FEATURES=IS_Master
#     with /ISMASTERSVCACCOUNT and the same certificate as the other master nodes), as in HA §3.
#   tags: [installation, availability]
master_installed_every_node contains r if {
	some name in facts.master_nodes
	svc := facts.service(name, "master")
	cfg := facts.master_cfg(name)
	absent := array.concat(
		[sprintf("the %s service", [facts.master_service_name]) | svc == null],
		["MasterSettings.config" | cfg == null],
	)
	r := res.decide({
		"rule": "MASTER-INSTALLED-EVERY-NODE",
		"subject": res.node_subject(name, "service:SSISScaleOutMaster"),
		"missing": facts.node_missing(name, ["services", "files/MasterSettings.config"]),
		"ok": count(absent) == 0,
		"pass_msg": sprintf("%s has the master service %s and MasterSettings.config.", [name, facts.get(svc, "Name", "")]),
		"fail_msg": sprintf("%s is a master node without %s; the master role cannot fail over to it.", [name, concat(" and ", absent)]),
		"unknown_msg": sprintf("%s: whether Scale Out Master is installed could not be checked.", [name]),
		"observed": {"service": facts.get(svc, "Name", null), "config": is_object(cfg)},
		"expected": {"service": facts.master_service_name, "config": true},
		"evidence": [{"artifact": facts.services_artifact(name)}, {"artifact": sprintf("nodes/%s/files.json", [name]), "key": "MasterSettings.config"}],
		"fix": res.manual(name, [
			sprintf("Run SQL Server setup on %s and add the Integration Services Scale Out Master feature (/FEATURES=IS_Master).", [name]),
			"Use the same domain service account as the other master nodes (/ISMASTERSVCACCOUNT) and select the existing master certificate.",
			"Import the master certificate with its private key into LocalMachine\\Root and set MasterSettings.config like the other master nodes.",
		]),
	})
}

# METADATA
# title: Scale Out Master runs as a domain account
# description: The master service logs on as a domain account (a gMSA counts), not a virtual, system or local account.
# custom:
#   id: MASTER-ACCOUNT-DOMAIN
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA §2.1
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: set-master-account
#   why: >-
#     The master service and SSISDB fail over separately, so the master must reach SSISDB on another node; a
#     virtual account (NT Service\SSISScaleOutMaster<VER>), LocalSystem or a local account has no identity there.
#   facts: ["nodes/<NODE>/services.json: SSISScaleOutMaster<VER>.StartName"]
#   remediation: >-
#     Change the master service logon account to the deployment's domain account on every master node
#     (services.msc grants "Log on as a service"), then restart it through the cluster resource.
#   tags: [account, security]
master_account_domain contains r if {
	some name in facts.master_nodes
	svc := facts.service(name, "master")
	acct := facts.master_account(name)
	kind := names.account_kind(acct, name)
	cands := [a | some n in facts.master_nodes_ref_first; a := facts.master_account(n); names.is_domain_account(a, n)]
	target := array.concat(cands, ["CONTOSO\\<domain account>"])[0]
	r := res.decide({
		"rule": "MASTER-ACCOUNT-DOMAIN",
		"subject": res.node_subject(name, sprintf("service:%s/StartName", [facts.get(svc, "Name", facts.master_service_name)])),
		"missing": facts.service_missing(name, "master"),
		"ok": kind == "domain",
		"pass_msg": sprintf("%s runs the master service as domain account %s.", [name, acct]),
		"fail_msg": sprintf("%s runs the master service as %s, a %s account, not a domain account; it cannot reach SSISDB on another node after a failover.", [name, acct, kind]),
		"unknown_msg": sprintf("%s: the master service account could not be read.", [name]),
		"observed": acct,
		"expected": "a domain account (DOMAIN\\name, DOMAIN\\gmsa$ or name@domain)",
		"evidence": [facts.svc_ev(name, svc, "StartName")],
		"fix": res.fix("set-master-account", name, {"service": facts.get(svc, "Name", facts.master_service_name), "account": target}),
	})
}

# METADATA
# title: Every master node uses the same service account
# description: The master service logs on as the same account on every master node.
# custom:
#   id: MASTER-ACCOUNT-CONSISTENT
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: HA §2.1, §3
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: set-master-account
#   why: >-
#     Any master node can become active; SQL logins and SSISDB permissions are granted to one account, so a node
#     running the master under another account fails to connect to SSISDB after a failover.
#   facts: ["nodes/<NODE>/services.json: SSISScaleOutMaster<VER>.StartName"]
#   remediation: Set the master service account of the differing node to the account of the active master node.
#   tags: [account, consistency]
master_account_consistent contains r if {
	some name in facts.master_nodes
	svc := facts.service(name, "master")
	acct := facts.master_account(name)
	refs := [[n, a] | some n in facts.master_nodes_ref_first; a := facts.master_account(n); a != ""]
	ref := array.concat(refs, [[name, acct]])[0]
	r := res.decide({
		"rule": "MASTER-ACCOUNT-CONSISTENT",
		"subject": res.node_subject(name, sprintf("service:%s/StartName", [facts.get(svc, "Name", facts.master_service_name)])),
		"missing": facts.service_missing(name, "master"),
		"ok": names.same_account(acct, ref[1]),
		"pass_msg": sprintf("%s runs the master service as %s, like the reference node %s.", [name, acct, ref[0]]),
		"fail_msg": sprintf("%s runs the master service as %s; the reference node %s uses %s.", [name, acct, ref[0], ref[1]]),
		"unknown_msg": sprintf("%s: the master service account could not be read.", [name]),
		"observed": acct,
		"expected": ref[1],
		"evidence": [facts.svc_ev(name, svc, "StartName"), facts.svc_ev(ref[0], facts.service(ref[0], "master"), "StartName")],
		"fix": res.fix("set-master-account", name, {"service": facts.get(svc, "Name", facts.master_service_name), "account": ref[1]}),
	})
}

# METADATA
# title: The master certificate names the master DNS host
# description: The master certificate's CNs or SAN DNS names contain the master service's DNS host name exactly.
# custom:
#   id: MASTER-CERT-CN-DNS
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: HA §2.2
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: renew-master-cert
#   why: >-
#     Workers connect to the master role's DNS name; TLS accepts the master only if its certificate carries that
#     exact name. A certificate issued to a server name works until the first failover, or not at all.
#   facts: ["nodes/<NODE>/files/MasterSettings.config: SSLCertThumbprint", "nodes/<NODE>/certs/LocalMachine/Root/<THUMB>.cer: CN, SAN", "deployment.master_dns"]
#   remediation: >-
#     Create a new master certificate whose CN is the master DNS name in LocalMachine\Root, bind it to the master
#     port, update SSLCertThumbprint, then copy it to the other master nodes and trust it on the workers.
#   tags: [certificate, tls]
master_cert_cn_dns contains r if {
	facts.variant == "ag"
	some name in facts.master_nodes
	thumb := certs.norm_thumb(facts.master_thumb_of(name))
	cert := certs.lookup(name, thumb)
	dns := facts.master_dns
	r := res.decide({
		"rule": "MASTER-CERT-CN-DNS",
		"subject": res.node_subject(name, "MasterSettings.config/SSLCertThumbprint"),
		"missing": facts.first_missing([facts.master_cfg_missing(name), facts.master_dns_missing, certs.cert_missing(thumb, cert)]),
		"ok": names.cert_has(cert, dns),
		"pass_msg": sprintf("%s: the master certificate %s names %s.", [name, thumb, dns]),
		"fail_msg": sprintf("%s: the master certificate %s does not name the master DNS host %s (it names %s); workers connecting to %s fail the TLS check.", [name, thumb, dns, concat(", ", names.cert_names(facts.obj(cert))), dns]),
		"unknown_msg": sprintf("%s: the master certificate's names could not be checked.", [name]),
		"observed": names.cert_names(facts.obj(cert)),
		"expected": dns,
		"evidence": [facts.master_ev(name, "SSLCertThumbprint"), {"artifact": certs.cert_artifact(name, "LocalMachine/Root", thumb), "key": "Subject"}],
		"fix": res.fix("renew-master-cert", facts.reference_node, {"dns_name": dns, "port": sprintf("%d", [facts.master_port]), "path": facts.master_path(facts.reference_node)}),
	})
}

# METADATA
# title: Every master node uses the same master certificate
# description: SSLCertThumbprint is the same on every master node.
# custom:
#   id: MASTER-CERT-SAME-ALL-NODES
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA §3
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: import-master-cert
#   why: >-
#     Workers trust one master certificate (MasterHttpsCertThumbprint); after a failover to a node that presents
#     another certificate, every worker rejects the master.
#   facts: ["nodes/<NODE>/files/MasterSettings.config: SSLCertThumbprint", "deployment.master_thumbprint"]
#   remediation: >-
#     Export the master certificate with its private key from a node that has it, import it into LocalMachine\Root
#     of the differing node, set SSLCertThumbprint and the HTTP.SYS binding to it.
#   tags: [certificate, consistency]
master_cert_same_all_nodes contains r if {
	some name in facts.master_nodes
	thumb := certs.norm_thumb(facts.master_thumb_of(name))
	ref := certs.norm_thumb(facts.master_thumbprint)
	r := res.decide({
		"rule": "MASTER-CERT-SAME-ALL-NODES",
		"subject": res.node_subject(name, "MasterSettings.config/SSLCertThumbprint"),
		"missing": facts.first_missing([
			facts.master_cfg_missing(name),
			facts.key_missing(name, "MasterSettings.config", facts.master_cfg(name), "SSLCertThumbprint"),
			facts.master_thumbprint_missing,
		]),
		"ok": certs.same(thumb, ref),
		"pass_msg": sprintf("%s uses the master certificate %s, like the reference.", [name, thumb]),
		"fail_msg": sprintf("%s uses master certificate %s; the reference (%s) is %s.", [name, thumb, facts.master_thumbprint_label, ref]),
		"unknown_msg": sprintf("%s: the master certificate thumbprint could not be compared.", [name]),
		"observed": thumb,
		"expected": ref,
		"evidence": [facts.master_ev(name, "SSLCertThumbprint")],
		"fix": res.fix("import-master-cert", name, {"thumbprint": ref, "source_node": certs.key_holder(ref), "store": "Root"}),
	})
}

# METADATA
# title: The master certificate is in LocalMachine\Root with its private key
# description: On every master node the master certificate is in LocalMachine\Root with its private key.
# custom:
#   id: MASTER-CERT-ROOT-WITH-KEY
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA §3
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: import-master-cert
#   why: >-
#     The master service serves TLS with the certificate from LocalMachine\Root; on a node that lacks it, or has only
#     the public part, the master cannot start its endpoint after a failover.
#   facts: ["nodes/<NODE>/certs/LocalMachine/Root/<THUMB>.cer", "nodes/<NODE>/certs/LocalMachine/Root/<THUMB>.json: HasPrivateKey"]
#   remediation: >-
#     Export the master certificate as a PFX from a node that has its key and import it into LocalMachine\Root of
#     this node (Import-PfxCertificate -CertStoreLocation Cert:\LocalMachine\Root).
#   tags: [certificate]
master_cert_root_with_key contains r if {
	some name in facts.master_nodes
	ref := certs.norm_thumb(facts.master_thumbprint)
	cert := certs.in_store_or_null(facts.node(name), "LocalMachine/Root", ref)
	key := facts.get(cert, "has_private_key", null)
	holder := certs.key_holder(ref)
	r := res.decide({
		"rule": "MASTER-CERT-ROOT-WITH-KEY",
		"subject": res.node_subject(name, "LocalMachine/Root/master-certificate"),
		"missing": facts.first_missing([
			facts.master_thumbprint_missing,
			facts.node_missing(name, ["certs/LocalMachine/Root"]),
			certs.sidecar_missing(name, "LocalMachine/Root", ref, cert),
		]),
		"ok": key == true,
		"pass_msg": sprintf("%s has the master certificate %s in LocalMachine\\Root with its private key.", [name, ref]),
		"fail_msg": certs.root_key_fail_msg(name, ref, cert),
		"unknown_msg": sprintf("%s: the master certificate in LocalMachine\\Root could not be checked.", [name]),
		"observed": {"in_root": is_object(cert), "has_private_key": key},
		"expected": {"in_root": true, "has_private_key": true},
		"evidence": [{"artifact": certs.cert_artifact(name, "LocalMachine/Root", ref)}],
		"fix": res.fix("import-master-cert", name, {"thumbprint": ref, "source_node": holder, "store": "Root"}),
	})
}

# METADATA
# title: The master certificate is valid
# description: The master certificate is within its validity period at collection time; high within 30 days of expiry, critical once expired.
# custom:
#   id: MASTER-CERT-VALIDITY
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: CERTS
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/deal-with-certificates-in-ssis-scale-out
#   fix: renew-master-cert
#   why: Once the master certificate expires, no worker accepts the master's TLS endpoint and Scale Out stops.
#   facts: ["nodes/<NODE>/certs/LocalMachine/Root/<THUMB>.cer: NotBefore, NotAfter", "bundle.created_utc"]
#   remediation: >-
#     Create a new master certificate (CERTS "Change the Scale Out Master certificate"), bind it, update
#     SSLCertThumbprint, copy it to every master node and trust it on every worker.
#   tags: [certificate, expiry]
master_cert_validity contains r if {
	some thumb in certs.master_thumbs
	loc := certs.locate(thumb)
	cert := facts.get(loc, "cert", null)
	holder := facts.get(loc, "node", facts.reference_node)
	v := certs.validity_of(cert, facts.created_ns)
	r := res.decide({
		"rule": "MASTER-CERT-VALIDITY",
		"subject": res.cert_subject(certs.user_of(thumb), thumb),
		"missing": facts.first_missing([certs.cert_missing(thumb, cert), facts.created_missing]),
		"ok": v == "valid",
		"severity": object.get(certs.validity_severity, v, "high"),
		"pass_msg": sprintf("%s: the master certificate %s is valid until %s.", [certs.user_of(thumb), thumb, facts.get(cert, "not_after", "")]),
		"fail_msg": sprintf("%s: %s", [certs.user_of(thumb), certs.validity_msg("master certificate", thumb, cert, v)]),
		"unknown_msg": sprintf("%s: the validity of master certificate %s could not be checked.", [certs.user_of(thumb), thumb]),
		"observed": {"not_before": facts.get(cert, "not_before", ""), "not_after": facts.get(cert, "not_after", ""), "state": v},
		"expected": "valid for more than 30 days after collection",
		"evidence": [{"artifact": certs.cert_artifact(holder, facts.get(loc, "store", "LocalMachine/Root"), thumb), "key": "NotAfter"}],
		"fix": res.fix("renew-master-cert", facts.reference_node, {"dns_name": facts.master_dns, "port": sprintf("%d", [facts.master_port]), "path": facts.master_path(facts.reference_node)}),
	})
}

# METADATA
# title: HTTP.SYS binds the master port to the master certificate
# description: On every master node HTTP.SYS binds 0.0.0.0:<PortNumber> to the master certificate in store Root.
# custom:
#   id: MASTER-HTTPSYS-BINDING
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: CERTS §2, TROUBLE
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/deal-with-certificates-in-ssis-scale-out
#   fix: bind-master-port
#   why: >-
#     The SSL binding lives in each node's HTTP.SYS configuration and does not fail over; a node without it, or bound
#     to another certificate, answers workers with a failed handshake ("HTTP request error") once it is active.
#   facts: ["nodes/<NODE>/httpsys.txt: 0.0.0.0:<PORT> Certificate Hash, Certificate Store Name", "nodes/<NODE>/files/MasterSettings.config: PortNumber"]
#   remediation: >-
#     netsh http delete sslcert ipport=0.0.0.0:<port>, then netsh http add sslcert ipport=0.0.0.0:<port>
#     certhash=<master thumbprint> certstorename=Root appid={<guid>}.
#   tags: [certificate, tls, httpsys]
master_httpsys_binding contains r if {
	some name in facts.master_nodes
	port := facts.node_master_port(name)
	thumb := certs.norm_thumb(array.concat([t | t := facts.master_thumbprint; t != ""], [facts.master_thumb_of(name)])[0])
	endpoint := sprintf("0.0.0.0:%d", [port])
	b := facts.get(facts.obj(facts.get(facts.node(name), ["httpsys", "bindings"], {})), endpoint, null)
	problems := certs.binding_problems(b, thumb)
	r := res.decide({
		"rule": "MASTER-HTTPSYS-BINDING",
		"subject": res.node_subject(name, sprintf("httpsys:%s", [endpoint])),
		"missing": facts.first_missing([
			facts.node_missing(name, ["httpsys"]),
			facts.missing_if(port == 0, sprintf("nodes/%s/files/MasterSettings.config: PortNumber unknown, and no deployment master port", [name])),
			facts.master_thumbprint_missing,
		]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s binds %s to the master certificate %s in store Root.", [name, endpoint, thumb]),
		"fail_msg": sprintf("%s: the HTTP.SYS binding of %s is wrong: %s.", [name, endpoint, concat("; ", problems)]),
		"unknown_msg": sprintf("%s: the HTTP.SYS SSL bindings could not be checked.", [name]),
		"observed": {"certificate_hash": upper(facts.get(b, "certificate_hash", "")), "store_name": facts.get(b, "store_name", "")},
		"expected": {"certificate_hash": thumb, "store_name": "Root"},
		"evidence": [certs.binding_ev(name, endpoint, b)],
		"fix": res.fix("bind-master-port", name, {"port": port, "thumbprint": thumb, "app_id": facts.str(facts.get(b, "application_id", ""))}),
	})
}

# METADATA
# title: Schannel lets workers authenticate with their client certificates
# description: If LocalMachine\Root holds non-self-signed certificates, SendTrustedIssuerList is 0 and ClientAuthTrustMode is 2.
# custom:
#   id: MASTER-SCHANNEL-CLIENTAUTH
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: TROUBLE
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/troubleshooting-scale-out
#   fix: set-schannel-clientauth
#   why: >-
#     With non-self-signed certificates in the Root store, Schannel sends a trusted-issuer list that excludes the
#     workers' self-signed certificates, and the master rejects them ("HTTP request was forbidden with client
#     authentication scheme 'Anonymous'").
#   facts: ["nodes/<NODE>/certs/LocalMachine/Root: self-signed or not", "nodes/<NODE>/registry.json: SCHANNEL SendTrustedIssuerList, ClientAuthTrustMode"]
#   remediation: >-
#     Remove the unneeded non-self-signed certificates from LocalMachine\Root, or set SendTrustedIssuerList=0 and
#     ClientAuthTrustMode=2 under HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL.
#   tags: [tls, registry]
master_schannel_clientauth contains r if {
	some name in facts.master_nodes
	nss := certs.non_self_signed_roots(name)
	reg := facts.registry_key(name, certs.schannel_key)
	stil := facts.num(facts.value(reg, "SendTrustedIssuerList"))
	catm := facts.num(facts.value(reg, "ClientAuthTrustMode"))
	r := res.decide({
		"rule": "MASTER-SCHANNEL-CLIENTAUTH",
		"subject": res.node_subject(name, "registry:SCHANNEL"),
		"missing": facts.first_missing([
			facts.node_missing(name, ["certs/LocalMachine/Root"]),
			array.concat([], [m | count(nss) > 0; some m in facts.node_missing(name, ["registry"])]),
		]),
		"ok": certs.schannel_ok(nss, stil, catm),
		"pass_msg": certs.schannel_pass_msg(name, nss),
		"fail_msg": sprintf("%s: LocalMachine\\Root holds %d non-self-signed certificate(s) (%s) but SendTrustedIssuerList is %v and ClientAuthTrustMode is %v; workers' client certificates are rejected.", [name, count(nss), concat(", ", nss), stil, catm]),
		"unknown_msg": sprintf("%s: the Schannel client-authentication settings could not be checked.", [name]),
		"observed": {"non_self_signed_roots": count(nss), "SendTrustedIssuerList": stil, "ClientAuthTrustMode": catm},
		"expected": {"SendTrustedIssuerList": 0, "ClientAuthTrustMode": 2},
		"evidence": [
			{"artifact": sprintf("nodes/%s/certs/LocalMachine/Root", [name])},
			{"artifact": sprintf("nodes/%s/registry.json", [name]), "key": certs.schannel_key},
		],
		"fix": res.fix("set-schannel-clientauth", name, {}),
	})
}

# METADATA
# title: Every master node trusts every worker's certificate
# description: Each worker's certificate is in LocalMachine\Root of every master node.
# custom:
#   id: MASTER-TRUSTS-EVERY-WORKER
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: FCI §8, TROUBLE
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-failover-cluster-instance
#   fix: trust-worker-cert
#   why: >-
#     The master authenticates workers by their client certificates; Scale Out Manager installs a worker's
#     certificate only on the active node, so after a failover the new master rejects that worker (HTTP 403).
#   facts: ["nodes/<WORKER>/files/WorkerSettings.config: WorkerHttpsCertThumbprint", "nodes/<MASTER>/certs/LocalMachine/Root/<THUMB>.cer"]
#   remediation: Import the worker's SSISScaleOutWorker.cer into LocalMachine\Root of the master node, then restart the worker service.
#   tags: [certificate, worker]
master_trusts_every_worker contains r if {
	some name in facts.master_nodes
	mr := certs.master_root[name]
	some w in facts.worker_nodes
	wi := certs.worker_trust[w]
	wt := wi.thumb
	present := is_object(certs.master_trusts(name, wt))
	r := res.decide({
		"rule": "MASTER-TRUSTS-EVERY-WORKER",
		"subject": {"kind": "node", "node": name, "object": sprintf("worker:%s", [w])},
		"missing": facts.first_missing([mr.missing, wi.missing]),
		"ok": present,
		"pass_msg": sprintf("%s trusts the certificate %s of worker %s.", [name, wt, w]),
		"fail_msg": sprintf("%s does not have worker %s's certificate %s in LocalMachine\\Root; while %s is the active master it rejects %s.", [name, w, wt, name, w]),
		"unknown_msg": sprintf("%s: whether it trusts worker %s could not be checked.", [name, w]),
		"observed": present,
		"expected": true,
		"evidence": [wi.ev, {"artifact": sprintf("nodes/%s/certs/LocalMachine/Root/%s.cer", [name, wt])}],
		"fix": {"id": "trust-worker-cert", "target": name, "params": {"thumbprint": wt, "worker": w, "cer_path": ""}},
	})
}

# METADATA
# title: The firewall admits the master port on every master node
# description: An enabled inbound allow rule covers the master port (TCP) on every master node.
# custom:
#   id: MASTER-FIREWALL
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: TROUBLE
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/troubleshooting-scale-out
#   fix: add-firewall-rule
#   why: >-
#     Firewall rules are per node; if only the first node admits the master port, workers see "No endpoint listening"
#     as soon as the role moves.
#   facts: ["nodes/<NODE>/firewall.json: Enabled, Direction, Action, Protocol, LocalPort", "nodes/<NODE>/files/MasterSettings.config: PortNumber"]
#   remediation: New-NetFirewallRule -DisplayName 'SSIS Scale Out Master' -Direction Inbound -Protocol TCP -LocalPort <port> -Action Allow on the node.
#   tags: [network, firewall]
master_firewall contains r if {
	some name in facts.master_nodes
	port := facts.node_master_port(name)
	rules := [facts.str(fw.DisplayName) | some fw in facts.arr(facts.get(facts.node(name), "firewall", [])); facts.fw_allows(fw, port)]
	r := res.decide({
		"rule": "MASTER-FIREWALL",
		"subject": res.node_subject(name, sprintf("firewall:tcp/%d", [port])),
		"missing": facts.first_missing([
			facts.node_missing(name, ["firewall"]),
			facts.missing_if(port == 0, sprintf("nodes/%s/files/MasterSettings.config: PortNumber unknown, and no deployment master port", [name])),
		]),
		"ok": count(rules) > 0,
		"pass_msg": sprintf("%s admits TCP %d inbound (%s).", [name, port, concat(", ", rules)]),
		"fail_msg": sprintf("%s has no enabled inbound allow rule for the master port TCP %d; workers cannot reach the master while it runs there.", [name, port]),
		"unknown_msg": sprintf("%s: the firewall rules could not be checked.", [name]),
		"observed": rules,
		"expected": sprintf("an enabled inbound TCP allow rule for port %d", [port]),
		"evidence": [{"artifact": sprintf("nodes/%s/firewall.json", [name])}],
		"fix": res.fix("add-firewall-rule", name, {"port": port, "display_name": "SSIS Scale Out Master"}),
	})
}

# METADATA
# title: SqlServerName is the SSISDB availability group listener
# description: SqlServerName on every master node is the SSISDB AG listener name,port.
# custom:
#   id: MASTER-CFG-SQLSERVERNAME-LISTENER
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: HA §5
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: set-master-config
#   why: >-
#     The master connects to SSISDB through SqlServerName; pointing at one replica instead of the listener breaks the
#     master as soon as SSISDB fails over to another replica.
#   facts: ["nodes/<NODE>/files/MasterSettings.config: SqlServerName", "deployment.listener (declared, or derived by the normalizer from the AG listener DMVs)"]
#   remediation: >-
#     Set SqlServerName to "<listener DNS name>,<port>" in MasterSettings.config on every master node, then restart
#     the master through its cluster resource.
#   tags: [configuration, availability-group]
master_cfg_sqlservername_listener contains r if {
	facts.variant == "ag"
	some name in facts.master_nodes
	ep := facts.get(facts.master_cfg(name), ["master", "sql_server"], null)
	lsn := facts.listener
	want := sprintf("%s,%d", [facts.get(lsn, "host", ""), facts.eff_port(lsn)])
	problems := array.concat(
		array.concat(
			[sprintf("host %s is not the listener %s", [facts.get(ep, "host", ""), facts.get(lsn, "host", "")]) | not names.host_eq(facts.str(facts.get(ep, "host", "")), facts.str(facts.get(lsn, "host", "")))],
			[sprintf("port %d is not the listener port %d", [facts.eff_port(ep), facts.eff_port(lsn)]) | facts.eff_port(ep) != facts.eff_port(lsn)],
		),
		[sprintf("it names instance %s; a listener has none", [ep.instance]) | facts.str(facts.get(ep, "instance", "")) != ""],
	)
	r := res.decide({
		"rule": "MASTER-CFG-SQLSERVERNAME-LISTENER",
		"subject": res.node_subject(name, "MasterSettings.config/SqlServerName"),
		"missing": facts.first_missing([
			facts.master_cfg_missing(name),
			facts.key_missing(name, "MasterSettings.config", facts.master_cfg(name), "SqlServerName"),
			facts.listener_missing,
		]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s: SqlServerName %s is the SSISDB listener %s.", [name, facts.get(ep, "raw", ""), want]),
		"fail_msg": sprintf("%s: SqlServerName %s is not the SSISDB listener %s (%s); the master loses SSISDB when it fails over.", [name, facts.get(ep, "raw", ""), want, concat("; ", problems)]),
		"unknown_msg": sprintf("%s: SqlServerName could not be compared with the listener.", [name]),
		"observed": facts.get(ep, "raw", null),
		"expected": want,
		"evidence": [facts.master_ev(name, "SqlServerName")],
		"fix": res.fix("set-master-config", name, {"path": facts.master_path(name), "key": "SqlServerName", "value": want}),
	})
}

# METADATA
# title: The master port is the same everywhere
# description: PortNumber is equal on all master nodes, in every worker's MasterEndpoint, in MASTER_ADDRESS and in MASTER_SERVICE_PORT.
# custom:
#   id: MASTER-CFG-PORT-CONSISTENT
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: MASTER, TROUBLE
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/integration-services-ssis-scale-out-master
#   fix: set-master-config
#   why: >-
#     Workers and SSISDB address the master by one port; a master node listening on another port is unreachable
#     after a failover ("No endpoint listening").
#   facts: ["nodes/<NODE>/files/MasterSettings.config: PortNumber", "nodes/<WORKER>/files/WorkerSettings.config: MasterEndpoint", "sql/<PRIMARY>/ssisdb_master_properties: MASTER_ADDRESS, MASTER_SERVICE_PORT"]
#   remediation: >-
#     Align the port: PortNumber on every master node, each worker's MasterEndpoint, catalog.update_master_address,
#     and the HTTP.SYS binding; then restart the services.
#   tags: [configuration, network]
master_cfg_port_consistent contains r if {
	some name in facts.master_nodes
	port := facts.master_port_of(name)
	ref := facts.master_port
	r := res.decide({
		"rule": "MASTER-CFG-PORT-CONSISTENT",
		"subject": res.node_subject(name, "MasterSettings.config/PortNumber"),
		"missing": facts.first_missing([
			facts.master_cfg_missing(name),
			facts.key_missing(name, "MasterSettings.config", facts.master_cfg(name), "PortNumber"),
			facts.master_port_missing,
		]),
		"ok": port == ref,
		"pass_msg": sprintf("%s: PortNumber is %d, the deployment's master port.", [name, port]),
		"fail_msg": sprintf("%s: PortNumber is %d, but the deployment's master port is %d; workers cannot reach the master while it runs there.", [name, port, ref]),
		"unknown_msg": sprintf("%s: PortNumber could not be compared.", [name]),
		"observed": port,
		"expected": ref,
		"evidence": [facts.master_ev(name, "PortNumber")],
		"fix": res.fix("set-master-config", name, {"path": facts.master_path(name), "key": "PortNumber", "value": sprintf("%d", [ref])}),
	})
}

master_cfg_port_consistent contains r if {
	some w in facts.worker_nodes
	cfg := facts.worker_cfg(w)
	ep := facts.get(cfg, ["worker", "master_endpoint"], null)
	port := facts.get(ep, "port", 0)
	ref := facts.master_port
	want := sprintf("https://%s:%d", [facts.get(ep, "host", facts.master_dns), ref])
	r := res.decide({
		"rule": "MASTER-CFG-PORT-CONSISTENT",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
		"missing": facts.first_missing([
			facts.worker_cfg_missing(w),
			facts.key_missing(w, "WorkerSettings.config", cfg, "MasterEndpoint"),
			facts.master_port_missing,
		]),
		"ok": port == ref,
		"pass_msg": sprintf("%s: MasterEndpoint uses port %d, the master port.", [w, port]),
		"fail_msg": sprintf("%s: MasterEndpoint %s uses port %d, but the master listens on %d.", [w, facts.get(ep, "raw", ""), port, ref]),
		"unknown_msg": sprintf("%s: the MasterEndpoint port could not be compared.", [w]),
		"observed": port,
		"expected": ref,
		"evidence": [facts.cfg_ev(w, "WorkerSettings.config", cfg, "MasterEndpoint")],
		"fix": {"id": "set-worker-config", "target": w, "params": {"path": facts.cfg_path(cfg, "WorkerSettings.config"), "key": "MasterEndpoint", "value": want, "service": facts.worker_service_name(w)}},
	})
}

master_cfg_port_consistent contains r if {
	prim := facts.primary_instance
	addr := facts.str(array.concat([v | v := facts.property(prim, "ssisdb_master_properties", "MASTER_ADDRESS")], [""])[0])
	port := facts.url_port(addr)
	ref := facts.master_port
	want := sprintf("https://%s:%d", [facts.master_dns, ref])
	r := res.decide({
		"rule": "MASTER-CFG-PORT-CONSISTENT",
		"subject": res.instance_subject(facts.primary_label, facts.instance_node(prim), "catalog.master_properties/MASTER_ADDRESS"),
		"missing": facts.first_missing([facts.sql_missing(prim, "ssisdb_master_properties"), facts.master_port_missing]),
		"ok": port == ref,
		"pass_msg": sprintf("SSISDB on %s: MASTER_ADDRESS %s uses the master port %d.", [prim, addr, ref]),
		"fail_msg": sprintf("SSISDB on %s: MASTER_ADDRESS %s does not use the master port %d.", [prim, addr, ref]),
		"unknown_msg": "SSISDB: MASTER_ADDRESS could not be read.",
		"observed": addr,
		"expected": want,
		"evidence": [{"artifact": facts.sql_artifact(prim, "ssisdb_master_properties"), "key": "MASTER_ADDRESS"}],
		"fix": res.fix("sql-update-master-address", prim, {"address": want}),
	})
}

master_cfg_port_consistent contains r if {
	prim := facts.primary_instance
	val := array.concat([v | v := facts.property(prim, "ssisdb_master_properties", "MASTER_SERVICE_PORT")], [null])[0]
	ref := facts.master_port
	r := res.decide({
		"rule": "MASTER-CFG-PORT-CONSISTENT",
		"subject": res.instance_subject(facts.primary_label, facts.instance_node(prim), "catalog.master_properties/MASTER_SERVICE_PORT"),
		"missing": facts.first_missing([facts.sql_missing(prim, "ssisdb_master_properties"), facts.master_port_missing]),
		"ok": facts.num(val) == ref,
		"pass_msg": sprintf("SSISDB on %s: MASTER_SERVICE_PORT is %d, the master port.", [prim, ref]),
		"fail_msg": sprintf("SSISDB on %s: MASTER_SERVICE_PORT is %v, but the master port is %d; the running master was started with another PortNumber.", [prim, val, ref]),
		"unknown_msg": "SSISDB: MASTER_SERVICE_PORT could not be read.",
		"observed": val,
		"expected": sprintf("%d", [ref]),
		"evidence": [{"artifact": facts.sql_artifact(prim, "ssisdb_master_properties"), "key": "MASTER_SERVICE_PORT"}],
		"fix": res.fix("restart-master", facts.reference_node, {"resource": facts.master_resource, "service": facts.master_service_of(facts.reference_node)}),
	})
}

# METADATA
# title: The running master has read its current configuration
# description: On the node where the master service is running, it started after MasterSettings.config was last written.
# custom:
#   id: MASTER-CFG-RESTART-APPLIED
#   severity: medium
#   variant: both
#   profiles: [ha]
#   source: MASTER
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/integration-services-ssis-scale-out-master
#   fix: restart-master
#   why: >-
#     The master reads MasterSettings.config only at start-up; a change made after it started (a new SqlServerName,
#     port or certificate) is not in effect yet, so the checks of the file do not describe the running master.
#   facts: ["nodes/<NODE>/files.json: MasterSettings.config LastWriteUtc", "nodes/<NODE>/services.json: SSISScaleOutMaster<VER> State, ProcessStartUtc"]
#   remediation: Restart the master through its cluster resource (Stop-ClusterResource / Start-ClusterResource), not with Restart-Service.
#   tags: [configuration, service]
master_cfg_restart_applied contains r if {
	some name in facts.master_nodes
	facts.restart_applies(name)
	svc := facts.service(name, "master")
	cfg := facts.master_cfg(name)
	written := facts.get(cfg, "last_write_ns", 0)
	started := facts.get(svc, "process_start_ns", 0)
	r := res.decide({
		"rule": "MASTER-CFG-RESTART-APPLIED",
		"subject": res.node_subject(name, sprintf("service:%s", [facts.get(svc, "Name", facts.master_service_name)])),
		"missing": facts.first_missing([
			facts.service_missing(name, "master"),
			facts.node_missing(name, ["files/MasterSettings.config"]),
			facts.missing_if(cfg == null, sprintf("nodes/%s/files/MasterSettings.config: not present on the node", [name])),
			facts.missing_if(written == 0, sprintf("nodes/%s/files.json: LastWriteUtc of MasterSettings.config unknown", [name])),
			facts.missing_if(started == 0, sprintf("nodes/%s/services.json: ProcessStartUtc of the master service unknown", [name])),
		]),
		"ok": written <= started,
		"pass_msg": sprintf("%s: the master service started (%s) after MasterSettings.config was last written (%s).", [name, facts.get(svc, "ProcessStartUtc", ""), facts.get(cfg, "last_write_utc", "")]),
		"fail_msg": sprintf("%s: MasterSettings.config was written (%s) after the running master service started (%s); the change is not in effect.", [name, facts.get(cfg, "last_write_utc", ""), facts.get(svc, "ProcessStartUtc", "")]),
		"unknown_msg": sprintf("%s: whether the running master has read its configuration could not be checked.", [name]),
		"observed": {"config_written": facts.get(cfg, "last_write_utc", ""), "service_started": facts.get(svc, "ProcessStartUtc", "")},
		"expected": "service started after the last configuration change",
		"evidence": [
			{"artifact": sprintf("nodes/%s/files.json", [name]), "key": "MasterSettings.config.LastWriteUtc"},
			facts.svc_ev(name, svc, "ProcessStartUtc"),
		],
		"fix": res.fix("restart-master", name, {"resource": facts.master_resource, "service": facts.get(svc, "Name", facts.master_service_name)}),
	})
}

# METADATA
# title: The master account has a login on every replica
# description: The master service account of every master node has an enabled login on every SQL Server replica.
# custom:
#   id: MASTER-ACCOUNT-SQL-LOGIN
#   severity: critical
#   variant: both
#   profiles: [ha, pre-upgrade]
#   source: HA §2.1
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: sql-create-windows-login
#   why: >-
#     The master connects to SSISDB as its service account; after SSISDB fails over to a replica without that login
#     (logins do not replicate), the master cannot reach the catalog.
#   facts: ["nodes/<NODE>/services.json: SSISScaleOutMaster<VER>.StartName", "sql/<INSTANCE>/server_principals: name, is_disabled"]
#   remediation: CREATE LOGIN [DOMAIN\account] FROM WINDOWS on every replica (and ALTER LOGIN ... ENABLE where it is disabled).
#   tags: [account, sql, login]
master_account_sql_login contains r if {
	some rep in sql.replicas
	inst := rep.instance
	accts := facts.master_sql_accounts
	problems := [[a, p] |
		some a in accts
		p := sql.login_problem(inst, a)
	]
	r := res.decide({
		"rule": "MASTER-ACCOUNT-SQL-LOGIN",
		"subject": sql.subject(inst, "logins:master-account"),
		"missing": facts.first_missing([
			sql.missing(inst, "server_principals"),
			[m | count(problems) == 0; some n in facts.master_nodes; some m in facts.service_missing(n, "master")],
			facts.missing_if(count(accts) == 0, "nodes/*/services.json: no master node's service account is known"),
		]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s has enabled logins for the master account(s) %s.", [inst, concat(", ", accts)]),
		"fail_msg": sprintf("%s: %s; the master cannot reach SSISDB after a failover to %s.", [inst, concat("; ", [p[1] | some p in problems]), inst]),
		"unknown_msg": sprintf("%s: the master account's login could not be checked.", [inst]),
		"observed": [p[0] | some p in problems],
		"expected": accts,
		"evidence": [sql.ev(inst, "server_principals", "name")],
		"fix": sql.login_create_fix(inst, problems),
	})
}
