package bundlegen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ToolVersion is written to bundle.json.
const ToolVersion = "0.1.0"

// Write writes spec as a bundle directory (shared/spec/bundle.md) at dir,
// which is created; existing files with the same names are overwritten.
func Write(dir string, spec *Spec) error {
	w := &writer{dir: dir, s: spec}
	w.bundleJSON()
	for _, n := range spec.Nodes {
		if n.Collected {
			w.node(n)
		}
	}
	if spec.SQL != nil {
		w.sql()
	}
	return w.err
}

type writer struct {
	dir string
	s   *Spec
	err error
}

func (w *writer) file(rel string, data []byte) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.err = err
		return
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		w.err = err
	}
}

func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func (w *writer) json(rel string, v any) { w.file(rel, prettyJSON(v)) }

// obj is a JSON object that keeps its key order.
type obj []kv

type kv struct {
	K string
	V any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.K)
		b.Write(k)
		b.WriteByte(':')
		var vb bytes.Buffer
		enc := json.NewEncoder(&vb)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(p.V); err != nil {
			return nil, err
		}
		b.Write(bytes.TrimRight(vb.Bytes(), "\n"))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func rfc(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (w *writer) bundleJSON() {
	s := w.s
	dep := obj{{"name", s.Name}, {"variant", s.Variant}}
	if s.MasterDNS != "" {
		dep = append(dep, kv{"master_dns", s.MasterDNS})
	}
	if s.MasterPort != 0 {
		dep = append(dep, kv{"master_port", s.MasterPort})
	}
	if s.Listener != "" {
		dep = append(dep, kv{"listener", s.Listener})
	}
	if s.ScaleOutVersion != "" {
		dep = append(dep, kv{"scale_out_version", s.ScaleOutVersion})
	}
	var nodes []obj
	for _, n := range s.Nodes {
		o := obj{{"name", n.Name}, {"roles", n.Roles}, {"collected", n.Collected}}
		if n.CollectError != "" {
			o = append(o, kv{"error", n.CollectError})
		}
		nodes = append(nodes, o)
	}
	sqls := []obj{}
	if s.SQL != nil {
		for _, in := range s.SQL.Instances {
			sqls = append(sqls, obj{{"instance", in.ServerName}, {"collected", true}})
		}
	}
	w.json("bundle.json", obj{
		{"format", "ssis-ha-lint-bundle"},
		{"version", 1},
		{"created_utc", rfc(s.Created)},
		{"tool_version", ToolVersion},
		{"deployment", dep},
		{"nodes", nodes},
		{"sql", sqls},
	})
}

func (w *writer) node(n *Node) {
	s := w.s
	base := "nodes/" + n.Name + "/"
	w.json(base+"host.json", obj{
		{"ComputerName", n.Name}, {"DNSHostName", n.DNSHostName}, {"Domain", s.Domain}, {"PartOfDomain", true},
		{"Caption", n.Caption}, {"Version", n.OSVersion}, {"CollectedUtc", rfc(s.Created.Add(time.Second))},
	})

	var svcs []obj
	for _, v := range n.Services {
		svcs = append(svcs, obj{{"Name", v.Name}, {"DisplayName", v.DisplayName}, {"StartName", v.StartName},
			{"StartMode", v.StartMode}, {"State", v.State}, {"ProcessId", v.ProcessID}, {"PathName", v.PathName},
			{"ProcessStartUtc", rfc(v.ProcessStart)}})
	}
	w.json(base+"services.json", svcs)

	var errs []ArtifactError
	arts := make([]string, 0, len(n.CertErrors))
	for a := range n.CertErrors {
		arts = append(arts, a)
	}
	sort.Strings(arts)
	for _, a := range arts {
		errs = append(errs, ArtifactError{a, n.CertErrors[a]})
	}
	for _, c := range n.Certs {
		art := "certs/" + c.Location + "/" + c.Store
		if _, failed := n.CertErrors[art]; failed {
			continue
		}
		cs, ok := s.Certs[c.Cert]
		if !ok {
			w.fail(fmt.Errorf("bundlegen: node %s: unknown certificate %q", n.Name, c.Cert))
			return
		}
		der, err := cs.DER(s.Certs)
		if err != nil {
			w.fail(err)
			return
		}
		thumb := Thumbprint(der)
		side := obj{{"Store", c.Location + `\` + c.Store}, {"HasPrivateKey", c.HasPrivateKey}, {"FriendlyName", c.FriendlyName}}
		if c.Readers != nil {
			side = append(side, kv{"PrivateKeyReaders", c.Readers})
		}
		w.file(base+art+"/"+thumb+".cer", der)
		w.json(base+art+"/"+thumb+".json", side)
	}

	var files []obj
	if m := n.Master; m != nil {
		data := m.Raw
		if data == nil {
			data = configBytes(obj{
				{"PortNumber", m.PortNumber},
				{"SSLCertThumbprint", s.Thumb(m.Cert)},
				{"SqlServerName", m.SqlServerName},
				{"CleanupCompletedJobsIntervalInMs", m.CleanupMs},
				{"DealWithExpiredTasksIntervalInMs", m.ExpiredMs},
				{"MasterHeartbeatIntervalInMs", m.HeartbeatMs},
				{"SqlConnectionTimeoutInSecs", m.SQLTimeoutSec},
			}, m.BOM, m.CRLF)
		}
		w.file(base+"files/MasterSettings.config", data)
		files = append(files, fileEntry("MasterSettings.config", data, m.LastWrite))
	}
	if c := n.Worker; c != nil {
		data := c.Raw
		if data == nil {
			data = configBytes(obj{
				{"DisplayName", ""},
				{"Description", ""},
				{"MasterEndpoint", c.MasterEndpoint},
				{"MasterHttpsCertThumbprint", s.Thumb(c.MasterCert)},
				{"WorkerHttpsCertThumbprint", s.Thumb(c.WorkerCert)},
				{"StoreLocation", c.StoreLocation},
				{"StoreName", c.StoreName},
				{"AgentHeartbeatInterval", c.AgentHeartbeat},
				{"TaskHeartbeatInterval", "00:00:10"},
				{"HeartbeatErrorTolerance", "00:10:00"},
				{"TaskRequestMaxCPU", json.Number("70.0")},
				{"TaskRequestMinMemory", json.Number("100.0")},
				{"MaxTaskCount", 10},
				{"LeaseInterval", "00:01:00"},
				{"TasksRootFolder", ""},
				{"TaskLogLevel", 126},
				{"TaskLogSegment", "00:00:00"},
				{"TaskLogEnabled", true},
				{"ExecutionLogCacheFolder", ""},
				{"ExecutionLogMaxBufferLogCount", 10000},
				{"ExecutionLogMaxInMemoryBufferCount", 10},
				{"ExecutionLogRetryCount", 3},
				{"ExecutionLogRetryTimeout", "7.00:00:00"},
				{"AgentId", c.AgentID},
			}, c.BOM, c.CRLF)
		}
		w.file(base+"files/WorkerSettings.config", data)
		files = append(files, fileEntry("WorkerSettings.config", data, c.LastWrite))
	}
	if files != nil {
		w.json(base+"files.json", files)
	}

	w.json(base+"registry.json", n.Registry)
	w.file(base+"httpsys.txt", w.netsh(n))
	var fw []obj
	for _, r := range n.Firewall {
		fw = append(fw, obj{{"DisplayName", r.DisplayName}, {"Enabled", r.Enabled}, {"Direction", r.Direction},
			{"Action", r.Action}, {"Protocol", r.Protocol}, {"LocalPort", r.LocalPort}})
	}
	w.json(base+"firewall.json", fw)
	if n.HasCluster && s.Cluster != nil {
		w.json(base+"cluster.json", clusterJSON(s.Cluster))
	}
	errs = append(errs, n.Errors...)
	if len(errs) > 0 {
		var eo []obj
		for _, e := range errs {
			eo = append(eo, obj{{"Artifact", e.Artifact}, {"Error", e.Error}})
		}
		w.json(base+"errors.json", eo)
	}
}

func (w *writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

func fileEntry(name string, data []byte, lastWrite time.Time) obj {
	sum := sha256.Sum256(data)
	return obj{{"Name", name}, {"Path", binn + name}, {"Size", len(data)},
		{"LastWriteUtc", rfc(lastWrite)}, {"Sha256", strings.ToUpper(hex.EncodeToString(sum[:]))}}
}

// configBytes renders a flat JSON config the way .NET's serializer with
// indentation writes it, optionally with a UTF-8 BOM and CRLF line endings.
func configBytes(o obj, bom, crlf bool) []byte {
	var b bytes.Buffer
	if bom {
		b.WriteString("\ufeff")
	}
	nl := "\n"
	if crlf {
		nl = "\r\n"
	}
	b.WriteString("{" + nl)
	for i, p := range o {
		v, err := json.Marshal(p.V)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(&b, "  %q: %s", p.K, v)
		if i < len(o)-1 {
			b.WriteByte(',')
		}
		b.WriteString(nl)
	}
	b.WriteString("}" + nl)
	return b.Bytes()
}

func clusterJSON(c *Cluster) obj {
	var nodes, groups, res []obj
	for _, n := range c.Nodes {
		nodes = append(nodes, obj{{"Name", n.Name}, {"State", n.State}})
	}
	for _, g := range c.Groups {
		groups = append(groups, obj{{"Name", g.Name}, {"State", g.State}, {"OwnerNode", g.OwnerNode}, {"GroupType", g.GroupType}})
	}
	for _, r := range c.Resources {
		p := r.Parameters
		if p == nil {
			p = map[string]any{}
		}
		res = append(res, obj{{"Name", r.Name}, {"ResourceType", r.ResourceType}, {"OwnerGroup", r.OwnerGroup},
			{"OwnerNode", r.OwnerNode}, {"State", r.State}, {"PossibleOwners", r.PossibleOwners}, {"Parameters", p}})
	}
	return obj{{"Name", c.Name}, {"Nodes", nodes}, {"Groups", groups}, {"Resources", res}}
}

// netsh renders `netsh http show sslcert` as Windows prints it (English,
// CRLF line endings).
func (w *writer) netsh(n *Node) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\r\n") }
	field := func(name, value string) {
		line(fmt.Sprintf("    %-29s: %s", name, value))
	}
	line("")
	line("SSL Certificate bindings:")
	line("-------------------------")
	line("")
	for _, bd := range n.Bindings {
		if bd.IPPort != "" {
			field("IP:port", bd.IPPort)
		} else {
			field("Hostname:port", bd.HostPort)
		}
		field("Certificate Hash", strings.ToLower(w.s.Thumb(bd.Cert)))
		field("Application ID", bd.AppID)
		store := bd.Store
		if store == "" {
			store = "(null)"
		}
		field("Certificate Store Name", store)
		line("    Verify Client Certificate Revocation : Enabled")
		line("    Verify Revocation Using Cached Client Certificate Only : Disabled")
		field("Usage Check", "Enabled")
		field("Revocation Freshness Time", "0")
		field("URL Retrieval Timeout", "0")
		field("Ctl Identifier", "(null)")
		field("Ctl Store Name", "(null)")
		field("DS Mapper Usage", "Disabled")
		field("Negotiate Client Certificate", "Disabled")
		field("Reject Connections", "Disabled")
		field("Disable HTTP2", "Not Set")
		field("Disable QUIC", "Not Set")
		field("Disable TLS1.2", "Not Set")
		field("Disable TLS1.3", "Not Set")
		field("Disable OCSP Stapling", "Not Set")
		field("Enable Token Binding", "Not Set")
		field("Log Extended Events", "Not Set")
		field("Disable Legacy TLS Versions", "Not Set")
		field("Enable Session Ticket", "Not Set")
		line("")
	}
	line("")
	return []byte(b.String())
}
