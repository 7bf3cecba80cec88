package nodebundle

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Document format: what a PowerShell fact script prints (one JSON document)
// for one node. The WinRM collector's collect-node.ps1 prints all of it; the
// local collector's PowerShell steps print the sections they cover. Binary
// values (file contents, certificate DER) are base64.
//
//	{"Format": "ssis-ha-lint-node", "Version": 1, "ComputerName": "SQLN1",
//	 "Host": {...host.json...}, "Services": [...services.json rows...],
//	 "Stores": [{"Location": "LocalMachine", "Store": "My",
//	             "Certs": [{"Der": "MIIB...", "HasPrivateKey": true, "FriendlyName": "", "PrivateKeyReaders": []}]}],
//	 "Files": [{"Name": "...", "Path": "...", "Size": 1, "LastWriteUtc": "...", "Sha256": "...", "Data": "base64"}],
//	 "Registry": {"HKLM\\...": {"Value": 0}}, "HttpSys": "netsh text",
//	 "Firewall": [...firewall.json rows...], "Cluster": {...cluster.json...} | null,
//	 "Errors": [{"Artifact": "cluster", "Error": "..."}]}
//
// A section that is absent or null was not collected. The decoder is lenient
// about Windows PowerShell 5.1's ConvertTo-Json habits: a one-element list
// may arrive as a bare object, enums as numbers, dates as "/Date(ms)/".
const (
	DocumentFormat  = "ssis-ha-lint-node"
	DocumentVersion = 1
)

type wireDoc struct {
	Format       string          `json:"Format"`
	Version      int             `json:"Version"`
	ComputerName string          `json:"ComputerName"`
	Host         json.RawMessage `json:"Host"`
	Services     json.RawMessage `json:"Services"`
	Stores       json.RawMessage `json:"Stores"`
	Files        json.RawMessage `json:"Files"`
	Registry     json.RawMessage `json:"Registry"`
	HTTPSys      json.RawMessage `json:"HttpSys"`
	Firewall     json.RawMessage `json:"Firewall"`
	Cluster      json.RawMessage `json:"Cluster"`
	Errors       json.RawMessage `json:"Errors"`
}

// DecodeDocument decodes a fact document. A section that cannot be decoded
// becomes an Errors entry for its artifact; only a document that is not a
// JSON object of this format is an error.
func DecodeDocument(data []byte) (*NodeArtifacts, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	data = bytes.TrimSpace(data)
	var w wireDoc
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("fact document is not valid JSON: %w", err)
	}
	if w.Format != DocumentFormat {
		return nil, fmt.Errorf("fact document format %q, want %q", w.Format, DocumentFormat)
	}
	if w.Version != DocumentVersion {
		return nil, fmt.Errorf("fact document version %d, this build reads %d", w.Version, DocumentVersion)
	}
	a := &NodeArtifacts{Name: strings.ToUpper(strings.TrimSpace(w.ComputerName))}
	if present(w.Errors) {
		var errs []ArtifactError
		if err := decodeList(w.Errors, &errs); err != nil {
			a.Fail("errors", err)
		}
		for _, e := range errs {
			if e.Artifact != "" {
				a.Errors = append(a.Errors, ArtifactError{Artifact: e.Artifact, Error: oneLine(e.Error)})
			}
		}
	}
	if present(w.Host) {
		a.Try(ArtifactHost, func() error { return decodeHost(w.Host, a) })
	}
	if present(w.Services) {
		a.Try(ArtifactServices, func() error { return decodeServices(w.Services, a) })
	}
	if present(w.Stores) {
		a.Try(ArtifactCerts, func() error { return decodeStores(w.Stores, a) })
	}
	if present(w.Files) {
		a.Try(ArtifactFiles, func() error { return decodeFiles(w.Files, a) })
	}
	if present(w.Registry) {
		a.Try(ArtifactRegistry, func() error {
			var reg map[string]map[string]any
			if err := json.Unmarshal(w.Registry, &reg); err != nil {
				return fmt.Errorf("registry section: %w", err)
			}
			if reg == nil {
				reg = map[string]map[string]any{}
			}
			for k, vals := range reg {
				if vals == nil {
					delete(reg, k)
				}
			}
			a.Registry = reg
			return nil
		})
	}
	if present(w.HTTPSys) {
		a.Try(ArtifactHTTPSys, func() error {
			var s string
			if err := json.Unmarshal(w.HTTPSys, &s); err != nil {
				return fmt.Errorf("httpsys section: %w", err)
			}
			a.HTTPSys = &s
			return nil
		})
	}
	if present(w.Firewall) {
		a.Try(ArtifactFirewall, func() error { return decodeFirewall(w.Firewall, a) })
	}
	if present(w.Cluster) {
		a.Try(ArtifactCluster, func() error { return decodeCluster(w.Cluster, a) })
	}
	if a.Name == "" && a.Host != nil {
		a.Name = strings.ToUpper(a.Host.ComputerName)
	}
	return a, nil
}

// Merge copies the sections of b that a lacks into a, and b's errors.
func (a *NodeArtifacts) Merge(b *NodeArtifacts) {
	if b == nil {
		return
	}
	if a.Host == nil {
		a.Host = b.Host
	}
	if a.Services == nil {
		a.Services = b.Services
	}
	a.Stores = append(a.Stores, b.Stores...)
	for _, f := range b.Files {
		a.AddFile(f)
	}
	for k, vals := range b.Registry {
		for n, v := range vals {
			a.SetRegistry(k, n, v)
		}
	}
	if a.HTTPSys == nil {
		a.HTTPSys = b.HTTPSys
	}
	if a.Firewall == nil {
		a.Firewall = b.Firewall
	}
	if a.Cluster == nil {
		a.Cluster = b.Cluster
	}
	a.Errors = append(a.Errors, b.Errors...)
}

func present(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// decodeList decodes a JSON array, or a single object as a one-element list.
func decodeList[T any](raw json.RawMessage, out *[]T) error {
	t := bytes.TrimSpace(raw)
	if !present(t) {
		*out = nil
		return nil
	}
	if t[0] == '[' {
		return json.Unmarshal(t, out)
	}
	var one T
	if err := json.Unmarshal(t, &one); err != nil {
		return err
	}
	*out = []T{one}
	return nil
}

// flex is a lenient scalar: string, number, bool or null.
type flex struct {
	raw json.RawMessage
}

func (f *flex) UnmarshalJSON(b []byte) error {
	f.raw = append(json.RawMessage(nil), b...)
	return nil
}

func (f flex) String() string {
	t := bytes.TrimSpace(f.raw)
	if !present(t) {
		return ""
	}
	var s string
	if json.Unmarshal(t, &s) == nil {
		return s
	}
	return string(t)
}

func (f flex) Int() int {
	s := f.String()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fl, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0
		}
		return int(fl)
	}
	return int(n)
}

func (f flex) Bool() bool {
	switch strings.ToLower(f.String()) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// Strings returns a list from a string, a list of strings, or null.
func (f flex) Strings() []string {
	t := bytes.TrimSpace(f.raw)
	if !present(t) {
		return nil
	}
	var list []flex
	if t[0] == '[' && json.Unmarshal(t, &list) == nil {
		out := []string{}
		for _, x := range list {
			if s := x.String(); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return []string{f.String()}
}

// Time returns RFC 3339 UTC from an ISO string or PowerShell's "/Date(ms)/".
func (f flex) Time() string {
	s := f.String()
	if s == "" {
		return ""
	}
	if strings.HasPrefix(s, "/Date(") {
		ms := strings.TrimSuffix(strings.TrimPrefix(s, "/Date("), ")/")
		if i := strings.IndexAny(ms[1:], "+-"); i >= 0 {
			ms = ms[:i+1]
		}
		n, err := strconv.ParseInt(ms, 10, 64)
		if err != nil {
			return s
		}
		return time.UnixMilli(n).UTC().Format(time.RFC3339Nano)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return s
}

// enum maps PowerShell 5.1's numeric enum output back to names.
func enum(f flex, names map[int]string) string {
	s := f.String()
	if n, err := strconv.Atoi(s); err == nil {
		if v, ok := names[n]; ok {
			return v
		}
	}
	return s
}

func decodeHost(raw json.RawMessage, a *NodeArtifacts) error {
	var h struct {
		ComputerName, DNSHostName, Domain, PartOfDomain, Caption, Version, CollectedUtc flex
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return fmt.Errorf("host section: %w", err)
	}
	a.Host = &Host{ComputerName: h.ComputerName.String(), DNSHostName: h.DNSHostName.String(), Domain: h.Domain.String(),
		PartOfDomain: h.PartOfDomain.Bool(), Caption: h.Caption.String(), Version: h.Version.String(), CollectedUtc: h.CollectedUtc.Time()}
	return nil
}

func decodeServices(raw json.RawMessage, a *NodeArtifacts) error {
	var rows []struct {
		Name, DisplayName, StartName, StartMode, State, ProcessId, PathName, ProcessStartUtc flex
	}
	if err := decodeList(raw, &rows); err != nil {
		return fmt.Errorf("services section: %w", err)
	}
	out := []Service{}
	for _, r := range rows {
		s := Service{Name: r.Name.String(), DisplayName: r.DisplayName.String(), StartName: r.StartName.String(),
			StartMode: r.StartMode.String(), State: r.State.String(), ProcessID: r.ProcessId.Int(), PathName: r.PathName.String()}
		if t := r.ProcessStartUtc.Time(); t != "" {
			s.ProcessStartUtc = &t
		}
		if s.Name != "" {
			out = append(out, s)
		}
	}
	a.Services = FilterServices(out)
	return nil
}

func decodeStores(raw json.RawMessage, a *NodeArtifacts) error {
	var stores []struct {
		Location, Store flex
		Certs           json.RawMessage
	}
	if err := decodeList(raw, &stores); err != nil {
		return fmt.Errorf("stores section: %w", err)
	}
	for _, st := range stores {
		cs := CertStore{Location: st.Location.String(), Store: st.Store.String()}
		var certs []struct {
			Der, HasPrivateKey, FriendlyName, PrivateKeyReaders flex
		}
		if err := decodeList(st.Certs, &certs); err != nil {
			a.Fail(ArtifactCerts+"/"+cs.Location+"/"+cs.Store, fmt.Errorf("certificates: %w", err))
			continue
		}
		bad := 0
		for _, c := range certs {
			der, err := base64.StdEncoding.DecodeString(c.Der.String())
			if err != nil || len(der) == 0 {
				bad++
				continue
			}
			cs.Certs = append(cs.Certs, Cert{DER: der, HasPrivateKey: c.HasPrivateKey.Bool(), FriendlyName: c.FriendlyName.String(), PrivateKeyReaders: c.PrivateKeyReaders.Strings()})
		}
		if bad > 0 {
			a.Fail(ArtifactCerts+"/"+cs.Location+"/"+cs.Store, fmt.Errorf("%d certificate(s) without valid base64 DER", bad))
		}
		a.Stores = append(a.Stores, cs)
	}
	return nil
}

func decodeFiles(raw json.RawMessage, a *NodeArtifacts) error {
	var files []struct {
		Name, Path, Size, LastWriteUtc, Sha256, Data flex
	}
	if err := decodeList(raw, &files); err != nil {
		return fmt.Errorf("files section: %w", err)
	}
	if a.Files == nil {
		a.Files = []File{}
	}
	for _, f := range files {
		data, err := base64.StdEncoding.DecodeString(f.Data.String())
		if err != nil {
			a.Fail(ArtifactFiles+"/"+f.Name.String(), fmt.Errorf("file data is not base64: %w", err))
			continue
		}
		nf := NewFile(f.Name.String(), f.Path.String(), data, time.Time{})
		nf.LastWriteUtc = f.LastWriteUtc.Time()
		if want := strings.ToUpper(f.Sha256.String()); want != "" && want != nf.Sha256 {
			a.Fail(ArtifactFiles+"/"+nf.Name, fmt.Errorf("SHA-256 mismatch: the node reported %s, the data hashes to %s", want, nf.Sha256))
		}
		if nf.Name == "" {
			a.Fail(ArtifactFiles, errors.New("a file without a name"))
			continue
		}
		a.AddFile(nf)
	}
	return nil
}

var (
	fwEnabled   = map[int]string{1: "True", 2: "False"}
	fwDirection = map[int]string{1: "Inbound", 2: "Outbound"}
	fwAction    = map[int]string{0: "NotConfigured", 2: "Allow", 4: "Block"}
)

func decodeFirewall(raw json.RawMessage, a *NodeArtifacts) error {
	var rows []struct {
		DisplayName, Enabled, Direction, Action, Protocol, LocalPort flex
	}
	if err := decodeList(raw, &rows); err != nil {
		return fmt.Errorf("firewall section: %w", err)
	}
	out := []FirewallRule{}
	for _, r := range rows {
		ports := r.LocalPort.Strings()
		if ports == nil {
			ports = []string{}
		}
		out = append(out, FirewallRule{DisplayName: r.DisplayName.String(), Enabled: strings.EqualFold(enum(r.Enabled, fwEnabled), "True"),
			Direction: enum(r.Direction, fwDirection), Action: enum(r.Action, fwAction), Protocol: r.Protocol.String(), LocalPort: ports})
	}
	a.Firewall = out
	return nil
}

var (
	clusterNodeState     = map[int]string{-1: "Unknown", 0: "Up", 1: "Down", 2: "Paused", 3: "Joining"}
	clusterGroupState    = map[int]string{-1: "Unknown", 0: "Online", 1: "Offline", 2: "Failed", 3: "PartialOnline", 4: "Pending"}
	clusterResourceState = map[int]string{-1: "Unknown", 0: "Inherited", 1: "Initializing", 2: "Online", 3: "Offline", 4: "Failed", 128: "Pending", 129: "OnlinePending", 130: "OfflinePending"}
	clusterGroupType     = map[int]string{1: "Cluster", 2: "AvailableStorage", 4: "Temporary", 5: "ClusterSharedVolume", 6: "ClusterStoragePool", 100: "FileServer", 101: "PrintServer", 102: "DhcpServer", 103: "Dtc", 104: "Msmq", 105: "Wins", 106: "StandAloneDfs", 107: "GenericApplication", 108: "GenericService", 109: "GenericScript", 110: "IScsiNameService", 111: "VirtualMachine", 112: "TsSessionBroker", 113: "IScsiTarget", 114: "ScaleoutFileServer", 115: "VMReplicaBroker", 116: "TaskScheduler", 117: "ClusterUpdateAgent", 118: "ScaleoutCluster", 119: "StorageReplica", 120: "VMReplicaCoordinator", 121: "ISnsClientService", 122: "ClusterSetControllerRole", 9999: "Unknown"}
)

func decodeCluster(raw json.RawMessage, a *NodeArtifacts) error {
	var c struct {
		Name                     flex
		Nodes, Groups, Resources json.RawMessage
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("cluster section: %w", err)
	}
	out := &Cluster{Name: c.Name.String(), Nodes: []ClusterNode{}, Groups: []ClusterGroup{}, Resources: []ClusterResource{}}
	var nodes []struct{ Name, State flex }
	if err := decodeList(c.Nodes, &nodes); err != nil {
		return fmt.Errorf("cluster nodes: %w", err)
	}
	for _, n := range nodes {
		out.Nodes = append(out.Nodes, ClusterNode{Name: n.Name.String(), State: enum(n.State, clusterNodeState)})
	}
	var groups []struct{ Name, State, OwnerNode, GroupType flex }
	if err := decodeList(c.Groups, &groups); err != nil {
		return fmt.Errorf("cluster groups: %w", err)
	}
	for _, g := range groups {
		out.Groups = append(out.Groups, ClusterGroup{Name: g.Name.String(), State: enum(g.State, clusterGroupState), OwnerNode: g.OwnerNode.String(), GroupType: enum(g.GroupType, clusterGroupType)})
	}
	var res []struct {
		Name, ResourceType, OwnerGroup, OwnerNode, State, PossibleOwners flex
		Parameters                                                       map[string]any
	}
	if err := decodeList(c.Resources, &res); err != nil {
		return fmt.Errorf("cluster resources: %w", err)
	}
	for _, r := range res {
		out.Resources = append(out.Resources, ClusterResource{Name: r.Name.String(), ResourceType: r.ResourceType.String(), OwnerGroup: r.OwnerGroup.String(),
			OwnerNode: r.OwnerNode.String(), State: enum(r.State, clusterResourceState), PossibleOwners: r.PossibleOwners.Strings(), Parameters: r.Parameters})
	}
	a.Cluster = out
	return nil
}
