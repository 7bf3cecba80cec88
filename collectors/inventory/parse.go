package inventory

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

type parser struct {
	name     string
	problems []Problem
}

func (p *parser) addf(n *yaml.Node, format string, args ...any) {
	pr := Problem{Message: fmt.Sprintf(format, args...)}
	if n != nil {
		pr.Line, pr.Column = n.Line, n.Column
	}
	p.problems = append(p.problems, pr)
}

// field is one key: value pair of a mapping.
type field struct {
	key *yaml.Node
	val *yaml.Node
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// mapping checks that n is a mapping with only the known keys and returns
// its fields by key. where names the mapping in messages.
func (p *parser) mapping(n *yaml.Node, where string, known ...string) map[string]field {
	n = resolve(n)
	out := map[string]field{}
	if n == nil {
		return out
	}
	if n.Kind != yaml.MappingNode {
		p.addf(n, "%s must be a mapping (key: value lines), got %s", where, kindName(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode {
			p.addf(n.Content[i], "%s: keys must be plain names", where)
			continue
		}
		key := k.Value
		if strings.EqualFold(key, "password") {
			p.addf(k, "%s: a literal password is not allowed in the inventory; put it in an environment variable and name that variable with password_env", where)
			continue
		}
		if !contains(known, key) {
			p.addf(k, "%s: unknown key %q (known keys: %s)", where, key, strings.Join(known, ", "))
			// still look inside it for literal passwords
			p.scanPasswords(v, where+"."+key)
			continue
		}
		if _, dup := out[key]; dup {
			p.addf(k, "%s: key %q given twice", where, key)
			continue
		}
		out[key] = field{key: k, val: v}
	}
	return out
}

// scanPasswords reports `password:` keys anywhere below n.
func (p *parser) scanPasswords(n *yaml.Node, where string) {
	p.scanPasswordsDepth(n, where, 0, map[*yaml.Node]bool{})
}

// scanPasswordsDepth visits every node once (aliases may share subtrees:
// without seen, "billion laughs" documents would take exponential time).
func (p *parser) scanPasswordsDepth(n *yaml.Node, where string, depth int, seen map[*yaml.Node]bool) {
	n = resolve(n)
	if n == nil || depth > 100 || seen[n] {
		return
	}
	seen[n] = true
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolve(n.Content[i])
			if k != nil && k.Kind == yaml.ScalarNode && strings.EqualFold(k.Value, "password") {
				p.addf(k, "%s: a literal password is not allowed in the inventory; put it in an environment variable and name that variable with password_env", where)
			}
			p.scanPasswordsDepth(n.Content[i+1], where, depth+1, seen)
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, c := range n.Content {
			p.scanPasswordsDepth(c, where, depth+1, seen)
		}
	}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) str(f field, where string) (string, bool) {
	if f.val == nil {
		return "", false
	}
	if f.val.Kind != yaml.ScalarNode || f.val.Tag == "!!null" {
		p.addf(f.val, "%s: %s must be a text value, got %s", where, f.key.Value, kindName(f.val))
		return "", false
	}
	return f.val.Value, true
}

func (p *parser) boolean(f field, where string) (bool, bool) {
	s, ok := p.str(f, where)
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	p.addf(f.val, "%s: %s must be true or false, got %q", where, f.key.Value, s)
	return false, false
}

func (p *parser) port(f field, where string) (int, bool) {
	s, ok := p.str(f, where)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		p.addf(f.val, "%s: %s %q out of range 1-65535", where, f.key.Value, s)
		return 0, false
	}
	return n, true
}

func (p *parser) duration(f field, where string) (time.Duration, bool) {
	s, ok := p.str(f, where)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if n, err2 := strconv.Atoi(s); err2 == nil {
			d, err = time.Duration(n)*time.Second, nil
		}
	}
	if err != nil || d <= 0 || d > 24*time.Hour {
		p.addf(f.val, "%s: %s %q is not a duration such as 90s or 2m", where, f.key.Value, s)
		return 0, false
	}
	return d, true
}

func (p *parser) oneOf(f field, where string, allowed ...string) (string, bool) {
	s, ok := p.str(f, where)
	if !ok {
		return "", false
	}
	v := strings.ToLower(strings.TrimSpace(s))
	if !contains(allowed, v) {
		p.addf(f.val, "%s: bad %s %q (one of: %s)", where, f.key.Value, s, strings.Join(allowed, ", "))
		return "", false
	}
	return v, true
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (p *parser) env(f field, where string) string {
	s, ok := p.str(f, where)
	if !ok {
		return ""
	}
	if !envName.MatchString(s) {
		p.addf(f.val, "%s: %s must be the NAME of an environment variable (letters, digits, _), got %q", where, f.key.Value, s)
		return ""
	}
	return s
}

func (p *parser) path(f field, where, dir string) string {
	s, ok := p.str(f, where)
	if !ok {
		return ""
	}
	if s == "" {
		p.addf(f.val, "%s: %s is empty", where, f.key.Value)
		return ""
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(dir, s)
	}
	return filepath.Clean(s)
}

var nodeNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

func (p *parser) parse(data []byte) *Inventory {
	inv := &Inventory{Timeout: DefaultTimeout, lines: map[string]int{}}
	if p.name != "" && p.name != "inventory" {
		if abs, err := filepath.Abs(p.name); err == nil {
			inv.Dir = filepath.Dir(abs)
		} else {
			inv.Dir = filepath.Dir(p.name)
		}
	} else {
		inv.Dir = "."
	}

	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.problems = append(p.problems, yamlProblem(err))
		return inv
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.addf(nil, "the inventory is empty (it needs at least deployment.variant and nodes)")
		return inv
	}
	root := resolve(doc.Content[0])
	top := p.mapping(root, "inventory", "deployment", "timeout", "nodes", "sql")

	// deployment
	if f, ok := top["deployment"]; ok {
		d := p.mapping(f.val, "deployment", "name", "variant", "master_dns", "master_port", "listener", "scale_out_version")
		inv.Deployment.Name, _ = p.str(d["name"], "deployment")
		if v, ok := d["variant"]; ok {
			inv.Deployment.Variant, _ = p.oneOf(v, "deployment", VariantAG, VariantFCI)
		} else {
			p.addf(f.key, "deployment: variant is required (ag or fci)")
		}
		inv.Deployment.MasterDNS, _ = p.str(d["master_dns"], "deployment")
		if v, ok := d["master_port"]; ok {
			inv.Deployment.MasterPort, _ = p.port(v, "deployment")
		}
		if v, ok := d["listener"]; ok {
			inv.Deployment.Listener, _ = p.str(v, "deployment")
			if ls := inv.Deployment.Listener; ls != "" {
				if i := strings.LastIndex(ls, ","); i >= 0 {
					n, err := strconv.Atoi(strings.TrimSpace(ls[i+1:]))
					if err != nil || n < 1 || n > 65535 {
						p.addf(v.val, "deployment: listener port %q out of range 1-65535", strings.TrimSpace(ls[i+1:]))
					}
				}
			}
		}
		if v, ok := d["scale_out_version"]; ok {
			s, ok := p.str(v, "deployment")
			if ok && !regexp.MustCompile(`^1[0-9]0$`).MatchString(s) {
				p.addf(v.val, "deployment: scale_out_version %q must be the version folder, e.g. \"150\"", s)
			}
			inv.Deployment.ScaleOutVersion = s
		}
	} else if root != nil && root.Kind == yaml.MappingNode {
		p.addf(root, "inventory: deployment is required (at least variant: ag or fci)")
	}

	if f, ok := top["timeout"]; ok {
		if d, ok := p.duration(f, "inventory"); ok {
			inv.Timeout = d
		}
	}

	// nodes
	if f, ok := top["nodes"]; ok {
		p.nodes(inv, f)
	} else if root != nil && root.Kind == yaml.MappingNode {
		p.addf(root, "inventory: nodes is required")
	}

	if f, ok := top["sql"]; ok {
		inv.SQL = p.sql(inv, f)
	}

	sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
	return inv
}

func (p *parser) nodes(inv *Inventory, f field) {
	seq := resolve(f.val)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		p.addf(f.val, "nodes must be a list (lines starting with \"- name: ...\"), got %s", kindName(f.val))
		return
	}
	if len(seq.Content) == 0 {
		p.addf(f.val, "nodes: the list is empty")
	}
	var localLine int
	for i, item := range seq.Content {
		item = resolve(item)
		where := fmt.Sprintf("nodes[%d]", i)
		if item != nil && item.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(item.Content); j += 2 {
				if k, v := resolve(item.Content[j]), resolve(item.Content[j+1]); k != nil && v != nil && k.Value == "name" && v.Kind == yaml.ScalarNode && nodeNameRE.MatchString(v.Value) {
					where = "node " + strings.ToUpper(v.Value)
				}
			}
		}
		m := p.mapping(item, where, "name", "roles", "local", "winrm", "bundle", "timeout")
		node := &Node{Line: item.Line, Timeout: inv.Timeout}
		if nf, ok := m["name"]; ok {
			if s, ok := p.str(nf, where); ok {
				if !nodeNameRE.MatchString(s) {
					p.addf(nf.val, "%s: bad node name %q (the computer name, e.g. SQLN1)", where, s)
				} else {
					node.Name = strings.ToUpper(s)
					if prev, dup := inv.lines[node.Name]; dup {
						p.addf(nf.val, "duplicate node %s (first on line %d)", node.Name, prev)
					} else {
						inv.lines[node.Name] = item.Line
					}
				}
			}
		} else if item.Kind == yaml.MappingNode {
			p.addf(item, "%s: name is required (the computer name)", where)
		}

		if rf, ok := m["roles"]; ok {
			node.Roles = p.roles(rf, where)
		} else if item.Kind == yaml.MappingNode {
			p.addf(item, "%s: roles is required (master, worker, replica)", where)
		}

		var ways []string
		if lf, ok := m["local"]; ok {
			if b, ok := p.boolean(lf, where); ok && b {
				node.Local = true
				ways = append(ways, ReachLocal)
				if localLine > 0 {
					p.addf(lf.val, "%s: only one node can be local (the machine the tool runs on); line %d already is", where, localLine)
				}
				localLine = lf.val.Line
			}
		}
		if wf, ok := m["winrm"]; ok {
			node.WinRM = p.winrm(inv, wf, where)
			ways = append(ways, ReachWinRM)
		}
		if bf, ok := m["bundle"]; ok {
			node.Bundle = p.bundle(inv, bf, node.Name, where)
			ways = append(ways, ReachBundle)
		}
		switch {
		case len(ways) == 1:
			node.Reach = ways[0]
		case len(ways) == 0 && item.Kind == yaml.MappingNode:
			p.addf(item, "%s has no way to reach it: give one of local: true, winrm: {...} or bundle: <dir>", where)
		case len(ways) > 1:
			p.addf(item, "%s: give only one of local, winrm and bundle (got %s)", where, strings.Join(ways, ", "))
		}
		if tf, ok := m["timeout"]; ok {
			if d, ok := p.duration(tf, where); ok {
				node.Timeout = d
			}
		}
		inv.Nodes = append(inv.Nodes, node)
	}
}

func (p *parser) roles(f field, where string) []string {
	v := resolve(f.val)
	var items []*yaml.Node
	switch {
	case v != nil && v.Kind == yaml.SequenceNode:
		items = v.Content
	case v != nil && v.Kind == yaml.ScalarNode && v.Tag != "!!null":
		items = []*yaml.Node{v}
	default:
		p.addf(f.val, "%s: roles must be a list such as [master, replica]", where)
		return nil
	}
	var roles []string
	for _, it := range items {
		it = resolve(it)
		if it == nil || it.Kind != yaml.ScalarNode {
			p.addf(f.val, "%s: roles must be a list of names", where)
			continue
		}
		r := strings.ToLower(strings.TrimSpace(it.Value))
		if !contains([]string{RoleMaster, RoleWorker, RoleReplica}, r) {
			p.addf(it, "%s: bad role %q (one of: master, worker, replica)", where, it.Value)
			continue
		}
		if contains(roles, r) {
			p.addf(it, "%s: role %q given twice", where, r)
			continue
		}
		roles = append(roles, r)
	}
	if len(items) == 0 {
		p.addf(f.val, "%s: roles is empty (master, worker, replica)", where)
	}
	return roles
}

func (p *parser) winrm(inv *Inventory, f field, where string) *WinRM {
	w := &WinRM{Transport: "https", Auth: "ntlm"}
	where += ".winrm"
	m := p.mapping(f.val, where, "host", "port", "transport", "auth", "user_env", "password_env",
		"ca_file", "tls_server_name", "realm", "krb5_conf", "krb5_ccache", "spn")
	if hf, ok := m["host"]; ok {
		if s, ok := p.str(hf, where); ok {
			if s == "" || strings.ContainsAny(s, " /\\@:") && !strings.HasPrefix(s, "[") {
				p.addf(hf.val, "%s: bad host %q (a DNS name or IP address)", where, s)
			}
			w.Host = s
		}
	} else {
		p.addf(f.key, "%s: host is required", where)
	}
	if tf, ok := m["transport"]; ok {
		if s, ok := p.oneOf(tf, where, "https", "http"); ok {
			w.Transport = s
		}
	}
	if af, ok := m["auth"]; ok {
		if s, ok := p.oneOf(af, where, "ntlm", "kerberos", "negotiate"); ok {
			w.Auth = s
			if s == "kerberos" && w.Transport == "http" {
				p.addf(af.val, "%s: kerberos needs transport https (message encryption over http works only with ntlm)", where)
			}
		}
	}
	if pf, ok := m["port"]; ok {
		w.Port, _ = p.port(pf, where)
	} else if w.Transport == "http" {
		w.Port = 5985
	} else {
		w.Port = 5986
	}
	if e, ok := m["user_env"]; ok {
		w.UserEnv = p.env(e, where)
	}
	if e, ok := m["password_env"]; ok {
		w.PasswordEnv = p.env(e, where)
	}
	if w.Auth != "kerberos" && (w.UserEnv == "" || w.PasswordEnv == "") {
		if _, ok := m["user_env"]; !ok {
			p.addf(f.key, "%s: user_env is required for %s (the name of the environment variable holding DOMAIN\\user)", where, w.Auth)
		}
		if _, ok := m["password_env"]; !ok {
			p.addf(f.key, "%s: password_env is required for %s (the name of the environment variable holding the password)", where, w.Auth)
		}
	}
	if v, ok := m["ca_file"]; ok {
		w.CAFile = p.path(v, where, inv.Dir)
	}
	if v, ok := m["tls_server_name"]; ok {
		w.TLSServerName, _ = p.str(v, where)
	}
	if v, ok := m["realm"]; ok {
		w.Realm, _ = p.str(v, where)
	}
	if v, ok := m["krb5_conf"]; ok {
		w.Krb5Conf = p.path(v, where, inv.Dir)
	}
	if v, ok := m["krb5_ccache"]; ok {
		w.Krb5CCache = p.path(v, where, inv.Dir)
	}
	if v, ok := m["spn"]; ok {
		w.SPN, _ = p.str(v, where)
	}
	for _, k := range []string{"realm", "krb5_conf", "krb5_ccache", "spn"} {
		if v, ok := m[k]; ok && w.Auth != "kerberos" {
			p.addf(v.key, "%s: %s only applies to auth: kerberos", where, k)
		}
	}
	return w
}

func (p *parser) bundle(inv *Inventory, f field, nodeName, where string) *BundleRef {
	b := &BundleRef{Node: nodeName}
	where += ".bundle"
	v := resolve(f.val)
	if v != nil && v.Kind == yaml.ScalarNode {
		b.Raw, _ = p.str(f, where)
		b.Path = p.path(f, where, inv.Dir)
		return b
	}
	m := p.mapping(f.val, where, "path", "node")
	if pf, ok := m["path"]; ok {
		b.Raw, _ = p.str(pf, where)
		b.Path = p.path(pf, where, inv.Dir)
	} else {
		p.addf(f.key, "%s: path is required (a bundle directory, or a node directory inside one)", where)
	}
	if nf, ok := m["node"]; ok {
		if s, ok := p.str(nf, where); ok {
			if !nodeNameRE.MatchString(s) {
				p.addf(nf.val, "%s: bad node name %q", where, s)
			}
			b.Node = strings.ToUpper(s)
		}
	}
	return b
}

func (p *parser) sql(inv *Inventory, f field) *SQL {
	const where = "sql"
	s := &SQL{Auth: "windows", Timeout: inv.Timeout, Line: f.key.Line}
	m := p.mapping(f.val, where, "server", "bundle", "auth", "user", "user_env", "password_env", "encrypt",
		"trust_server_certificate", "ca_file", "host_in_certificate", "spn", "realm", "krb5_conf", "krb5_keytab", "krb5_ccache",
		"replicas", "read_logdb_connection", "service_accounts", "timeout")
	sf, hasServer := m["server"]
	bf, hasBundle := m["bundle"]
	switch {
	case hasServer && hasBundle:
		p.addf(bf.key, "sql: give server or bundle, not both")
	case !hasServer && !hasBundle:
		if v := resolve(f.val); v != nil && v.Kind == yaml.MappingNode {
			p.addf(f.key, "sql: server is required (e.g. sqlserver://aglsn.contoso.com:1433), or bundle: <dir> to reuse collected results")
		}
	}
	if hasServer {
		if v, ok := p.str(sf, where); ok {
			s.Server = v
			host, port, inst, err := parseSQLServer(v)
			if err != nil {
				p.addf(sf.val, "sql: server %q %v (write sqlserver://host:port, host,port or host\\INSTANCE)", v, err)
			}
			s.Host, s.Port, s.Instance = host, port, inst
		}
	}
	if hasBundle {
		s.Bundle = p.path(bf, where, inv.Dir)
	}
	if af, ok := m["auth"]; ok {
		if v, ok := p.oneOf(af, where, "sql", "windows", "ntlm", "kerberos"); ok {
			s.Auth = v
		}
	}
	if v, ok := m["user"]; ok {
		s.User, _ = p.str(v, where)
		if _, both := m["user_env"]; both {
			p.addf(v.key, "sql: give user or user_env, not both")
		}
	}
	if e, ok := m["user_env"]; ok {
		s.UserEnv = p.env(e, where)
	}
	if e, ok := m["password_env"]; ok {
		s.PasswordEnv = p.env(e, where)
	}
	if (s.Auth == "sql" || s.Auth == "ntlm") && hasServer {
		_, u := m["user"]
		_, ue := m["user_env"]
		if !u && !ue {
			p.addf(f.key, "sql: user or user_env is required for auth: %s", s.Auth)
		}
	}
	if ef, ok := m["encrypt"]; ok {
		s.Encrypt, _ = p.oneOf(ef, where, "strict", "mandatory", "optional", "disable", "true", "false")
	}
	if tf, ok := m["trust_server_certificate"]; ok {
		s.TrustServerCertificate, _ = p.boolean(tf, where)
	}
	if cf, ok := m["ca_file"]; ok {
		s.CAFile = p.path(cf, where, inv.Dir)
	}
	if v, ok := m["host_in_certificate"]; ok {
		s.HostInCertificate, _ = p.str(v, where)
	}
	if v, ok := m["spn"]; ok {
		s.SPN, _ = p.str(v, where)
	}
	if v, ok := m["realm"]; ok {
		s.Realm, _ = p.str(v, where)
	}
	for key, dst := range map[string]*string{"krb5_conf": &s.Krb5Conf, "krb5_keytab": &s.Krb5Keytab, "krb5_ccache": &s.Krb5CCache} {
		if v, ok := m[key]; ok {
			*dst = p.path(v, where, inv.Dir)
			if s.Auth != "kerberos" {
				p.addf(v.key, "sql: %s only applies to auth: kerberos", key)
			}
		}
	}
	if rf, ok := m["replicas"]; ok {
		rm := resolve(rf.val)
		if rm == nil || rm.Kind != yaml.MappingNode {
			p.addf(rf.val, "sql: replicas must map replica names to addresses, e.g. {SQLN1: \"sqln1.contoso.com,1433\"}")
		} else {
			s.Replicas = map[string]string{}
			for i := 0; i+1 < len(rm.Content); i += 2 {
				k, v := resolve(rm.Content[i]), resolve(rm.Content[i+1])
				if k == nil || v == nil || k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
					p.addf(rm.Content[i], "sql: replicas: each entry is NAME: address")
					continue
				}
				if strings.EqualFold(k.Value, "password") {
					p.addf(k, "sql: replicas: a literal password is not allowed in the inventory; use password_env")
					continue
				}
				if _, _, _, err := parseSQLServer(v.Value); err != nil {
					p.addf(v, "sql: replicas: %s: address %q %v", k.Value, v.Value, err)
					continue
				}
				s.Replicas[k.Value] = v.Value
			}
		}
	}
	if v, ok := m["read_logdb_connection"]; ok {
		s.ReadLogDBConnection, _ = p.boolean(v, where)
	}
	if af, ok := m["service_accounts"]; ok {
		v := resolve(af.val)
		if v == nil || v.Kind != yaml.SequenceNode {
			p.addf(af.val, "sql: service_accounts must be a list such as [CONTOSO\\svc-ssis, CONTOSO\\svc-wrk]")
		} else {
			for _, it := range v.Content {
				it = resolve(it)
				if it == nil || it.Kind != yaml.ScalarNode || strings.TrimSpace(it.Value) == "" {
					p.addf(af.val, "sql: service_accounts: each entry is an account name (DOMAIN\\name)")
					continue
				}
				s.ServiceAccounts = append(s.ServiceAccounts, strings.TrimSpace(it.Value))
			}
		}
	}
	if tf, ok := m["timeout"]; ok {
		if d, ok := p.duration(tf, where); ok {
			s.Timeout = d
		}
	}
	return s
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlProblem(err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pr := Problem{Message: "not valid YAML: " + msg}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		pr.Line, _ = strconv.Atoi(m[1])
	}
	return pr
}
