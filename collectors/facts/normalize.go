package facts

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

// Artifact kinds of a node, in the order they are read.
var nodeKinds = []string{"host", "services", "certs", "files", "registry", "httpsys", "firewall"}

// NotCollected is the Missing reason of an artifact that is neither in the
// bundle nor listed in an errors.json.
const NotCollected = "not collected"

type normalizer struct {
	b        *bundle.Bundle
	doc      *Document
	nodeDirs map[string]string // upper-case node name → folder under nodes/
	// certs caches parsed certificates by file content (parseCertificate).
	certs map[string]*Cert
}

func (n *normalizer) warn(format string, args ...any) {
	n.doc.Warnings = append(n.doc.Warnings, fmt.Sprintf(format, args...))
}

// Normalize turns a bundle into the facts document. Content the rules should
// see as a finding (an unreadable config file, a failed query, an artifact
// that could not be collected) is recorded in the document; structurally
// broken evidence (a JSON artifact that is not JSON, a .cer that is not a
// certificate, a result set whose rows do not match its columns) is an error
// naming the bundle file.
func Normalize(b *bundle.Bundle) (*Document, error) {
	if b == nil {
		return nil, errors.New("facts: no bundle")
	}
	m := b.Manifest
	doc := &Document{
		SchemaVersion: SchemaVersion,
		Bundle: BundleInfo{
			Path:          b.Path,
			FormatVersion: m.Version,
			CreatedUTC:    m.CreatedUTC,
			ToolVersion:   m.ToolVersion,
		},
		Deployment: Deployment{
			Name:    m.Deployment.Name,
			Variant: m.Deployment.Variant,
			Declared: Declared{
				MasterDNS:       m.Deployment.MasterDNS,
				MasterPort:      m.Deployment.MasterPort,
				Listener:        m.Deployment.Listener,
				ScaleOutVersion: m.Deployment.ScaleOutVersion,
			},
			MasterNodes:  []string{},
			WorkerNodes:  []string{},
			ReplicaNodes: []string{},
		},
		Nodes:    map[string]*Node{},
		SQL:      map[string]*Instance{},
		Missing:  map[string]string{},
		Warnings: []string{},
	}
	n := &normalizer{b: b, doc: doc}
	if _, ns, ok := parseTime(m.CreatedUTC); ok {
		doc.Bundle.CreatedNS = ns
	} else if m.CreatedUTC != "" {
		n.warn("bundle.json: created_utc %q is not an RFC 3339 time", m.CreatedUTC)
	}

	if err := n.readNodes(); err != nil {
		return nil, err
	}
	if err := n.readCluster(); err != nil {
		return nil, err
	}
	if err := n.readSQL(); err != nil {
		return nil, err
	}
	n.derive()
	return doc, nil
}

// dirIndex maps the upper-case name of each folder under parent to its
// spelling in the bundle.
func (n *normalizer) dirIndex(parent string, key func(string) string) map[string]string {
	out := map[string]string{}
	for _, d := range n.b.ChildDirs(parent) {
		k := key(d)
		if prev, dup := out[k]; dup {
			n.warn("%s/%s and %s/%s name the same target; reading %s/%s", parent, prev, parent, d, parent, prev)
			continue
		}
		out[k] = d
	}
	return out
}

func (n *normalizer) readNodes() error {
	n.nodeDirs = n.dirIndex("nodes", strings.ToUpper)
	dirs := n.nodeDirs
	used := map[string]bool{}
	for _, mn := range n.b.Manifest.Nodes {
		name := strings.ToUpper(strings.TrimSpace(mn.Name))
		node := &Node{
			Name:      name,
			Roles:     []string{},
			Collected: mn.Collected,
			Error:     RedactText(mn.Error),
			Missing:   map[string]string{},
			Services:  map[string]*Service{},
			// (filled from Services once the node is read)
			ServiceKinds: map[string][]string{},
			Certs:        map[string]map[string]*Cert{},
			Registry:     map[string]map[string]any{},
			Firewall:     []FirewallRule{},
		}
		for _, r := range mn.Roles {
			role := strings.ToLower(strings.TrimSpace(r))
			switch role {
			case "master", "worker", "replica":
			default:
				n.warn("bundle.json: node %s: unknown role %q (want master, worker or replica)", name, r)
			}
			node.Roles = append(node.Roles, role)
		}
		n.doc.Nodes[name] = node
		dir, ok := dirs[name]
		if !ok {
			dir = name
		}
		used[name] = true
		if !mn.Collected {
			reason := node.Error
			if reason == "" {
				reason = "node not collected"
			}
			for _, k := range nodeKinds {
				node.Missing[k] = reason
			}
			continue
		}
		if err := n.readNode(node, dir); err != nil {
			return err
		}
		node.ServiceKinds = serviceKinds(node.Services)
	}
	for _, k := range slices.Sorted(maps.Keys(dirs)) {
		if !used[k] {
			n.warn("nodes/%s: the manifest does not list this node; its artifacts are ignored", dirs[k])
		}
	}
	return nil
}

// artifactAliases maps file names written in an errors.json to the
// artifact kind.
var artifactAliases = map[string]string{
	"host.json": "host", "services.json": "services", "registry.json": "registry",
	"httpsys.txt": "httpsys", "firewall.json": "firewall", "cluster.json": "cluster", "files.json": "files",
}

// readErrors reads an errors.json (an array of objects) into artifact →
// error; idKeys are the keys that may name the artifact.
func (n *normalizer) readErrors(name string, idKeys []string) ([]errorEntry, error) {
	if !n.b.Has(name) {
		return nil, nil
	}
	rows, err := n.objects(name)
	if err != nil {
		return nil, err
	}
	var out []errorEntry
	for _, r := range rows {
		var e errorEntry
		for _, k := range idKeys {
			if v := strings.TrimSpace(asString(lookup(r, k))); v != "" {
				e.id = v
				break
			}
		}
		e.err = strings.TrimSpace(asString(lookup(r, "Error")))
		if e.err == "" {
			e.err = strings.TrimSpace(asString(lookup(r, "Message")))
		}
		if e.err == "" {
			e.err = "failed (no reason given)"
		}
		e.err = RedactText(e.err)
		out = append(out, e)
	}
	return out, nil
}

type errorEntry struct{ id, err string }

// lookup reads a key case-insensitively.
func lookup(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func (n *normalizer) readNode(node *Node, dir string) error {
	base := "nodes/" + dir + "/"
	entries, err := n.readErrors(base+"errors.json", []string{"Artifact"})
	if err != nil {
		return err
	}
	for _, e := range entries {
		a := strings.ReplaceAll(e.id, `\`, "/")
		a = strings.TrimPrefix(a, base)
		a = strings.Trim(a, "/")
		if k, ok := artifactAliases[strings.ToLower(a)]; ok {
			a = k
		}
		if a == "" {
			a = "node"
		}
		if prev, dup := node.Missing[a]; dup {
			node.Missing[a] = prev + "; " + e.err
		} else {
			node.Missing[a] = e.err
		}
	}
	listed := func(kind string) bool {
		for a := range node.Missing {
			if a == kind || strings.HasPrefix(a, kind+"/") {
				return true
			}
		}
		return false
	}
	present := map[string]bool{
		"host":     n.b.Has(base + "host.json"),
		"services": n.b.Has(base + "services.json"),
		"certs":    n.b.HasDir(base + "certs"),
		"files":    n.b.HasDir(base+"files") || n.b.Has(base+"files.json"),
		"registry": n.b.Has(base + "registry.json"),
		"httpsys":  n.b.Has(base + "httpsys.txt"),
		"firewall": n.b.Has(base + "firewall.json"),
	}
	for _, k := range nodeKinds {
		if present[k] {
			continue
		}
		if !listed(k) {
			node.Missing[k] = NotCollected
			continue
		}
		// Only part of the kind failed (certs/LocalMachine/Root): what was
		// not listed was collected and found empty.
		if _, whole := node.Missing[k]; !whole {
			present[k] = true
		}
	}

	if present["host"] {
		if err := n.readHost(node, base+"host.json"); err != nil {
			return err
		}
	}
	if present["services"] {
		if err := n.readServices(node, base+"services.json"); err != nil {
			return err
		}
	}
	if present["certs"] {
		certs, err := n.readCerts(dir, node.Missing)
		if err != nil {
			return err
		}
		node.Certs = certs
	}
	if present["files"] {
		if err := n.readConfigs(node, base); err != nil {
			return err
		}
	}
	if present["registry"] {
		if err := n.readRegistry(node, base+"registry.json"); err != nil {
			return err
		}
	}
	if present["httpsys"] {
		n.readHTTPSys(node, base+"httpsys.txt")
	}
	if present["firewall"] {
		if err := n.readFirewall(node, base+"firewall.json"); err != nil {
			return err
		}
	}
	return nil
}

// value reads a JSON artifact.
func (n *normalizer) value(name string) (any, error) {
	data, err := n.b.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var v any
	if err := bundle.DecodeJSON(name, data, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// object reads a JSON artifact that must be an object.
func (n *normalizer) object(name string) (map[string]any, error) {
	v, err := n.value(name)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: got %s, want an object", name, kindOf(v))
	}
	return m, nil
}

// objects reads a JSON artifact that must be an array of objects (a single
// object, as PowerShell writes a one-element array, and null are accepted).
func (n *normalizer) objects(name string) ([]map[string]any, error) {
	v, err := n.value(name)
	if err != nil {
		return nil, err
	}
	return toObjects(name, v)
}

func toObjects(name string, v any) ([]map[string]any, error) {
	switch x := v.(type) {
	case nil:
		return []map[string]any{}, nil
	case map[string]any:
		return []map[string]any{x}, nil
	case []any:
		out := make([]map[string]any, 0, len(x))
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: [%d]: got %s, want an object", name, i, kindOf(e))
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: got %s, want an array of objects", name, kindOf(v))
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func (n *normalizer) readHost(node *Node, name string) error {
	m, err := n.object(name)
	if err != nil {
		return err
	}
	h := &Host{
		ComputerName: asString(lookup(m, "ComputerName")),
		DNSHostName:  asString(lookup(m, "DNSHostName")),
		Domain:       asString(lookup(m, "Domain")),
		Caption:      asString(lookup(m, "Caption")),
		Version:      asString(lookup(m, "Version")),
	}
	h.PartOfDomain, _ = asBool(lookup(m, "PartOfDomain"))
	host := h.DNSHostName
	if host == "" {
		host = h.ComputerName
	}
	h.FQDN = strings.ToLower(host)
	if h.PartOfDomain && h.Domain != "" && host != "" {
		h.FQDN = strings.ToLower(host + "." + h.Domain)
	}
	node.Host = h
	return nil
}

var serviceVersionRE = regexp.MustCompile(`(?i)^(SSISScaleOutMaster|SSISScaleOutWorker|MsDtsServer)([0-9]+)$`)

// ServiceKind classifies a service name: master, worker, sql, ssis, cluster
// or other; version is the {VER} suffix where the name has one.
func ServiceKind(name string) (kind, version string) {
	if isASCII(name) {
		return serviceKindASCII(name)
	}
	return serviceKindGeneral(name)
}

// serviceKindGeneral is ServiceKind for any name (the regular expression);
// serviceKindASCII must give the same answers for ASCII names
// (FuzzServiceKind).
func serviceKindGeneral(name string) (kind, version string) {
	lower := strings.ToLower(name)
	if m := serviceVersionRE.FindStringSubmatch(name); m != nil {
		version = m[2]
	}
	switch {
	case strings.HasPrefix(lower, "ssisscaleoutmaster"):
		return "master", version
	case strings.HasPrefix(lower, "ssisscaleoutworker"):
		return "worker", version
	case lower == "mssqlserver" || strings.HasPrefix(lower, "mssql$"):
		return "sql", ""
	case strings.HasPrefix(lower, "msdtsserver"):
		return "ssis", version
	case lower == "clussvc":
		return "cluster", ""
	}
	return "other", ""
}

// serviceKindASCII is ServiceKind for an ASCII name, without the regular
// expression and the lower-case copy (for ASCII, (?i) and ToLower fold
// ASCII letters only).
func serviceKindASCII(name string) (kind, version string) {
	digits := func(prefix string) string {
		rest := name[len(prefix):]
		if rest == "" {
			return ""
		}
		for i := 0; i < len(rest); i++ {
			if rest[i] < '0' || rest[i] > '9' {
				return ""
			}
		}
		return rest
	}
	switch {
	case hasPrefixFold(name, "ssisscaleoutmaster"):
		return "master", digits("ssisscaleoutmaster")
	case hasPrefixFold(name, "ssisscaleoutworker"):
		return "worker", digits("ssisscaleoutworker")
	case strings.EqualFold(name, "mssqlserver") || hasPrefixFold(name, "mssql$"):
		return "sql", ""
	case hasPrefixFold(name, "msdtsserver"):
		return "ssis", digits("msdtsserver")
	case strings.EqualFold(name, "clussvc"):
		return "cluster", ""
	}
	return "other", ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// hasPrefixFold is strings.HasPrefix(strings.ToLower(s), prefix) for an
// ASCII s and a lower-case ASCII prefix.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func (n *normalizer) readServices(node *Node, name string) error {
	rows, err := n.objects(name)
	if err != nil {
		return err
	}
	for i, r := range rows {
		s := &Service{
			Name:            asString(lookup(r, "Name")),
			DisplayName:     asString(lookup(r, "DisplayName")),
			StartName:       asString(lookup(r, "StartName")),
			StartMode:       asString(lookup(r, "StartMode")),
			State:           asString(lookup(r, "State")),
			PathName:        asString(lookup(r, "PathName")),
			ProcessStartUTC: asString(lookup(r, "ProcessStartUtc")),
		}
		if s.Name == "" {
			return fmt.Errorf("%s: [%d].Name: missing, want the service name", name, i)
		}
		s.ProcessID, _ = asInt(lookup(r, "ProcessId"))
		if t, ns, ok := parseTime(s.ProcessStartUTC); ok {
			s.ProcessStartUTC, s.ProcessStartNS = t, ns
		}
		s.Kind, s.Version = ServiceKind(s.Name)
		if _, dup := node.Services[s.Name]; dup {
			n.warn("%s: service %s listed twice; the last row wins", name, s.Name)
		}
		node.Services[s.Name] = s
	}
	return nil
}

// serviceKinds is Node.ServiceKinds for services: kind -> the names of
// the services of that kind, sorted; an empty map for no services.
func serviceKinds(services map[string]*Service) map[string][]string {
	kinds := make(map[string][]string, 4)
	for name, s := range services {
		kinds[s.Kind] = append(kinds[s.Kind], name)
	}
	for _, names := range kinds {
		slices.Sort(names)
	}
	return kinds
}

var versionFolderRE = regexp.MustCompile(`(?i)[\\/]([0-9]{2,4})[\\/]DTS[\\/]`)

// fileEntry is one files.json row.
type fileEntry struct {
	Path, LastWriteUTC string
}

func (n *normalizer) readConfigs(node *Node, base string) error {
	meta := map[string]fileEntry{}
	if n.b.Has(base + "files.json") {
		rows, err := n.objects(base + "files.json")
		if err != nil {
			return err
		}
		for _, r := range rows {
			fname := asString(lookup(r, "Name"))
			p := asString(lookup(r, "Path"))
			if fname == "" && p != "" {
				fname = path.Base(strings.ReplaceAll(p, `\`, "/"))
			}
			meta[strings.ToLower(fname)] = fileEntry{Path: p, LastWriteUTC: asString(lookup(r, "LastWriteUtc"))}
		}
	}
	files := map[string]string{} // lower name → bundle path
	for _, f := range n.b.List(base + "files") {
		rel := strings.TrimPrefix(f, base+"files/")
		if !strings.Contains(rel, "/") {
			files[strings.ToLower(rel)] = f
		}
	}
	for _, name := range []string{MasterSettingsFile, WorkerSettingsFile} {
		file, ok := files[strings.ToLower(name)]
		if !ok {
			continue // not installed, or listed in errors.json
		}
		data, err := n.b.ReadFile(file)
		if err != nil {
			return err
		}
		cf := ParseSettings(name, data)
		cf.Artifact = file
		if e, ok := meta[strings.ToLower(name)]; ok {
			cf.Path = e.Path
			if m := versionFolderRE.FindStringSubmatch(e.Path); m != nil {
				cf.Version = m[1]
			}
			cf.LastWriteUTC = e.LastWriteUTC
			if t, ns, ok := parseTime(e.LastWriteUTC); ok {
				cf.LastWriteUTC, cf.LastWriteNS = t, ns
			}
		}
		for _, w := range cf.Warnings {
			n.warn("%s: %s", node.Name, w)
		}
		if name == MasterSettingsFile {
			node.Configs.Master = cf
		} else {
			node.Configs.Worker = cf
		}
	}
	return nil
}

func (n *normalizer) readRegistry(node *Node, name string) error {
	m, err := n.object(name)
	if err != nil {
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		switch v := m[key].(type) {
		case nil:
		case map[string]any:
			node.Registry[key] = v
		default:
			return fmt.Errorf("%s: %q: got %s, want an object of value names", name, key, kindOf(v))
		}
	}
	return nil
}

func (n *normalizer) readHTTPSys(node *Node, name string) {
	data, _ := n.b.ReadFile(name)
	text, err := bundle.DecodeText(data)
	if err == nil {
		var bindings map[string]*SSLBinding
		bindings, err = ParseNetsh(string(text))
		if err == nil {
			node.HTTPSys = &HTTPSys{Bindings: bindings}
			return
		}
	}
	node.Missing["httpsys"] = fmt.Sprintf("%s: cannot read: %v", name, err)
}

// PowerShell's ConvertTo-Json writes the firewall enums as numbers.
var (
	fwDirection = map[string]string{"1": "Inbound", "2": "Outbound"}
	fwAction    = map[string]string{"0": "NotConfigured", "2": "Allow", "4": "Block"}
	fwProtocol  = map[string]string{"6": "TCP", "17": "UDP"}
)

func enumName(v any, names map[string]string) string {
	s := asString(v)
	if n, ok := names[s]; ok {
		return n
	}
	return s
}

func (n *normalizer) readFirewall(node *Node, name string) error {
	rows, err := n.objects(name)
	if err != nil {
		return err
	}
	for _, r := range rows {
		rule := FirewallRule{
			DisplayName: asString(lookup(r, "DisplayName")),
			Direction:   enumName(lookup(r, "Direction"), fwDirection),
			Action:      enumName(lookup(r, "Action"), fwAction),
			Protocol:    strings.ToUpper(enumName(lookup(r, "Protocol"), fwProtocol)),
			LocalPort:   []string{},
		}
		switch e := lookup(r, "Enabled"); asString(e) {
		case "1", "true", "True":
			rule.Enabled = true
		case "2", "0", "false", "False":
		default:
			rule.Enabled, _ = asBool(e)
		}
		for _, p := range asStrings(lookup(r, "LocalPort")) {
			for _, part := range strings.Split(p, ",") {
				if part = strings.TrimSpace(part); part != "" {
					rule.LocalPort = append(rule.LocalPort, part)
				}
			}
		}
		node.Firewall = append(node.Firewall, rule)
	}
	return nil
}

// readCluster takes cluster.json from the first node (by name) that has it.
func (n *normalizer) readCluster() error {
	names := slices.Sorted(maps.Keys(n.doc.Nodes))
	var reasons []string
	dirs := n.nodeDirs
	for _, name := range names {
		node := n.doc.Nodes[name]
		dir, ok := dirs[name]
		if !ok {
			dir = name
		}
		file := "nodes/" + dir + "/cluster.json"
		if node.Collected && n.b.Has(file) {
			c, err := n.parseCluster(file)
			if err != nil {
				return err
			}
			c.SourceNode = name
			n.doc.Cluster = c
			return nil
		}
		switch {
		case !node.Collected:
			r := node.Error
			if r == "" {
				r = "node not collected"
			}
			reasons = append(reasons, name+": "+r)
		case node.Missing["cluster"] != "":
			reasons = append(reasons, name+": "+node.Missing["cluster"])
		default:
			reasons = append(reasons, name+": "+NotCollected)
		}
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "the manifest lists no node")
	}
	n.doc.Missing["cluster"] = "no node has cluster.json (" + strings.Join(reasons, "; ") + ")"
	return nil
}

func (n *normalizer) parseCluster(file string) (*Cluster, error) {
	m, err := n.object(file)
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		Name:      asString(lookup(m, "Name")),
		Nodes:     []ClusterNode{},
		Groups:    []ClusterGroup{},
		Resources: []ClusterResource{},
	}
	list := func(key string) ([]map[string]any, error) {
		v := lookup(m, key)
		if arr, ok := v.([]any); ok {
			// Node lists may be plain names.
			conv := make([]any, len(arr))
			for i, e := range arr {
				if s, ok := e.(string); ok {
					conv[i] = map[string]any{"Name": s}
				} else {
					conv[i] = e
				}
			}
			v = conv
		}
		return toObjects(file+": "+key, v)
	}
	nodes, err := list("Nodes")
	if err != nil {
		return nil, err
	}
	for _, r := range nodes {
		c.Nodes = append(c.Nodes, ClusterNode{Name: asString(lookup(r, "Name")), State: asString(lookup(r, "State"))})
	}
	groups, err := list("Groups")
	if err != nil {
		return nil, err
	}
	for _, r := range groups {
		c.Groups = append(c.Groups, ClusterGroup{
			Name: asString(lookup(r, "Name")), State: asString(lookup(r, "State")),
			OwnerNode: asString(lookup(r, "OwnerNode")), GroupType: asString(lookup(r, "GroupType")),
		})
	}
	res, err := list("Resources")
	if err != nil {
		return nil, err
	}
	for i, r := range res {
		cr := ClusterResource{
			Name: asString(lookup(r, "Name")), ResourceType: asString(lookup(r, "ResourceType")),
			OwnerGroup: asString(lookup(r, "OwnerGroup")), OwnerNode: asString(lookup(r, "OwnerNode")),
			State: asString(lookup(r, "State")), PossibleOwners: asStrings(lookup(r, "PossibleOwners")),
			Parameters: map[string]any{},
		}
		switch p := lookup(r, "Parameters").(type) {
		case nil:
		case map[string]any:
			cr.Parameters = p
		case []any:
			// Get-ClusterParameter rows: [{"Name": ..., "Value": ...}].
			for _, e := range p {
				if pm, ok := e.(map[string]any); ok {
					if k := asString(lookup(pm, "Name")); k != "" {
						cr.Parameters[k] = lookup(pm, "Value")
					}
				}
			}
		default:
			return nil, fmt.Errorf("%s: Resources[%d].Parameters: got %s, want an object", file, i, kindOf(p))
		}
		c.Resources = append(c.Resources, cr)
	}
	return c, nil
}
