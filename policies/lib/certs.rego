# Certificates: thumbprints, store lookup, validity.
package ssis.lib.certs

import data.ssis.lib.facts
import data.ssis.lib.names

# norm_thumb: upper-case hex without spaces or the invisible U+200E that the
# Windows certificate dialog copies.
# The first body is the common case (nothing to remove): OPA's replace builds
# a strings.Replacer on every call, which costs more than the three contains.
norm_thumb(t) := upper(t) if {
	not contains(t, " ")
	not contains(t, "\u200e")
	not contains(t, ":")
} else := upper(replace(replace(replace(t, " ", ""), "\u200e", ""), ":", ""))

thumb_eq(a, b) if {
	norm_thumb(a) != ""
	norm_thumb(a) == norm_thumb(b)
}

# in_store(node, store, thumb): the certificate object, undefined when absent.
# The normalizer keys a store by upper-case thumbprint, so the first body is
# one lookup (a master node's Root holds every worker's certificate: a scan
# per worker would be quadratic); the second one accepts hand-written facts
# whose keys are not in that form.
in_store(node, store, thumb) := c if {
	k := norm_thumb(thumb)
	k != ""
	st := node.certs[store]
	is_object(st)
	c := st[k]
} else := c if {
	some t, c in facts.obj(facts.get(node, ["certs", store], {}))
	thumb_eq(t, thumb)
}

# find(thumb): the certificate with that thumbprint from any collected store
# of any node, preferring master nodes' Root stores (same DER = same facts).
find(thumb) := c if {
	cands := candidates(thumb)
	count(cands) > 0
	c := cands[0]
}

candidates(thumb) := [c |
	some pref in [
		facts.master_nodes,
		sort(object.keys(facts.obj(facts.get(input, "nodes", {})))),
	]
	some n in pref
	node := facts.node(n)
	some store in ["LocalMachine/Root", "LocalMachine/My"]
	c := in_store(node, store, thumb)
]

# days from created_ns until not_after_ns (negative once expired).
ns_per_day := 86400000000000

# validity(cert, now_ns): "not_yet_valid" | "expired" | "expiring" | "valid"
validity(cert, now_ns) := "not_yet_valid" if {
	cert.not_before_ns > now_ns
} else := "expired" if {
	cert.not_after_ns <= now_ns
} else := "expiring" if {
	cert.not_after_ns - now_ns <= 30 * ns_per_day
} else := "valid"

# display form of a thumbprint in messages: the first 8 hex digits and an ellipsis.
short(t) := sprintf("%s…", [substring(norm_thumb(t), 0, 8)]) if {
	count(norm_thumb(t)) > 8
} else := norm_thumb(t)

# locate(thumb): {"node", "store", "cert"} of the first copy found, preferring
# master nodes' Root stores; null when none.
# (The master nodes are searched first and alone: only a certificate that no
# master node holds costs a pass over every node.)
locate(thumb) := {"node": n, "store": "LocalMachine/Root", "cert": c} if {
	# the common case: the first master node's Root store has it (the first
	# copy the search below would find)
	n := facts.master_nodes[0]
	c := in_store(facts.node(n), "LocalMachine/Root", thumb)
} else := l if {
	ls := [{"node": n, "store": store, "cert": c} |
		some n in facts.master_nodes
		some store in ["LocalMachine/Root", "LocalMachine/My"]
		c := in_store(facts.node(n), store, thumb)
	]
	count(ls) > 0
	l := ls[0]
} else := l if {
	ls := [{"node": n, "store": store, "cert": c} |
		some n in sort(object.keys(facts.obj(facts.get(input, "nodes", {}))))
		some store in ["LocalMachine/Root", "LocalMachine/My"]
		c := in_store(facts.node(n), store, thumb)
	]
	count(ls) > 0
	l := ls[0]
} else := null

# lookup(name, thumb): the certificate from the node's own Root store, else
# the first copy anywhere, else null.
lookup(name, thumb) := c if {
	c := in_store(facts.node(name), "LocalMachine/Root", thumb)
} else := c if {
	l := locate(thumb)
	l != null
	c := l.cert
} else := null

cert_missing(thumb, c) := [] if {
	is_object(c)
} else := ["SSLCertThumbprint: empty"] if {
	norm_thumb(thumb) == ""
} else := [sprintf("cert:%s: not found in any collected certificate store", [norm_thumb(thumb)])]

# key_holder(thumb): a master node (reference first) that holds the certificate
# with its private key in LocalMachine\Root, else "".
key_holder(thumb) := hs[0] if {
	hs := [n |
		some n in facts.master_nodes_ref_first
		c := in_store(facts.node(n), "LocalMachine/Root", thumb)
		c.has_private_key == true
	]
	count(hs) > 0
} else := facts.reference_node

same(a, b) if {
	thumb_eq(a, b)
} else := false

cert_artifact(name, store, thumb) := sprintf("nodes/%s/certs/%s/%s.cer", [name, store, norm_thumb(thumb)])

in_store_or_null(node, store, thumb) := c if {
	c := in_store(node, store, thumb)
} else := null

# sidecar_missing: the certificate is there but whether it has its private key
# is unknown (no sidecar).
sidecar_missing(name, store, thumb, cert) := [sprintf("nodes/%s/certs/%s/%s.json: sidecar missing, so whether the private key is present is unknown", [name, store, norm_thumb(thumb)])] if {
	is_object(cert)
	facts.get(cert, "has_private_key", null) == null
} else := []

root_key_fail_msg(name, thumb, cert) := sprintf("%s does not have the master certificate %s in LocalMachine\\Root; the master cannot serve TLS after a failover to %s.", [name, thumb, name]) if {
	cert == null
} else := sprintf("%s has the master certificate %s in LocalMachine\\Root without its private key; the master cannot serve TLS after a failover to %s.", [name, thumb, name])

# the master certificates in use: the reference and every master node's
# SSLCertThumbprint ([""] when none is known, so that an unknown is reported).
master_thumbs := ts if {
	ts := sort({t |
		some t in array.concat([norm_thumb(facts.master_thumbprint)], [norm_thumb(facts.master_thumb_of(n)) | some n in facts.master_nodes])
		t != ""
	})
	count(ts) > 0
} else := [""]

validity_of(cert, now_ns) := "unknown" if {
	not is_object(cert)
} else := "unknown" if {
	now_ns == 0
} else := validity(cert, now_ns)

validity_severity := {"expired": "critical", "not_yet_valid": "critical", "expiring": "high"}

validity_msg(what, thumb, cert, v) := sprintf("the %s %s expired on %s; TLS between master and workers fails.", [what, thumb, facts.get(cert, "not_after", "")]) if {
	v == "expired"
} else := sprintf("the %s %s is not valid before %s.", [what, thumb, facts.get(cert, "not_before", "")]) if {
	v == "not_yet_valid"
} else := sprintf("the %s %s expires on %s, within 30 days of collection.", [what, thumb, facts.get(cert, "not_after", "")])

# HTTP.SYS binding checks.
binding_problems(b, thumb) := ["no SSL binding exists for it"] if {
	not is_object(b)
} else := array.concat(
	[sprintf("it is bound to certificate %s, not the master certificate %s", [upper(facts.str(b.certificate_hash)), norm_thumb(thumb)]) | not thumb_eq(facts.str(facts.get(b, "certificate_hash", "")), thumb)],
	[sprintf("its certificate store is %s, not Root", [facts.str(facts.get(b, "store_name", ""))]) | lower(facts.str(facts.get(b, "store_name", ""))) != "root"],
)

binding_ev(name, endpoint, b) := {"artifact": sprintf("nodes/%s/httpsys.txt", [name]), "key": endpoint, "line": b.line} if {
	facts.get(b, "line", 0) > 0
} else := {"artifact": sprintf("nodes/%s/httpsys.txt", [name]), "key": endpoint}

# Schannel.
schannel_key := "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL"

# (read by reference: a store or certificate that is absent or not an object
# contributes nothing, as the null-safe helpers would give; st[t] with t
# unbound enumerates the store about twice as fast as some t, c in st)
non_self_signed_roots(name) := sort([t |
	st := input.nodes[name].certs["LocalMachine/Root"]
	is_object(st)
	st[t].self_signed == false
])

schannel_ok(nss, stil, catm) if {
	count(nss) == 0
} else if {
	stil == 0
	catm == 2
} else := false

schannel_pass_msg(name, nss) := sprintf("%s: LocalMachine\\Root holds only self-signed certificates, so Schannel accepts the workers' certificates.", [name]) if {
	count(nss) == 0
} else := sprintf("%s: LocalMachine\\Root holds non-self-signed certificates, and SendTrustedIssuerList=0 and ClientAuthTrustMode=2 are set.", [name])

# user_of(thumb): the master node a master certificate is reported on: the
# reference node for the reference certificate, else the first master node
# configured with it.
user_of(thumb) := facts.reference_node if {
	thumb_eq(thumb, facts.master_thumbprint)
} else := us[0] if {
	us := [n | some n in facts.master_nodes_ref_first; thumb_eq(facts.master_thumb_of(n), thumb)]
	count(us) > 0
} else := facts.reference_node

# worker_cert(w, store, thumb): the worker's certificate from its configured
# store, else from any collected copy.
worker_cert(w, store, thumb) := c if {
	c := in_store(facts.node(w), store, thumb)
} else := c if {
	l := locate(thumb)
	l != null
	c := l.cert
} else := null

# a key reader that every account is a member of.
everyone_readers := {"everyone", "builtin\\users", "nt authority\\authenticated users"}

can_read(readers, acct) if {
	some r in readers
	names.account_eq(r, acct)
}

can_read(readers, _) if {
	some r in readers
	lower(r) in everyone_readers
}

# (the common case first: a private key the account can read)
worker_cert_problems(cert, store, readers, acct) := [] if {
	cert.has_private_key == true
	can_read(readers, acct)
} else := [sprintf("it is not in %s", [store])] if {
	not is_object(cert)
} else := ["it has no private key"] if {
	cert.has_private_key == false
} else := [sprintf("the worker account %s is not among the private key's readers (%s)", [acct, concat(", ", readers)])] if {
	count(readers) > 0
	acct != ""
	not can_read(readers, acct)
} else := []

worker_cert_fix(w, store, cert, acct, _) := {"id": "manual", "target": w, "params": {"steps": [
	sprintf("Grant %s read access to the private key of the worker certificate: winhttpcertcfg.exe -g -c LOCAL_MACHINE\\%s -s \"%s\" -a \"%s\".", [acct, split(store, "/")[1], facts.get(cert, ["cns", 0], ""), acct]),
	"Restart the worker service.",
]}} if {
	is_object(cert)
	cert.has_private_key == true
} else := {"id": "replace-worker-cert", "target": w, "params": {"worker": w, "store": store, "service": facts.worker_service_name(w)}}

# endpoint_fix: point the worker at the master DNS name when the certificate
# carries it, else renew the master certificate.
endpoint_fix(w, cert) := {"id": "set-worker-config", "target": w, "params": {
	"path": facts.worker_path(w), "key": "MasterEndpoint",
	"value": sprintf("https://%s:%d", [facts.master_dns, facts.master_port]),
	"service": facts.worker_service_name(w),
}} if {
	names.cert_has_host(cert, facts.master_dns)
} else := {"id": "renew-master-cert", "target": facts.reference_node, "params": {
	"dns_name": facts.master_dns, "port": sprintf("%d", [facts.master_port]),
	"path": facts.master_path(facts.reference_node),
}}

# names_network(cert): the certificate names the SQL Server network name (short
# or FQDN), or, when the master fails over separately under its own DNS name,
# that name.
names_network(cert) if {
	some h in [facts.fci_network_name, facts.fci_network_fqdn]
	h != ""
	names.cert_has_host(cert, h)
} else if {
	facts.master_dns != ""
	not names.host_eq(facts.master_dns, facts.fci_network_name)
	names.cert_has_host(cert, facts.master_dns)
} else := false

or_default(i) := i if {
	i != ""
} else := "none (default instance)"

# --- MASTER-TRUSTS-EVERY-WORKER (masters x workers results) ------------------

# master_root: per master node (built once per query) why its Root store is
# unknown, the store, and its normalized thumbprints.
master_root := {n: {"missing": m, "store": store} |
	some n in facts.master_nodes
	m := facts.node_missing(n, ["certs/LocalMachine/Root"])
	store := facts.obj(facts.get(facts.node(n), ["certs", "LocalMachine/Root"], {}))
}

# the normalized thumbprints of each master's Root store (only evaluated when
# a worker's certificate is not found under its own key).
master_root_norm := {n: {x | some t, _ in mr.store; x := norm_thumb(t); x != ""} | some n, mr in master_root}

# (master_fast.trust_known and trust_unknown hold, per worker node, its
# certificate's normalized thumbprint, why that is unknown, and the evidence:
# the common case read once per query with the worker port, the other
# workers by the three helpers below.)

# why a worker's thumbprint is unknown: [] in the common case (the node is
# collected with nothing missing, its WorkerSettings.config parsed with every
# key, and the thumbprint is not empty), checked first by reference.
worker_trust_missing(w, wt) := [] if {
	wt != ""
	nd := input.nodes[w]
	nd.collected == true
	count(nd.missing) == 0
	c := nd.configs.worker
	c.parse_error == ""
	count(c.missing_keys) == 0
} else := facts.first_missing([
	facts.worker_cfg_missing(w),
	facts.key_missing(w, "WorkerSettings.config", facts.worker_cfg(w), "WorkerHttpsCertThumbprint"),
	facts.missing_if(wt == "", sprintf("nodes/%s/files/WorkerSettings.config: WorkerHttpsCertThumbprint is empty", [w])),
])

worker_thumb_raw(w) := t if {
	t := input.nodes[w].configs.worker.worker.worker_thumbprint
	is_string(t)
} else := ""

# master_trusts(n, wt): the certificate with normalized thumbprint wt in master
# node n's LocalMachine\Root, else null (in_store_or_null, answered from
# master_root: one lookup, and no scan of the store when it is absent).
master_trusts(n, wt) := c if {
	wt != ""
	c := master_root[n].store[wt]
} else := null if {
	not master_root_norm[n][wt]
} else := in_store_or_null(facts.node(n), "LocalMachine/Root", wt)
