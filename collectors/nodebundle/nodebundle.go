// Package nodebundle holds one node's collected artifacts in the shapes of
// the evidence bundle (shared/spec/bundle.md, "Node artifacts") and writes
// them as nodes/<NODE>/... of a bundle directory. The local Windows collector
// (collectors/windows) and the WinRM collector (collectors/winrm) both fill a
// NodeArtifacts and call WriteNode, so their bundles cannot drift apart.
//
// The "collected or not" convention: an artifact whose field is nil was not
// collected (and should then have an Errors entry saying why); a non-nil
// empty value was collected and is empty (services.json is "[]").
package nodebundle

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Artifact names used in errors.json (and in facts' Missing maps).
const (
	ArtifactHost     = "host"
	ArtifactServices = "services"
	ArtifactCerts    = "certs" // or "certs/<Location>/<Store>"
	ArtifactFiles    = "files" // or "files/<Name>"
	ArtifactRegistry = "registry"
	ArtifactHTTPSys  = "httpsys"
	ArtifactFirewall = "firewall"
	ArtifactCluster  = "cluster"
)

// Registry keys the collectors read.
const (
	SchannelKey = `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL`
	// SQLServerKey is the parent of the <VER>\DTS\Setup\SQL_IS_Master and
	// SQL_IS_Worker keys.
	SQLServerKey = `HKLM\SOFTWARE\Microsoft\Microsoft SQL Server`
)

// SchannelValues are the SCHANNEL values collected.
var SchannelValues = []string{"SendTrustedIssuerList", "ClientAuthTrustMode"}

// SetupKey returns HKLM\SOFTWARE\Microsoft\Microsoft SQL Server\<ver>\DTS\Setup\<feature>
// (feature is SQL_IS_Master or SQL_IS_Worker).
func SetupKey(ver, feature string) string {
	return SQLServerKey + `\` + ver + `\DTS\Setup\` + feature
}

// ServicePatterns are the service name patterns collected ('*' = any suffix),
// matched case-insensitively.
var ServicePatterns = []string{"SSISScaleOutMaster*", "SSISScaleOutWorker*", "MsDtsServer*", "MSSQLSERVER", "MSSQL$*", "ClusSvc", "RemoteRegistry"}

// MatchService reports whether a service name is one the collectors keep.
func MatchService(name string) bool {
	ln := strings.ToLower(name)
	for _, p := range ServicePatterns {
		lp := strings.ToLower(p)
		if strings.HasSuffix(lp, "*") {
			if strings.HasPrefix(ln, strings.TrimSuffix(lp, "*")) {
				return true
			}
		} else if ln == lp {
			return true
		}
	}
	return false
}

// ConfigFileNames are the files copied from every ...\<VER>\DTS\Binn.
var ConfigFileNames = []string{"MasterSettings.config", "WorkerSettings.config"}

// NodeArtifacts is everything collected on one node.
type NodeArtifacts struct {
	// Name is the computer name; WriteNode upper-cases it.
	Name string

	Host     *Host
	Services []Service
	// Stores are the certificate stores read (a store listed here was read;
	// one that failed is in Errors instead).
	Stores   []CertStore
	Files    []File
	Registry map[string]map[string]any
	// HTTPSys is the text of `netsh http show sslcert`.
	HTTPSys  *string
	Firewall []FirewallRule
	// Cluster is nil when the node is no cluster member or it failed (see Errors).
	Cluster *Cluster

	Errors []ArtifactError
}

// Host is host.json (Win32_ComputerSystem / Win32_OperatingSystem names).
type Host struct {
	ComputerName string `json:"ComputerName"`
	DNSHostName  string `json:"DNSHostName"`
	Domain       string `json:"Domain"`
	PartOfDomain bool   `json:"PartOfDomain"`
	Caption      string `json:"Caption"`
	Version      string `json:"Version"`
	CollectedUtc string `json:"CollectedUtc"`
}

// Service is one Win32_Service row.
type Service struct {
	Name        string `json:"Name"`
	DisplayName string `json:"DisplayName"`
	StartName   string `json:"StartName"`
	// StartMode is Auto, Manual, Disabled, Boot or System (Win32_Service names).
	StartMode string `json:"StartMode"`
	// State is Stopped, Start Pending, Stop Pending, Running, Continue
	// Pending, Pause Pending, Paused or Unknown.
	State     string `json:"State"`
	ProcessID int    `json:"ProcessId"`
	PathName  string `json:"PathName"`
	// ProcessStartUtc is RFC 3339, null when the service has no process.
	ProcessStartUtc *string `json:"ProcessStartUtc"`
}

// CertStore is one certificate store that was read.
type CertStore struct {
	Location string // LocalMachine or CurrentUser
	Store    string // My, Root, CA, ...
	Certs    []Cert
}

// Cert is one certificate of a store: its DER and the sidecar facts. Never
// any key material.
type Cert struct {
	// DER is the certificate; the thumbprint (file name) is computed from it.
	DER               []byte
	HasPrivateKey     bool
	FriendlyName      string
	PrivateKeyReaders []string
}

// Thumbprint is the upper-case hex SHA-1 of the DER.
func (c Cert) Thumbprint() string {
	sum := sha1.Sum(c.DER)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// Sidecar is the certs/.../<THUMBPRINT>.json document.
type Sidecar struct {
	Store             string   `json:"Store"`
	HasPrivateKey     bool     `json:"HasPrivateKey"`
	FriendlyName      string   `json:"FriendlyName"`
	PrivateKeyReaders []string `json:"PrivateKeyReaders,omitempty"`
}

// File is one copied file; Data is written byte for byte to files/<Name>.
type File struct {
	Name         string `json:"Name"`
	Path         string `json:"Path"`
	Size         int64  `json:"Size"`
	LastWriteUtc string `json:"LastWriteUtc"`
	Sha256       string `json:"Sha256"`
	Data         []byte `json:"-"`
}

// NewFile describes data read from path (Name, Size and Sha256 are computed).
func NewFile(name, path string, data []byte, lastWrite time.Time) File {
	sum := sha256.Sum256(data)
	f := File{Name: name, Path: path, Size: int64(len(data)), Sha256: strings.ToUpper(hex.EncodeToString(sum[:])), Data: data}
	if !lastWrite.IsZero() {
		f.LastWriteUtc = lastWrite.UTC().Format(time.RFC3339Nano)
	}
	return f
}

// FirewallRule is one firewall.json row.
type FirewallRule struct {
	DisplayName string   `json:"DisplayName"`
	Enabled     bool     `json:"Enabled"`
	Direction   string   `json:"Direction"`
	Action      string   `json:"Action"`
	Protocol    string   `json:"Protocol"`
	LocalPort   []string `json:"LocalPort"`
}

// Cluster is cluster.json.
type Cluster struct {
	Name      string            `json:"Name"`
	Nodes     []ClusterNode     `json:"Nodes"`
	Groups    []ClusterGroup    `json:"Groups"`
	Resources []ClusterResource `json:"Resources"`
}

// ClusterNode is one WSFC node.
type ClusterNode struct {
	Name  string `json:"Name"`
	State string `json:"State"`
}

// ClusterGroup is one WSFC group (role).
type ClusterGroup struct {
	Name      string `json:"Name"`
	State     string `json:"State"`
	OwnerNode string `json:"OwnerNode"`
	GroupType string `json:"GroupType"`
}

// ClusterResource is one WSFC resource with its private parameters.
type ClusterResource struct {
	Name           string         `json:"Name"`
	ResourceType   string         `json:"ResourceType"`
	OwnerGroup     string         `json:"OwnerGroup"`
	OwnerNode      string         `json:"OwnerNode"`
	State          string         `json:"State"`
	PossibleOwners []string       `json:"PossibleOwners,omitempty"`
	Parameters     map[string]any `json:"Parameters,omitempty"`
}

// ArtifactError is one errors.json row.
type ArtifactError struct {
	Artifact string `json:"Artifact"`
	Error    string `json:"Error"`
}

// Fail records that an artifact could not be collected.
func (a *NodeArtifacts) Fail(artifact string, err error) {
	if err == nil {
		return
	}
	a.Errors = append(a.Errors, ArtifactError{Artifact: artifact, Error: oneLine(err.Error())})
}

// Try runs one collection step and records its error, or a panic, against
// artifact; collection goes on either way.
func (a *NodeArtifacts) Try(artifact string, step func() error) {
	defer func() {
		if r := recover(); r != nil {
			a.Fail(artifact, fmt.Errorf("collector panic: %v", r))
		}
	}()
	a.Fail(artifact, step())
}

// SetRegistry records one registry value (key in HKLM\... form).
func (a *NodeArtifacts) SetRegistry(key, value string, v any) {
	if a.Registry == nil {
		a.Registry = map[string]map[string]any{}
	}
	if a.Registry[key] == nil {
		a.Registry[key] = map[string]any{}
	}
	a.Registry[key][value] = v
}

// AddFile adds a copied file. When a file of that name is already there (the
// same config in two version folders), the one from the higher version
// folder keeps the plain name and the other is named <base>.<VER><ext>; the
// Path in files.json always tells where it came from.
func (a *NodeArtifacts) AddFile(f File) {
	for i := range a.Files {
		if !strings.EqualFold(a.Files[i].Name, f.Name) {
			continue
		}
		old := &a.Files[i]
		if VersionFolder(f.Path) > VersionFolder(old.Path) {
			old.Name = versionedName(old.Name, VersionFolder(old.Path))
		} else {
			f.Name = versionedName(f.Name, VersionFolder(f.Path))
		}
		break
	}
	a.Files = append(a.Files, f)
}

func versionedName(name, ver string) string {
	if ver == "" {
		ver = "other"
	}
	if i := strings.LastIndex(name, "."); i > 0 {
		return name[:i] + "." + ver + name[i:]
	}
	return name + "." + ver
}

// VersionFolder returns the <VER> of a ...\Microsoft SQL Server\<VER>\... path ("" if none).
func VersionFolder(path string) string {
	parts := strings.FieldsFunc(path, func(r rune) bool { return r == '\\' || r == '/' })
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "Microsoft SQL Server") && IsVersionDir(parts[i+1]) {
			return parts[i+1]
		}
	}
	return ""
}

// IsVersionDir reports whether a directory name is a SQL Server version
// folder (three digits such as 130, 140, 150, 160).
func IsVersionDir(name string) bool {
	if len(name) != 3 {
		return false
	}
	for _, r := range name {
		if r < '0' || r > '9' {
			return false
		}
	}
	return name >= "100"
}

// FilterServices keeps the services MatchService accepts, sorted by name.
func FilterServices(all []Service) []Service {
	out := []Service{}
	for _, s := range all {
		if MatchService(s.Name) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// StartModeName maps a SERVICE_*_START value to Win32_Service.StartMode.
func StartModeName(startType uint32) string {
	switch startType {
	case 0:
		return "Boot"
	case 1:
		return "System"
	case 2:
		return "Auto"
	case 3:
		return "Manual"
	case 4:
		return "Disabled"
	}
	return "Unknown"
}

// StateName maps a SERVICE_* current state to Win32_Service.State.
func StateName(state uint32) string {
	switch state {
	case 1:
		return "Stopped"
	case 2:
		return "Start Pending"
	case 3:
		return "Stop Pending"
	case 4:
		return "Running"
	case 5:
		return "Continue Pending"
	case 6:
		return "Pause Pending"
	case 7:
		return "Paused"
	}
	return "Unknown"
}

// ValidNodeName reports whether name can be a <NODE> directory.
func ValidNodeName(name string) error {
	if name == "" {
		return errors.New("empty node name")
	}
	if len(name) > 63 || strings.ContainsAny(name, `\/:*?"<>| `) || name == "." || name == ".." || strings.HasPrefix(name, ".") {
		return fmt.Errorf("bad node name %q", name)
	}
	return nil
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return s
}
