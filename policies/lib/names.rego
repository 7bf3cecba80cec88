# Name matching shared by every rule (rules.md, "Matching rules everywhere").
package ssis.lib.names

# lower-cased host name without a trailing dot.
norm_host(h) := trim_suffix(lower(trim_space(h)), ".")

# fqdn(h, domain) qualifies a short name with the domain; FQDNs stay as they are.
fqdn(h, domain) := norm_host(h) if {
	contains(norm_host(h), ".")
} else := norm_host(h) if {
	norm_host(domain) == ""
} else := concat(".", [norm_host(h), norm_host(domain)])

# host_eq_in: host names compare case-insensitively and a short name matches
# its FQDN in the given domain.
host_eq_in(a, b, domain) if {
	norm_host(a) != ""
	fqdn(a, domain) == fqdn(b, domain)
}

# host_eq: as host_eq_in, with the deployment's domain.
host_eq(a, b) if host_eq_in(a, b, object.get(input, ["deployment", "domain"], ""))

# short_name("sqln1.contoso.com") = "sqln1" (lower case).
short_name(h) := split(norm_host(h), ".")[0]

# node_eq: computer names compare case-insensitively (short or FQDN).
node_eq(a, b) if {
	upper(short_name(a)) != ""
	upper(short_name(a)) == upper(short_name(b))
}

# cert_has_host: TLS matches the exact host a client uses (case-insensitive)
# among the certificate's CNs and SAN DNS names; no short/FQDN tolerance.
cert_has_host(cert, host) if {
	norm_host(host) != ""
	some n in cert_names(cert)
	norm_host(n) == norm_host(host)
}

# every name a certificate carries: all CNs and SAN DNS names.
cert_names(cert) := array.concat(
	[n | some n in object.get(cert, "cns", []); is_string(n)],
	[n | some n in object.get(cert, "san_dns", []); is_string(n)],
)

# account_eq: account names compare case-insensitively; LocalSystem is
# NT AUTHORITY\SYSTEM.
account_eq(a, b) if canon_account(a) == canon_account(b)

canon_account(a) := "nt authority\\system" if {
	lower(trim_space(a)) in {"localsystem", "system", ".\\localsystem"}
} else := lower(trim_space(a))

# account_kind classifies a service logon account as seen from node `host`:
#   virtual  NT Service\x
#   system   LocalSystem, NT AUTHORITY\x
#   local    .\x, HOST\x (HOST = the node itself), BUILTIN\x
#   domain   DOMAIN\x (gMSA DOMAIN\x$ included), x@domain (UPN)
#   unqualified  anything else (an empty or bare name)
# (the common case first: "DOMAIN\\name" without surrounding space whose
# DOMAIN is none that the branches after it take, NT SERVICE, NT AUTHORITY,
# ".", BUILTIN or the host's short name, is "domain" without walking them)
account_kind(account, host) := "domain" if {
	trim_space(account) == account
	parts := split(account, "\\")
	count(parts) == 2
	d := parts[0]
	d != ""
	parts[1] != ""
	not lower(d) in {"nt service", "nt authority", "."}
	u := upper(d)
	u != "BUILTIN"
	u != upper(short_name(host))
} else := "system" if {
	canon_account(account) == "nt authority\\system"
} else := "virtual" if {
	startswith(lower(trim_space(account)), "nt service\\")
} else := "system" if {
	startswith(lower(trim_space(account)), "nt authority\\")
} else := "local" if {
	startswith(trim_space(account), ".\\")
} else := "local" if {
	parts := split(trim_space(account), "\\")
	count(parts) == 2
	upper(parts[0]) in {"BUILTIN", upper(short_name(host))}
} else := "domain" if {
	parts := split(trim_space(account), "\\")
	count(parts) == 2
	parts[0] != ""
	parts[1] != ""
} else := "domain" if {
	parts := split(trim_space(account), "@")
	count(parts) == 2
	parts[0] != ""
	contains(parts[1], ".")
} else := "unqualified"

is_domain_account(account, host) if account_kind(account, host) == "domain"

# guid_eq: GUIDs compare case-insensitively, braces ignored.
guid_eq(a, b) if {
	norm_guid(a) != ""
	norm_guid(a) == norm_guid(b)
}

norm_guid(g) := lower(trim(trim_space(g), "{}"))

# boolean forms (false instead of undefined), for ok := ... in rule bodies.
# (cert_has: its common case first, host one of the CNs as written, without
# normalizing every name)
cert_has(cert, host) if {
	host in cert.cns
	norm_host(host) != ""
} else if {
	cert_has_host(cert, host)
} else := false

same_account(a, b) if {
	account_eq(a, b)
} else := false
