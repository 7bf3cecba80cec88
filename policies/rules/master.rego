# Rules about the Scale Out Master nodes: service, account, certificate,
# HTTP.SYS, Schannel, firewall and MasterSettings.config.

# METADATA
# scope: package
# custom:
#   weight: 5.9
package ssis.rules.master

import data.ssis.lib.certs
import data.ssis.lib.facts
import data.ssis.lib.master_fast as mf
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
	# the common case, by reference: the node is collected with nothing
	# missing and has both
	some name in facts.master_nodes
	svc := mf.msvc[name]
	cfg := facts.master_cfg(name)
	installed_common(name, svc, cfg)
	r := {
		"rule": "MASTER-INSTALLED-EVERY-NODE",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": "service:SSISScaleOutMaster"},
		"message": sprintf("%s has the master service %s and MasterSettings.config.", [name, object.get(svc, "Name", "")]),
		"observed": {"service": object.get(svc, "Name", null), "config": true},
		"expected": {"service": facts.master_service_name, "config": true},
		"missing": [],
		"evidence": [{"artifact": facts.services_artifact(name)}, {"artifact": sprintf("nodes/%s/files.json", [name]), "key": "MasterSettings.config"}],
		"fix": null,
	}
}

master_installed_every_node contains r if {
	some name in facts.master_nodes
	svc := mf.msvc[name]
	cfg := facts.master_cfg(name)
	not installed_common(name, svc, cfg)
	absent := array.concat(
		[sprintf("the %s service", [facts.master_service_name]) | svc == null],
		["MasterSettings.config" | cfg == null],
	)
	missing := facts.node_missing(name, ["services", "files/MasterSettings.config"])
	st := res.status(missing, count(absent) == 0)
	r := {
		"rule": "MASTER-INSTALLED-EVERY-NODE",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": "service:SSISScaleOutMaster"},
		"message": installed_msg(st, name, svc, absent, missing),
		"observed": res.observed(st, {"service": facts.get(svc, "Name", null), "config": is_object(cfg)}),
		"expected": {"service": facts.master_service_name, "config": true},
		"missing": missing,
		"evidence": [{"artifact": facts.services_artifact(name)}, {"artifact": sprintf("nodes/%s/files.json", [name]), "key": "MasterSettings.config"}],
		"fix": installed_fix(st, name),
	}
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
	# the common case: a domain account, nothing missing
	some name in facts.master_nodes
	domain_common(name)
	svc := mf.msvc[name]
	acct := mf.macct[name]
	r := {
		"rule": "MASTER-ACCOUNT-DOMAIN",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": sprintf("service:%s/StartName", [object.get(svc, "Name", facts.master_service_name)])},
		"message": sprintf("%s runs the master service as domain account %s.", [name, acct]),
		"observed": acct,
		"expected": "a domain account (DOMAIN\\name, DOMAIN\\gmsa$ or name@domain)",
		"missing": [],
		"evidence": [facts.svc_ev(name, svc, "StartName")],
		"fix": null,
	}
}

master_account_domain contains r if {
	some name in facts.master_nodes
	svc := mf.msvc[name]
	acct := mf.macct[name]
	kind := mf.mkind[name]
	not domain_common(name)
	sname := facts.get(svc, "Name", facts.master_service_name)
	missing := mf.msvc_missing[name]
	st := res.status(missing, kind == "domain")
	r := {
		"rule": "MASTER-ACCOUNT-DOMAIN",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": sprintf("service:%s/StartName", [sname])},
		"message": account_domain_msg(st, name, acct, kind, missing),
		"observed": res.observed(st, acct),
		"expected": "a domain account (DOMAIN\\name, DOMAIN\\gmsa$ or name@domain)",
		"missing": missing,
		"evidence": [facts.svc_ev(name, svc, "StartName")],
		"fix": account_domain_fix(st, name, sname),
	}
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
	# the common case: the reference account, nothing missing
	some name in facts.master_nodes
	svc := mf.msvc[name]
	acct := mf.macct[name]
	ref := mf.acct_ref(name, acct)
	consistent_common(name, svc, acct, ref)
	r := {
		"rule": "MASTER-ACCOUNT-CONSISTENT",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": sprintf("service:%s/StartName", [object.get(svc, "Name", facts.master_service_name)])},
		"message": sprintf("%s runs the master service as %s, like the reference node %s.", [name, acct, ref[0]]),
		"observed": acct,
		"expected": ref[1],
		"missing": [],
		"evidence": [facts.svc_ev(name, svc, "StartName"), facts.svc_ev(ref[0], mf.svc_of(ref[0]), "StartName")],
		"fix": null,
	}
}

master_account_consistent contains r if {
	some name in facts.master_nodes
	svc := mf.msvc[name]
	acct := mf.macct[name]
	ref := mf.acct_ref(name, acct)
	not consistent_common(name, svc, acct, ref)
	sname := facts.get(svc, "Name", facts.master_service_name)
	missing := mf.msvc_missing[name]
	st := res.status(missing, names.same_account(acct, ref[1]))
	r := {
		"rule": "MASTER-ACCOUNT-CONSISTENT",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": sprintf("service:%s/StartName", [sname])},
		"message": account_consistent_msg(st, name, acct, ref, missing),
		"observed": res.observed(st, acct),
		"expected": ref[1],
		"missing": missing,
		"evidence": [facts.svc_ev(name, svc, "StartName"), facts.svc_ev(ref[0], mf.svc_of(ref[0]), "StartName")],
		"fix": mf.on_fail(st, {"id": "set-master-account", "target": name, "params": {"service": sname, "account": ref[1]}}),
	}
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
	# the common case: nothing missing, and the certificate names the host
	facts.variant == "ag"
	some name in facts.master_nodes
	thumb := mf.mthumb[name]
	cert := certs.lookup(name, thumb)
	dns := facts.master_dns
	cn_dns_common(name, cert, dns)
	r := {
		"rule": "MASTER-CERT-CN-DNS",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/SSLCertThumbprint"},
		"message": sprintf("%s: the master certificate %s names %s.", [name, thumb, dns]),
		"observed": names.cert_names(cert),
		"expected": dns,
		"missing": [],
		"evidence": [facts.cfg_ev(name, "MasterSettings.config", facts.master_cfg(name), "SSLCertThumbprint"), {"artifact": certs.cert_artifact(name, "LocalMachine/Root", thumb), "key": "Subject"}],
		"fix": null,
	}
}

master_cert_cn_dns contains r if {
	facts.variant == "ag"
	some name in facts.master_nodes
	thumb := mf.mthumb[name]
	cert := certs.lookup(name, thumb)
	dns := facts.master_dns
	not cn_dns_common(name, cert, dns)
	cns := names.cert_names(facts.obj(cert))
	missing := facts.first_missing([mf.mcfg_missing[name], facts.master_dns_missing, certs.cert_missing(thumb, cert)])
	st := res.status(missing, names.cert_has(cert, dns))
	r := {
		"rule": "MASTER-CERT-CN-DNS",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/SSLCertThumbprint"},
		"message": cert_cn_dns_msg(st, name, thumb, dns, cns, missing),
		"observed": res.observed(st, cns),
		"expected": dns,
		"missing": missing,
		"evidence": [facts.cfg_ev(name, "MasterSettings.config", facts.master_cfg(name), "SSLCertThumbprint"), {"artifact": certs.cert_artifact(name, "LocalMachine/Root", thumb), "key": "Subject"}],
		"fix": renew_fix(st),
	}
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
	# the common case: nothing missing, and the reference thumbprint
	some name in facts.master_nodes
	thumb := mf.mthumb[name]
	ref := mf.ref_thumb
	cfg := facts.master_cfg(name)
	same_common(name, cfg, thumb, ref)
	r := {
		"rule": "MASTER-CERT-SAME-ALL-NODES",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/SSLCertThumbprint"},
		"message": sprintf("%s uses the master certificate %s, like the reference.", [name, thumb]),
		"observed": thumb,
		"expected": ref,
		"missing": [],
		"evidence": [facts.cfg_ev(name, "MasterSettings.config", cfg, "SSLCertThumbprint")],
		"fix": null,
	}
}

master_cert_same_all_nodes contains r if {
	some name in facts.master_nodes
	thumb := mf.mthumb[name]
	ref := mf.ref_thumb
	cfg := facts.master_cfg(name)
	not same_common(name, cfg, thumb, ref)
	missing := facts.first_missing([
		mf.mcfg_missing[name],
		facts.key_missing(name, "MasterSettings.config", cfg, "SSLCertThumbprint"),
		facts.master_thumbprint_missing,
	])
	st := res.status(missing, certs.same(thumb, ref))
	r := {
		"rule": "MASTER-CERT-SAME-ALL-NODES",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/SSLCertThumbprint"},
		"message": cert_same_msg(st, name, thumb, ref, missing),
		"observed": res.observed(st, thumb),
		"expected": ref,
		"missing": missing,
		"evidence": [facts.cfg_ev(name, "MasterSettings.config", cfg, "SSLCertThumbprint")],
		"fix": import_fix(st, name, ref),
	}
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
	# the common case, by reference: nothing missing, and the certificate
	# under its own key in LocalMachine\Root with its private key
	some name in facts.master_nodes
	ref := mf.ref_thumb
	root_key_common(name, ref)
	r := {
		"rule": "MASTER-CERT-ROOT-WITH-KEY",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": "LocalMachine/Root/master-certificate"},
		"message": sprintf("%s has the master certificate %s in LocalMachine\\Root with its private key.", [name, ref]),
		"observed": {"in_root": true, "has_private_key": true},
		"expected": {"in_root": true, "has_private_key": true},
		"missing": [],
		"evidence": [{"artifact": certs.cert_artifact(name, "LocalMachine/Root", ref)}],
		"fix": null,
	}
}

master_cert_root_with_key contains r if {
	some name in facts.master_nodes
	ref := mf.ref_thumb
	not root_key_common(name, ref)
	cert := certs.in_store_or_null(facts.node(name), "LocalMachine/Root", ref)
	key := facts.get(cert, "has_private_key", null)
	missing := facts.first_missing([
		facts.master_thumbprint_missing,
		facts.node_missing(name, ["certs/LocalMachine/Root"]),
		certs.sidecar_missing(name, "LocalMachine/Root", ref, cert),
	])
	st := res.status(missing, key == true)
	r := {
		"rule": "MASTER-CERT-ROOT-WITH-KEY",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": "LocalMachine/Root/master-certificate"},
		"message": root_key_msg(st, name, ref, cert, missing),
		"observed": res.observed(st, {"in_root": is_object(cert), "has_private_key": key}),
		"expected": {"in_root": true, "has_private_key": true},
		"missing": missing,
		"evidence": [{"artifact": certs.cert_artifact(name, "LocalMachine/Root", ref)}],
		"fix": import_fix(st, name, ref),
	}
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
	# the common case: the certificate found and valid, the collection time
	# known
	some thumb in certs.master_thumbs
	loc := certs.locate(thumb)
	cert := facts.get(loc, "cert", null)
	v := certs.validity_of(cert, facts.created_ns)
	validity_common(cert, v)
	user := certs.user_of(thumb)
	r := {
		"rule": "MASTER-CERT-VALIDITY",
		"status": "pass",
		"subject": res.cert_subject(user, thumb),
		"message": sprintf("%s: the master certificate %s is valid until %s.", [user, thumb, object.get(cert, "not_after", "")]),
		"observed": {"not_before": object.get(cert, "not_before", ""), "not_after": object.get(cert, "not_after", ""), "state": v},
		"expected": "valid for more than 30 days after collection",
		"missing": [],
		"evidence": [{"artifact": certs.cert_artifact(facts.get(loc, "node", facts.reference_node), facts.get(loc, "store", "LocalMachine/Root"), thumb), "key": "NotAfter"}],
		"fix": null,
	}
}

master_cert_validity contains r if {
	some thumb in certs.master_thumbs
	loc := certs.locate(thumb)
	cert := facts.get(loc, "cert", null)
	holder := facts.get(loc, "node", facts.reference_node)
	v := certs.validity_of(cert, facts.created_ns)
	not validity_common(cert, v)
	user := certs.user_of(thumb)
	missing := facts.first_missing([certs.cert_missing(thumb, cert), facts.created_missing])
	st := res.status(missing, v == "valid")
	res0 := {
		"rule": "MASTER-CERT-VALIDITY",
		"status": st,
		"subject": res.cert_subject(user, thumb),
		"message": cert_validity_msg(st, user, thumb, cert, v, missing),
		"observed": res.observed(st, {"not_before": facts.get(cert, "not_before", ""), "not_after": facts.get(cert, "not_after", ""), "state": v}),
		"expected": "valid for more than 30 days after collection",
		"missing": missing,
		"evidence": [{"artifact": certs.cert_artifact(holder, facts.get(loc, "store", "LocalMachine/Root"), thumb), "key": "NotAfter"}],
		"fix": renew_fix(st),
	}
	r := res.with_severity(st, res0, object.get(certs.validity_severity, v, "high"))
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
	# the common case, by reference: nothing missing, and the binding holds
	# the master certificate in store Root (httpsys_fast)
	some name in facts.master_nodes
	x := httpsys_fast(name)
	thumb := x.thumb
	endpoint := x.endpoint
	b := x.b
	r := {
		"rule": "MASTER-HTTPSYS-BINDING",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": sprintf("httpsys:%s", [endpoint])},
		"message": sprintf("%s binds %s to the master certificate %s in store Root.", [name, endpoint, thumb]),
		"observed": {"certificate_hash": thumb, "store_name": b.store_name},
		"expected": {"certificate_hash": thumb, "store_name": "Root"},
		"missing": [],
		"evidence": [certs.binding_ev(name, endpoint, b)],
		"fix": null,
	}
}

master_httpsys_binding contains r if {
	some name in facts.master_nodes
	not httpsys_fast(name)
	port := facts.node_master_port(name)
	thumb := certs.norm_thumb(array.concat([t | t := facts.master_thumbprint; t != ""], [facts.master_thumb_of(name)])[0])
	endpoint := sprintf("0.0.0.0:%d", [port])
	b := facts.get(facts.obj(facts.get(facts.node(name), ["httpsys", "bindings"], {})), endpoint, null)
	problems := certs.binding_problems(b, thumb)
	missing := httpsys_missing(name, port)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "MASTER-HTTPSYS-BINDING",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": sprintf("httpsys:%s", [endpoint])},
		"message": httpsys_msg(st, name, endpoint, thumb, problems, missing),
		"observed": res.observed(st, {"certificate_hash": upper(facts.get(b, "certificate_hash", "")), "store_name": facts.get(b, "store_name", "")}),
		"expected": {"certificate_hash": thumb, "store_name": "Root"},
		"missing": missing,
		"evidence": [certs.binding_ev(name, endpoint, b)],
		"fix": httpsys_fix(st, name, port, thumb, b),
	}
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
	# the common case: the node collected with nothing missing, and only
	# self-signed certificates in its LocalMachine\Root
	some name in facts.master_nodes
	nss := certs.non_self_signed_roots(name)
	schannel_common(name, nss)
	reg := facts.registry_key(name, certs.schannel_key)
	r := {
		"rule": "MASTER-SCHANNEL-CLIENTAUTH",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": "registry:SCHANNEL"},
		"message": certs.schannel_pass_msg(name, nss),
		"observed": {"non_self_signed_roots": 0, "SendTrustedIssuerList": facts.num(facts.value(reg, "SendTrustedIssuerList")), "ClientAuthTrustMode": facts.num(facts.value(reg, "ClientAuthTrustMode"))},
		"expected": {"SendTrustedIssuerList": 0, "ClientAuthTrustMode": 2},
		"missing": [],
		"evidence": [
			{"artifact": sprintf("nodes/%s/certs/LocalMachine/Root", [name])},
			{"artifact": sprintf("nodes/%s/registry.json", [name]), "key": certs.schannel_key},
		],
		"fix": null,
	}
}

master_schannel_clientauth contains r if {
	some name in facts.master_nodes
	nss := certs.non_self_signed_roots(name)
	not schannel_common(name, nss)
	reg := facts.registry_key(name, certs.schannel_key)
	stil := facts.num(facts.value(reg, "SendTrustedIssuerList"))
	catm := facts.num(facts.value(reg, "ClientAuthTrustMode"))
	missing := facts.first_missing([
		facts.node_missing(name, ["certs/LocalMachine/Root"]),
		array.concat([], [m | count(nss) > 0; some m in facts.node_missing(name, ["registry"])]),
	])
	st := res.status(missing, certs.schannel_ok(nss, stil, catm))
	r := {
		"rule": "MASTER-SCHANNEL-CLIENTAUTH",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": "registry:SCHANNEL"},
		"message": schannel_msg(st, name, nss, stil, catm, missing),
		"observed": res.observed(st, {"non_self_signed_roots": count(nss), "SendTrustedIssuerList": stil, "ClientAuthTrustMode": catm}),
		"expected": {"SendTrustedIssuerList": 0, "ClientAuthTrustMode": 2},
		"missing": missing,
		"evidence": [
			{"artifact": sprintf("nodes/%s/certs/LocalMachine/Root", [name])},
			{"artifact": sprintf("nodes/%s/registry.json", [name]), "key": certs.schannel_key},
		],
		"fix": mf.on_fail(st, {"id": "set-schannel-clientauth", "target": name, "params": {}}),
	}
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
	# the common case: both known, and the master's LocalMachine\Root holds
	# every known worker's certificate under its own (normalized) key
	# (mf.trust_lines: no lookup and no builtin call per pair)
	some name, ls in mf.trust_lines
	arts := ls.art
	objs := ls.obj
	evs := mf.trust_evs
	msg := ls.msg[i]
	r := {
		"rule": "MASTER-TRUSTS-EVERY-WORKER",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": objs[i]},
		"message": msg,
		"observed": true,
		"expected": true,
		"missing": [],
		"evidence": [evs[i], {"artifact": arts[i]}],
		"fix": null,
	}
}

master_trusts_every_worker contains r if {
	# both known, the master not in mf.trust_lines: a lookup per pair, and
	# the worker's certificate under its own key
	some name, mr in certs.master_root
	count(mr.missing) == 0
	not mf.trust_lines[name]
	st := mr.store
	some w, wi in mf.trust_known
	is_object(st[wi.thumb])
	r := {
		"rule": "MASTER-TRUSTS-EVERY-WORKER",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": concat("", ["worker:", w])},
		"message": sprintf("%s trusts the certificate %s of worker %s.", [name, wi.thumb, w]),
		"observed": true,
		"expected": true,
		"missing": [],
		"evidence": [wi.ev, {"artifact": concat("", ["nodes/", name, "/certs/LocalMachine/Root/", wi.thumb, ".cer"])}],
		"fix": null,
	}
}

master_trusts_every_worker contains r if {
	# both known, the certificate not under its own key: certs.master_trusts
	# looks for another spelling of the thumbprint
	some name, ws in mf.trust_absent
	some w, wi in ws
	r := trusts_known_result(is_object(certs.master_trusts(name, wi.thumb)), name, w, wi)
}

master_trusts_every_worker contains r if {
	# unknown: the master's LocalMachine\Root
	some name, mr in certs.master_root
	count(mr.missing) > 0
	some w, wi in mf.trust_workers
	r := trusts_unknown(name, w, wi, mr.missing)
}

master_trusts_every_worker contains r if {
	# unknown: the worker's certificate thumbprint
	some name, mr in certs.master_root
	count(mr.missing) == 0
	some w, wi in mf.trust_unknown
	r := trusts_unknown(name, w, wi, wi.missing)
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
	# the common case, by reference: nothing missing, and a rule admits the
	# port (firewall_fast)
	some name in facts.master_nodes
	x := firewall_fast(name)
	port := x.port
	rules := x.rules
	r := {
		"rule": "MASTER-FIREWALL",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": sprintf("firewall:tcp/%d", [port])},
		"message": sprintf("%s admits TCP %d inbound (%s).", [name, port, concat(", ", rules)]),
		"observed": rules,
		"expected": sprintf("an enabled inbound TCP allow rule for port %d", [port]),
		"missing": [],
		"evidence": [{"artifact": sprintf("nodes/%s/firewall.json", [name])}],
		"fix": null,
	}
}

master_firewall contains r if {
	some name in facts.master_nodes
	not firewall_fast(name)
	port := facts.node_master_port(name)
	rules := [facts.str(fw.DisplayName) | some fw in facts.arr(facts.get(facts.node(name), "firewall", [])); facts.fw_allows(fw, port)]
	missing := firewall_missing(name, port)
	st := res.status(missing, count(rules) > 0)
	r := {
		"rule": "MASTER-FIREWALL",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": sprintf("firewall:tcp/%d", [port])},
		"message": firewall_msg(st, name, port, rules, missing),
		"observed": res.observed(st, rules),
		"expected": sprintf("an enabled inbound TCP allow rule for port %d", [port]),
		"missing": missing,
		"evidence": [{"artifact": sprintf("nodes/%s/firewall.json", [name])}],
		"fix": mf.on_fail(st, {"id": "add-firewall-rule", "target": name, "params": {"port": port, "display_name": "SSIS Scale Out Master"}}),
	}
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
	# the common case: nothing missing, and SqlServerName is the listener's
	# host (the same string) and port, without an instance
	facts.variant == "ag"
	some name in facts.master_nodes
	cfg := facts.master_cfg(name)
	ep := cfg.master.sql_server
	lsn := facts.listener
	listener_common(name, cfg, ep, lsn)
	want := sprintf("%s,%d", [facts.get(lsn, "host", ""), facts.eff_port(lsn)])
	r := {
		"rule": "MASTER-CFG-SQLSERVERNAME-LISTENER",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/SqlServerName"},
		"message": sprintf("%s: SqlServerName %s is the SSISDB listener %s.", [name, object.get(ep, "raw", ""), want]),
		"observed": object.get(ep, "raw", null),
		"expected": want,
		"missing": [],
		"evidence": [facts.cfg_ev(name, "MasterSettings.config", cfg, "SqlServerName")],
		"fix": null,
	}
}

master_cfg_sqlservername_listener contains r if {
	facts.variant == "ag"
	some name in facts.master_nodes
	cfg := facts.master_cfg(name)
	ep := facts.get(cfg, ["master", "sql_server"], null)
	lsn := facts.listener
	not listener_common(name, cfg, ep, lsn)
	want := sprintf("%s,%d", [facts.get(lsn, "host", ""), facts.eff_port(lsn)])
	problems := array.concat(
		array.concat(
			[sprintf("host %s is not the listener %s", [facts.get(ep, "host", ""), facts.get(lsn, "host", "")]) | not names.host_eq(facts.str(facts.get(ep, "host", "")), facts.str(facts.get(lsn, "host", "")))],
			[sprintf("port %d is not the listener port %d", [facts.eff_port(ep), facts.eff_port(lsn)]) | facts.eff_port(ep) != facts.eff_port(lsn)],
		),
		[sprintf("it names instance %s; a listener has none", [ep.instance]) | facts.str(facts.get(ep, "instance", "")) != ""],
	)
	missing := facts.first_missing([
		mf.mcfg_missing[name],
		facts.key_missing(name, "MasterSettings.config", cfg, "SqlServerName"),
		facts.listener_missing,
	])
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "MASTER-CFG-SQLSERVERNAME-LISTENER",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/SqlServerName"},
		"message": listener_msg(st, name, ep, want, problems, missing),
		"observed": res.observed(st, facts.get(ep, "raw", null)),
		"expected": want,
		"missing": missing,
		"evidence": [facts.cfg_ev(name, "MasterSettings.config", cfg, "SqlServerName")],
		"fix": set_master_fix(st, name, "SqlServerName", want),
	}
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
	# the common case: nothing missing, and the master port
	some name in facts.master_nodes
	port := facts.master_port_of(name)
	ref := facts.master_port
	cfg := facts.master_cfg(name)
	port_common(name, cfg, port, ref)
	r := {
		"rule": "MASTER-CFG-PORT-CONSISTENT",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/PortNumber"},
		"message": sprintf("%s: PortNumber is %d, the deployment's master port.", [name, port]),
		"observed": port,
		"expected": ref,
		"missing": [],
		"evidence": [facts.cfg_ev(name, "MasterSettings.config", cfg, "PortNumber")],
		"fix": null,
	}
}

master_cfg_port_consistent contains r if {
	some name in facts.master_nodes
	port := facts.master_port_of(name)
	ref := facts.master_port
	cfg := facts.master_cfg(name)
	not port_common(name, cfg, port, ref)
	missing := facts.first_missing([
		mf.mcfg_missing[name],
		facts.key_missing(name, "MasterSettings.config", cfg, "PortNumber"),
		facts.master_port_missing,
	])
	st := res.status(missing, port == ref)
	r := {
		"rule": "MASTER-CFG-PORT-CONSISTENT",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": "MasterSettings.config/PortNumber"},
		"message": port_master_msg(st, name, port, ref, missing),
		"observed": res.observed(st, port),
		"expected": ref,
		"missing": missing,
		"evidence": [facts.cfg_ev(name, "MasterSettings.config", cfg, "PortNumber")],
		"fix": set_master_fix(st, name, "PortNumber", sprintf("%d", [ref])),
	}
}

master_cfg_port_consistent contains r if {
	# the common case, by reference: a worker of mf.wfast whose MasterEndpoint
	# uses the master port
	count(facts.master_port_missing) == 0
	ref := facts.master_port
	some w, wf in mf.wfast
	wf.port == ref
	r := {
		"rule": "MASTER-CFG-PORT-CONSISTENT",
		"status": "pass",
		"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
		"message": sprintf("%s: MasterEndpoint uses port %d, the master port.", [w, wf.port]),
		"observed": wf.port,
		"expected": ref,
		"missing": [],
		"evidence": [wf.pev],
		"fix": null,
	}
}

master_cfg_port_consistent contains r if {
	# a worker of mf.wfast whose MasterEndpoint uses another port
	count(facts.master_port_missing) == 0
	ref := facts.master_port
	some w, wf in mf.wfast
	wf.port != ref
	r := port_worker_result(w, {"missing": [], "ep": mf.worker_endpoint(w), "port": wf.port, "ev": wf.pev})
}

master_cfg_port_consistent contains r if {
	# the workers of mf.wfast when the master port is unknown
	mpm := facts.master_port_missing
	count(mpm) > 0
	some w, wf in mf.wfast
	r := port_worker_result(w, {"missing": mpm, "ep": mf.worker_endpoint(w), "port": wf.port, "ev": wf.pev})
}

master_cfg_port_consistent contains r if {
	# the other workers
	some w, wp in mf.worker_port_rest
	r := port_worker_result(w, wp)
}

master_cfg_port_consistent contains r if {
	prim := facts.primary_instance
	mp := mf.mprops
	addr := mp.address
	port := facts.url_port(addr)
	ref := facts.master_port
	want := sprintf("https://%s:%d", [facts.master_dns, ref])
	missing := mp.missing
	st := res.status(missing, port == ref)
	r := {
		"rule": "MASTER-CFG-PORT-CONSISTENT",
		"status": st,
		"subject": res.instance_subject(facts.primary_label, mp.node, "catalog.master_properties/MASTER_ADDRESS"),
		"message": address_msg(st, prim, addr, ref, missing),
		"observed": res.observed(st, addr),
		"expected": want,
		"missing": missing,
		"evidence": [{"artifact": mp.artifact, "key": "MASTER_ADDRESS"}],
		"fix": mf.on_fail(st, {"id": "sql-update-master-address", "target": prim, "params": {"address": want}}),
	}
}

master_cfg_port_consistent contains r if {
	prim := facts.primary_instance
	mp := mf.mprops
	val := mp.port
	ref := facts.master_port
	missing := mp.missing
	st := res.status(missing, facts.num(val) == ref)
	r := {
		"rule": "MASTER-CFG-PORT-CONSISTENT",
		"status": st,
		"subject": res.instance_subject(facts.primary_label, mp.node, "catalog.master_properties/MASTER_SERVICE_PORT"),
		"message": service_port_msg(st, prim, val, ref, missing),
		"observed": res.observed(st, val),
		"expected": sprintf("%d", [ref]),
		"missing": missing,
		"evidence": [{"artifact": mp.artifact, "key": "MASTER_SERVICE_PORT"}],
		"fix": restart_ref_fix(st),
	}
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
	# the common case: nothing missing, and the service started after the
	# last write
	some name in facts.master_nodes
	mf.restart_applies(name)
	svc := mf.msvc[name]
	cfg := facts.master_cfg(name)
	written := facts.get(cfg, "last_write_ns", 0)
	started := facts.get(svc, "process_start_ns", 0)
	restart_common(name, cfg, written, started)
	r := {
		"rule": "MASTER-CFG-RESTART-APPLIED",
		"status": "pass",
		"subject": {"kind": "node", "node": name, "object": sprintf("service:%s", [facts.get(svc, "Name", facts.master_service_name)])},
		"message": sprintf("%s: the master service started (%s) after MasterSettings.config was last written (%s).", [name, facts.get(svc, "ProcessStartUtc", ""), facts.get(cfg, "last_write_utc", "")]),
		"observed": {"config_written": facts.get(cfg, "last_write_utc", ""), "service_started": facts.get(svc, "ProcessStartUtc", "")},
		"expected": "service started after the last configuration change",
		"missing": [],
		"evidence": [
			{"artifact": sprintf("nodes/%s/files.json", [name]), "key": "MasterSettings.config.LastWriteUtc"},
			facts.svc_ev(name, svc, "ProcessStartUtc"),
		],
		"fix": null,
	}
}

master_cfg_restart_applied contains r if {
	some name in facts.master_nodes
	mf.restart_applies(name)
	svc := mf.msvc[name]
	cfg := facts.master_cfg(name)
	written := facts.get(cfg, "last_write_ns", 0)
	started := facts.get(svc, "process_start_ns", 0)
	not restart_common(name, cfg, written, started)
	missing := restart_missing(name, cfg, written, started)
	st := res.status(missing, written <= started)
	r := {
		"rule": "MASTER-CFG-RESTART-APPLIED",
		"status": st,
		"subject": {"kind": "node", "node": name, "object": sprintf("service:%s", [facts.get(svc, "Name", facts.master_service_name)])},
		"message": restart_msg(st, name, svc, cfg, missing),
		"observed": res.observed(st, {"config_written": facts.get(cfg, "last_write_utc", ""), "service_started": facts.get(svc, "ProcessStartUtc", "")}),
		"expected": "service started after the last configuration change",
		"missing": missing,
		"evidence": [
			{"artifact": sprintf("nodes/%s/files.json", [name]), "key": "MasterSettings.config.LastWriteUtc"},
			facts.svc_ev(name, svc, "ProcessStartUtc"),
		],
		"fix": mf.on_fail(st, {"id": "restart-master", "target": name, "params": {"resource": facts.master_resource, "service": facts.get(svc, "Name", facts.master_service_name)}}),
	}
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
	# the common case: every master account has an enabled login, nothing
	# missing (sql_login_fast)
	some rep in sql.replicas
	inst := rep.instance
	accts := sql_login_fast(inst).accts
	r := {
		"rule": "MASTER-ACCOUNT-SQL-LOGIN",
		"status": "pass",
		"subject": sql.subject(inst, "logins:master-account"),
		"message": sprintf("%s has enabled logins for the master account(s) %s.", [inst, concat(", ", accts)]),
		"observed": [],
		"expected": accts,
		"missing": [],
		"evidence": [sql.ev(inst, "server_principals", "name")],
		"fix": null,
	}
}

master_account_sql_login contains r if {
	some rep in sql.replicas
	inst := rep.instance
	not sql_login_fast(inst)
	accts := mf.sql_accounts
	problems := [[a, p] |
		some a in accts
		p := sql.login_problem(inst, a)
	]
	missing := facts.first_missing([
		sql.missing(inst, "server_principals"),
		[m | count(problems) == 0; some n in facts.master_nodes; some m in mf.msvc_missing[n]],
		facts.missing_if(count(accts) == 0, "nodes/*/services.json: no master node's service account is known"),
	])
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "MASTER-ACCOUNT-SQL-LOGIN",
		"status": st,
		"subject": sql.subject(inst, "logins:master-account"),
		"message": sql_login_msg(st, inst, accts, problems, missing),
		"observed": res.observed(st, [p[0] | some p in problems]),
		"expected": accts,
		"missing": missing,
		"evidence": [sql.ev(inst, "server_principals", "name")],
		"fix": sql_login_fix(st, inst, problems),
	}
}

# --- the common-case guards: the first (pass-only) body of a rule applies,
# and its general body gives the same result (the tests mock each guard false
# and compare) ---

domain_common(name) if {
	mf.mkind[name] == "domain"
	mf.msvc_missing[name] == []
	is_object(mf.msvc[name])
}

consistent_common(name, svc, acct, ref) if {
	mf.msvc_missing[name] == []
	is_object(svc)
	names.same_account(acct, ref[1])
}

cn_dns_common(name, cert, dns) if {
	mf.mcfg_missing[name] == []
	facts.master_dns_missing == []
	is_object(cert)
	names.cert_has(cert, dns)
}

# httpsys_fast(name): the certificate thumbprint, endpoint and binding when
# the first body of MASTER-HTTPSYS-BINDING applies (httpsys_missing's first
# body, and the binding holds the master certificate in store Root; as
# firewall_fast, a function of the node alone). With a master thumbprint the
# rule's thumbprint is mf.ref_thumb, normalized: a hash that upper-cases to it
# is the same thumbprint.
httpsys_fast(name) := {"thumb": thumb, "endpoint": endpoint, "b": b} if {
	facts.master_thumbprint_missing == []
	mf.node_clean(name)
	port := facts.node_master_port(name)
	port != 0
	thumb := mf.ref_thumb
	thumb != ""
	endpoint := sprintf("0.0.0.0:%d", [port])
	b := input.nodes[name].httpsys.bindings[endpoint]
	h := b.certificate_hash
	is_string(h)
	upper(h) == thumb
	sn := b.store_name
	is_string(sn)
	lower(sn) == "root"
}

schannel_common(name, nss) if {
	mf.node_clean(name)
	count(nss) == 0
}

# (the same host string, not empty once normalized, is host_eq)
listener_common(name, cfg, ep, lsn) if {
	mf.mcfg_missing[name] == []
	cfg.missing_keys == []
	facts.listener_missing == []
	is_object(ep)
	h := ep.host
	is_string(h)
	h == lsn.host
	names.norm_host(h) != ""
	facts.eff_port(ep) == facts.eff_port(lsn)
	object.get(ep, "instance", "") == ""
}

# sql_login_fast(inst): the master accounts when the first body of
# MASTER-ACCOUNT-SQL-LOGIN applies (no login problem, nothing missing; as
# firewall_fast, a function of the instance alone).
sql_login_fast(inst) := {"accts": accts} if {
	accts := mf.sql_accounts
	count(accts) > 0
	mf.msvc_clean
	sql.missing(inst, "server_principals") == []
	every a in accts {
		not sql.login_problem(inst, a)
	}
}

# (thumb and ref are normalized: equal and not empty is certs.same)
same_common(name, cfg, thumb, ref) if {
	mf.mcfg_missing[name] == []
	cfg.missing_keys == []
	facts.master_thumbprint_missing == []
	thumb != ""
	thumb == ref
}

# (ref is normalized: certs.in_store_or_null finds the certificate under it)
root_key_common(name, ref) if {
	facts.master_thumbprint_missing == []
	ref != ""
	mf.node_clean(name)
	input.nodes[name].certs["LocalMachine/Root"][ref].has_private_key == true
}

port_common(name, cfg, port, ref) if {
	mf.mcfg_missing[name] == []
	cfg.missing_keys == []
	facts.master_port_missing == []
	port == ref
}

restart_common(name, cfg, written, started) if {
	restart_missing(name, cfg, written, started) == []
	written <= started
}

# (a valid certificate is an object: validity_of gives "unknown" otherwise)
validity_common(cert, v) if {
	v == "valid"
	is_object(cert)
	facts.created_missing == []
}

# firewall_fast(name): the port and the admitting rules when the first body
# of MASTER-FIREWALL applies (firewall_missing's first body, and a rule
# admits the port). A function of the node alone, so that the general body's
# "not firewall_fast(name)" is answered from the cache of the call the first
# body made, before it computes anything (the guards below of several
# arguments are cheap to recompute).
firewall_fast(name) := {"port": port, "rules": rules} if {
	mf.node_clean(name)
	port := facts.node_master_port(name)
	port != 0
	fws := input.nodes[name].firewall
	is_array(fws)
	rules := [facts.str(fw.DisplayName) | some fw in fws; facts.fw_allows(fw, port)]
	count(rules) > 0
}

# --- why a result is unknown: [] by reference in the common case (the node is
# collected with nothing missing and every value is known), else the full
# explanation ---

httpsys_missing(name, port) := [] if {
	port != 0
	mf.node_clean(name)
	count(facts.master_thumbprint_missing) == 0
} else := facts.first_missing([
	facts.node_missing(name, ["httpsys"]),
	facts.missing_if(port == 0, sprintf("nodes/%s/files/MasterSettings.config: PortNumber unknown, and no deployment master port", [name])),
	facts.master_thumbprint_missing,
])

firewall_missing(name, port) := [] if {
	port != 0
	mf.node_clean(name)
} else := facts.first_missing([
	facts.node_missing(name, ["firewall"]),
	facts.missing_if(port == 0, sprintf("nodes/%s/files/MasterSettings.config: PortNumber unknown, and no deployment master port", [name])),
])

restart_missing(name, cfg, written, started) := [] if {
	written != 0
	started != 0
	cfg != null
	count(mf.msvc_missing[name]) == 0
	mf.node_clean(name)
} else := facts.first_missing([
	mf.msvc_missing[name],
	facts.node_missing(name, ["files/MasterSettings.config"]),
	facts.missing_if(cfg == null, sprintf("nodes/%s/files/MasterSettings.config: not present on the node", [name])),
	facts.missing_if(written == 0, sprintf("nodes/%s/files.json: LastWriteUtc of MasterSettings.config unknown", [name])),
	facts.missing_if(started == 0, sprintf("nodes/%s/services.json: ProcessStartUtc of the master service unknown", [name])),
])

# --- messages and fixes, by status (only the one that is used is built) ---

# installed_common: the first body of MASTER-INSTALLED-EVERY-NODE applies (its
# node_missing is [], nothing is absent, and svc is an object).
installed_common(name, svc, cfg) if {
	mf.node_clean(name)
	is_object(svc)
	is_object(cfg)
}

installed_msg("pass", name, svc, _, _) := sprintf("%s has the master service %s and MasterSettings.config.", [name, facts.get(svc, "Name", "")])

installed_msg("fail", name, _, absent, _) := sprintf("%s is a master node without %s; the master role cannot fail over to it.", [name, concat(" and ", absent)])

installed_msg("unknown", name, _, _, missing) := res.unknown_message(sprintf("%s: whether Scale Out Master is installed could not be checked.", [name]), missing)

installed_fix("fail", name) := res.manual(name, [
	sprintf("Run SQL Server setup on %s and add the Integration Services Scale Out Master feature (/FEATURES=IS_Master).", [name]),
	"Use the same domain service account as the other master nodes (/ISMASTERSVCACCOUNT) and select the existing master certificate.",
	"Import the master certificate with its private key into LocalMachine\\Root and set MasterSettings.config like the other master nodes.",
])

installed_fix(st, _) := null if st != "fail"

account_domain_msg("pass", name, acct, _, _) := sprintf("%s runs the master service as domain account %s.", [name, acct])

account_domain_msg("fail", name, acct, kind, _) := sprintf("%s runs the master service as %s, a %s account, not a domain account; it cannot reach SSISDB on another node after a failover.", [name, acct, kind])

account_domain_msg("unknown", name, _, _, missing) := res.unknown_message(sprintf("%s: the master service account could not be read.", [name]), missing)

account_domain_fix("fail", name, sname) := {"id": "set-master-account", "target": name, "params": {"service": sname, "account": target}} if {
	cands := [a | some n in facts.master_nodes_ref_first; a := facts.master_account(n); names.is_domain_account(a, n)]
	target := array.concat(cands, ["CONTOSO\\<domain account>"])[0]
}

account_domain_fix(st, _, _) := null if st != "fail"

account_consistent_msg("pass", name, acct, ref, _) := sprintf("%s runs the master service as %s, like the reference node %s.", [name, acct, ref[0]])

account_consistent_msg("fail", name, acct, ref, _) := sprintf("%s runs the master service as %s; the reference node %s uses %s.", [name, acct, ref[0], ref[1]])

account_consistent_msg("unknown", name, _, _, missing) := res.unknown_message(sprintf("%s: the master service account could not be read.", [name]), missing)

cert_cn_dns_msg("pass", name, thumb, dns, _, _) := sprintf("%s: the master certificate %s names %s.", [name, thumb, dns])

cert_cn_dns_msg("fail", name, thumb, dns, cns, _) := sprintf("%s: the master certificate %s does not name the master DNS host %s (it names %s); workers connecting to %s fail the TLS check.", [name, thumb, dns, concat(", ", cns), dns])

cert_cn_dns_msg("unknown", name, _, _, _, missing) := res.unknown_message(sprintf("%s: the master certificate's names could not be checked.", [name]), missing)

renew_fix("fail") := {"id": "renew-master-cert", "target": facts.reference_node, "params": {"dns_name": facts.master_dns, "port": sprintf("%d", [facts.master_port]), "path": facts.master_path(facts.reference_node)}}

renew_fix(st) := null if st != "fail"

cert_same_msg("pass", name, thumb, _, _) := sprintf("%s uses the master certificate %s, like the reference.", [name, thumb])

cert_same_msg("fail", name, thumb, ref, _) := sprintf("%s uses master certificate %s; the reference (%s) is %s.", [name, thumb, facts.master_thumbprint_label, ref])

cert_same_msg("unknown", name, _, _, missing) := res.unknown_message(sprintf("%s: the master certificate thumbprint could not be compared.", [name]), missing)

import_fix("fail", name, ref) := {"id": "import-master-cert", "target": name, "params": {"thumbprint": ref, "source_node": certs.key_holder(ref), "store": "Root"}}

import_fix(st, _, _) := null if st != "fail"

root_key_msg("pass", name, ref, _, _) := sprintf("%s has the master certificate %s in LocalMachine\\Root with its private key.", [name, ref])

root_key_msg("fail", name, ref, cert, _) := certs.root_key_fail_msg(name, ref, cert)

root_key_msg("unknown", name, _, _, missing) := res.unknown_message(sprintf("%s: the master certificate in LocalMachine\\Root could not be checked.", [name]), missing)

cert_validity_msg("pass", user, thumb, cert, _, _) := sprintf("%s: the master certificate %s is valid until %s.", [user, thumb, facts.get(cert, "not_after", "")])

cert_validity_msg("fail", user, thumb, cert, v, _) := sprintf("%s: %s", [user, certs.validity_msg("master certificate", thumb, cert, v)])

cert_validity_msg("unknown", user, thumb, _, _, missing) := res.unknown_message(sprintf("%s: the validity of master certificate %s could not be checked.", [user, thumb]), missing)

httpsys_msg("pass", name, endpoint, thumb, _, _) := sprintf("%s binds %s to the master certificate %s in store Root.", [name, endpoint, thumb])

httpsys_msg("fail", name, endpoint, _, problems, _) := sprintf("%s: the HTTP.SYS binding of %s is wrong: %s.", [name, endpoint, concat("; ", problems)])

httpsys_msg("unknown", name, _, _, _, missing) := res.unknown_message(sprintf("%s: the HTTP.SYS SSL bindings could not be checked.", [name]), missing)

httpsys_fix("fail", name, port, thumb, b) := {"id": "bind-master-port", "target": name, "params": {"port": port, "thumbprint": thumb, "app_id": facts.str(facts.get(b, "application_id", ""))}}

httpsys_fix(st, _, _, _, _) := null if st != "fail"

schannel_msg("pass", name, nss, _, _, _) := certs.schannel_pass_msg(name, nss)

schannel_msg("fail", name, nss, stil, catm, _) := sprintf("%s: LocalMachine\\Root holds %d non-self-signed certificate(s) (%s) but SendTrustedIssuerList is %v and ClientAuthTrustMode is %v; workers' client certificates are rejected.", [name, count(nss), concat(", ", nss), stil, catm])

schannel_msg("unknown", name, _, _, _, missing) := res.unknown_message(sprintf("%s: the Schannel client-authentication settings could not be checked.", [name]), missing)

# port_worker_result(w, wp): the MASTER-CFG-PORT-CONSISTENT result of worker
# w from its mf.worker_port_rest entry wp ({missing, ep, port, ev}).
port_worker_result(w, wp) := {
	"rule": "MASTER-CFG-PORT-CONSISTENT",
	"status": "unknown",
	"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
	"message": res.unknown_message(sprintf("%s: the MasterEndpoint port could not be compared.", [w]), wp.missing),
	"observed": null,
	"expected": facts.master_port,
	"missing": wp.missing,
	"evidence": [wp.ev],
	"fix": null,
} if {
	count(wp.missing) > 0
} else := {
	"rule": "MASTER-CFG-PORT-CONSISTENT",
	"status": "pass",
	"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
	"message": sprintf("%s: MasterEndpoint uses port %d, the master port.", [w, wp.port]),
	"observed": wp.port,
	"expected": facts.master_port,
	"missing": [],
	"evidence": [wp.ev],
	"fix": null,
} if {
	wp.port == facts.master_port
} else := {
	"rule": "MASTER-CFG-PORT-CONSISTENT",
	"status": "fail",
	"subject": {"kind": "worker", "node": w, "object": "WorkerSettings.config/MasterEndpoint"},
	"message": sprintf("%s: MasterEndpoint %s uses port %d, but the master listens on %d.", [w, facts.get(wp.ep, "raw", ""), wp.port, facts.master_port]),
	"observed": wp.port,
	"expected": facts.master_port,
	"missing": [],
	"evidence": [wp.ev],
	"fix": {"id": "set-worker-config", "target": w, "params": {
		"path": facts.cfg_path(facts.worker_cfg(w), "WorkerSettings.config"), "key": "MasterEndpoint",
		"value": sprintf("https://%s:%d", [facts.get(wp.ep, "host", facts.master_dns), facts.master_port]),
		"service": facts.worker_service_name(w),
	}},
}

trusts_unknown(name, w, wi, missing) := {
	"rule": "MASTER-TRUSTS-EVERY-WORKER",
	"status": "unknown",
	"subject": {"kind": "node", "node": name, "object": concat("", ["worker:", w])},
	"message": res.unknown_message(sprintf("%s: whether it trusts worker %s could not be checked.", [name, w]), missing),
	"observed": null,
	"expected": true,
	"missing": missing,
	"evidence": [wi.ev, {"artifact": concat("", ["nodes/", name, "/certs/LocalMachine/Root/", wi.thumb, ".cer"])}],
	"fix": null,
}

trusts_known_result(true, name, w, wi) := {
	"rule": "MASTER-TRUSTS-EVERY-WORKER",
	"status": "pass",
	"subject": {"kind": "node", "node": name, "object": concat("", ["worker:", w])},
	"message": sprintf("%s trusts the certificate %s of worker %s.", [name, wi.thumb, w]),
	"observed": true,
	"expected": true,
	"missing": [],
	"evidence": [wi.ev, {"artifact": concat("", ["nodes/", name, "/certs/LocalMachine/Root/", wi.thumb, ".cer"])}],
	"fix": null,
}

trusts_known_result(false, name, w, wi) := {
	"rule": "MASTER-TRUSTS-EVERY-WORKER",
	"status": "fail",
	"subject": {"kind": "node", "node": name, "object": concat("", ["worker:", w])},
	"message": sprintf("%s does not have worker %s's certificate %s in LocalMachine\\Root; while %s is the active master it rejects %s.", [name, w, wi.thumb, name, w]),
	"observed": false,
	"expected": true,
	"missing": [],
	"evidence": [wi.ev, {"artifact": concat("", ["nodes/", name, "/certs/LocalMachine/Root/", wi.thumb, ".cer"])}],
	"fix": {"id": "trust-worker-cert", "target": name, "params": {"thumbprint": wi.thumb, "worker": w, "cer_path": ""}},
}

firewall_msg("pass", name, port, rules, _) := sprintf("%s admits TCP %d inbound (%s).", [name, port, concat(", ", rules)])

firewall_msg("fail", name, port, _, _) := sprintf("%s has no enabled inbound allow rule for the master port TCP %d; workers cannot reach the master while it runs there.", [name, port])

firewall_msg("unknown", name, _, _, missing) := res.unknown_message(sprintf("%s: the firewall rules could not be checked.", [name]), missing)

listener_msg("pass", name, ep, want, _, _) := sprintf("%s: SqlServerName %s is the SSISDB listener %s.", [name, facts.get(ep, "raw", ""), want])

listener_msg("fail", name, ep, want, problems, _) := sprintf("%s: SqlServerName %s is not the SSISDB listener %s (%s); the master loses SSISDB when it fails over.", [name, facts.get(ep, "raw", ""), want, concat("; ", problems)])

listener_msg("unknown", name, _, _, _, missing) := res.unknown_message(sprintf("%s: SqlServerName could not be compared with the listener.", [name]), missing)

set_master_fix("fail", name, key, value) := {"id": "set-master-config", "target": name, "params": {"path": facts.master_path(name), "key": key, "value": value}}

set_master_fix(st, _, _, _) := null if st != "fail"

port_master_msg("pass", name, port, _, _) := sprintf("%s: PortNumber is %d, the deployment's master port.", [name, port])

port_master_msg("fail", name, port, ref, _) := sprintf("%s: PortNumber is %d, but the deployment's master port is %d; workers cannot reach the master while it runs there.", [name, port, ref])

port_master_msg("unknown", name, _, _, missing) := res.unknown_message(sprintf("%s: PortNumber could not be compared.", [name]), missing)

address_msg("pass", prim, addr, ref, _) := sprintf("SSISDB on %s: MASTER_ADDRESS %s uses the master port %d.", [prim, addr, ref])

address_msg("fail", prim, addr, ref, _) := sprintf("SSISDB on %s: MASTER_ADDRESS %s does not use the master port %d.", [prim, addr, ref])

address_msg("unknown", _, _, _, missing) := res.unknown_message("SSISDB: MASTER_ADDRESS could not be read.", missing)

service_port_msg("pass", prim, _, ref, _) := sprintf("SSISDB on %s: MASTER_SERVICE_PORT is %d, the master port.", [prim, ref])

service_port_msg("fail", prim, val, ref, _) := sprintf("SSISDB on %s: MASTER_SERVICE_PORT is %v, but the master port is %d; the running master was started with another PortNumber.", [prim, val, ref])

service_port_msg("unknown", _, _, _, missing) := res.unknown_message("SSISDB: MASTER_SERVICE_PORT could not be read.", missing)

restart_ref_fix("fail") := {"id": "restart-master", "target": facts.reference_node, "params": {"resource": facts.master_resource, "service": facts.master_service_of(facts.reference_node)}}

restart_ref_fix(st) := null if st != "fail"

restart_msg("pass", name, svc, cfg, _) := sprintf("%s: the master service started (%s) after MasterSettings.config was last written (%s).", [name, facts.get(svc, "ProcessStartUtc", ""), facts.get(cfg, "last_write_utc", "")])

restart_msg("fail", name, svc, cfg, _) := sprintf("%s: MasterSettings.config was written (%s) after the running master service started (%s); the change is not in effect.", [name, facts.get(cfg, "last_write_utc", ""), facts.get(svc, "ProcessStartUtc", "")])

restart_msg("unknown", name, _, _, missing) := res.unknown_message(sprintf("%s: whether the running master has read its configuration could not be checked.", [name]), missing)

sql_login_msg("pass", inst, accts, _, _) := sprintf("%s has enabled logins for the master account(s) %s.", [inst, concat(", ", accts)])

sql_login_msg("fail", inst, _, problems, _) := sprintf("%s: %s; the master cannot reach SSISDB after a failover to %s.", [inst, concat("; ", [p[1] | some p in problems]), inst])

sql_login_msg("unknown", inst, _, _, missing) := res.unknown_message(sprintf("%s: the master account's login could not be checked.", [inst]), missing)

sql_login_fix("fail", inst, problems) := sql.login_create_fix(inst, problems)

sql_login_fix(st, _, _) := null if st != "fail"
