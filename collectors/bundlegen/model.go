// Package bundlegen writes realistic, deterministic evidence bundles
// (shared/spec/bundle.md) for tests: a model of a deployment (Spec), healthy
// constructors for the AG and FCI variants, small mutations that introduce
// one documented mistake each, and Write, which renders a Spec as a bundle
// directory. The example bundles under testdata/bundles are written by this
// package (go test ./collectors/bundlegen -run TestTestdata -update).
//
// Everything is deterministic: certificates are real X.509 DER signed with
// Ed25519 keys derived from a name (ed25519.NewKeyFromSeed(sha256(name))),
// with fixed serials and dates; all times derive from Spec.Created.
package bundlegen

import "time"

// CreatedUTC is the collection time of every example bundle.
var CreatedUTC = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// Spec is a model of one SSIS Scale Out HA deployment and of what a collector
// saw of it.
type Spec struct {
	Name    string // deployment name (bundle.json deployment.name)
	Variant string // "ag" or "fci"
	Created time.Time

	Domain        string // contoso.com
	NetBIOSDomain string // CONTOSO

	// Declared values (bundle.json deployment block).
	MasterDNS       string // ssismaster.contoso.com
	MasterPort      int    // 8391
	Listener        string // "aglsn.contoso.com,1433" (ag only)
	ScaleOutVersion string // "150"

	// Certs are the certificate definitions, by key; nodes refer to them.
	Certs map[string]*CertSpec

	Nodes   []*Node
	Cluster *Cluster // written as cluster.json on every node with Node.HasCluster
	SQL     *SQLState
}

// Node is one machine.
type Node struct {
	Name         string
	Roles        []string
	Collected    bool
	CollectError string

	DNSHostName string
	IP          string
	Caption     string
	OSVersion   string

	Services []Service
	// Certs placed in stores. A store listed in CertErrors is not written.
	Certs []StoreCert
	// CertErrors maps an artifact ("certs/LocalMachine/My") to the error
	// the collector met; those stores are not written and the error goes to
	// errors.json.
	CertErrors map[string]string

	Master *MasterConfig
	Worker *WorkerConfig

	Registry map[string]map[string]any
	Bindings []Binding
	Firewall []FirewallRule
	// HasCluster writes Spec.Cluster as this node's cluster.json.
	HasCluster bool
	// Errors are extra errors.json entries.
	Errors []ArtifactError
}

// Service is one Win32_Service row.
type Service struct {
	Name        string
	DisplayName string
	StartName   string
	StartMode   string // Auto, Manual, Disabled
	State       string // Running, Stopped
	ProcessID   int
	PathName    string
	// ProcessStart is zero for a stopped service (written as null).
	ProcessStart time.Time
}

// StoreCert places a certificate in a store of a node.
type StoreCert struct {
	Cert          string // key in Spec.Certs
	Location      string // LocalMachine
	Store         string // My, Root
	HasPrivateKey bool
	FriendlyName  string
	Readers       []string // PrivateKeyReaders; nil = not written
}

// MasterConfig is MasterSettings.config.
type MasterConfig struct {
	PortNumber    int
	Cert          string // key in Spec.Certs: SSLCertThumbprint
	SqlServerName string
	CleanupMs     int
	ExpiredMs     int
	HeartbeatMs   int
	SQLTimeoutSec int

	BOM       bool
	CRLF      bool
	Raw       []byte // when set, written verbatim instead of the JSON
	LastWrite time.Time
}

// WorkerConfig is WorkerSettings.config.
type WorkerConfig struct {
	MasterEndpoint string
	MasterCert     string // key in Spec.Certs: MasterHttpsCertThumbprint
	WorkerCert     string // key in Spec.Certs: WorkerHttpsCertThumbprint
	StoreLocation  string
	StoreName      string
	AgentID        string // written as is (.NET writes lower case)
	AgentHeartbeat string // "00:01:00"

	BOM       bool
	CRLF      bool
	Raw       []byte
	LastWrite time.Time
}

// Binding is one HTTP.SYS SSL binding.
type Binding struct {
	IPPort   string // "0.0.0.0:8391"; empty when HostPort is set
	HostPort string // "sqln1.contoso.com:443"
	Cert     string // key in Spec.Certs
	AppID    string // "{...}"
	Store    string // "Root", "My", "" (printed as (null))
}

// FirewallRule is one firewall.json row.
type FirewallRule struct {
	DisplayName string
	Enabled     bool
	Direction   string
	Action      string
	Protocol    string
	LocalPort   []string
}

// ArtifactError is one errors.json row.
type ArtifactError struct {
	Artifact string
	Error    string
}

// Cluster is the WSFC (cluster.json).
type Cluster struct {
	Name      string
	Nodes     []ClusterNode
	Groups    []ClusterGroup
	Resources []ClusterResource
}

// ClusterNode is a WSFC node.
type ClusterNode struct{ Name, State string }

// ClusterGroup is a WSFC role.
type ClusterGroup struct{ Name, State, OwnerNode, GroupType string }

// ClusterResource is a WSFC resource.
type ClusterResource struct {
	Name           string
	ResourceType   string
	OwnerGroup     string
	OwnerNode      string
	State          string
	PossibleOwners []string
	Parameters     map[string]any
}

// SQLState is what the SQL collector saw.
type SQLState struct {
	Instances []*SQLInstance
	AG        *AG // nil for fci: the ag_* queries return no rows
	Catalog   *Catalog
	// Primary is the ServerName of the instance that answered the SSISDB
	// queries.
	Primary string
}

// AG is the availability group that holds SSISDB.
type AG struct {
	Name         string
	GroupID      string
	ListenerDNS  string // as sys.availability_group_listeners stores it: "aglsn"
	ListenerPort int
	ListenerIPs  []string
	Replicas     []AGReplica
	// NoSSISDB: SSISDB is not one of the AG's databases (ag_ssisdb and
	// ssisdb_replica_states return no rows).
	NoSSISDB bool
}

// AGReplica is one availability replica.
type AGReplica struct {
	Server      string
	EndpointURL string
	Mode        string // SYNCHRONOUS_COMMIT
	Failover    string // AUTOMATIC
	SyncState   string // SYNCHRONIZED
	SyncHealth  string // HEALTHY
	DBState     string // ONLINE
}

// SQLInstance is one SQL Server instance (a replica).
type SQLInstance struct {
	ServerName     string // SERVERPROPERTY('ServerName')
	Node           string // ComputerNamePhysicalNetBIOS
	MachineName    string
	InstanceName   string // "" = default instance (null)
	ProductVersion string
	Major          string
	HadrEnabled    int
	IntegratedOnly int
	Clustered      int

	Logins        []Login
	LogLogin      *SQLLogin // sql_logins row; nil = no row
	CLREnabled    int
	StartupProc   *bool // nil = sp_ssis_startup does not exist
	HasSSISDB     bool
	DMKBySMK      bool
	SSISDBReplica string // replica_id, "" = null
	SSISDBState   string // state_desc, "" = ONLINE
	LastBackup    time.Time
	// PasswordMatches is logdb_password_check's value; nil = not run.
	PasswordMatches *int
	// PasswordCheckNoRow writes logdb_password_check with zero rows (the
	// logging login does not exist on this instance); PasswordMatches is
	// ignored.
	PasswordCheckNoRow bool
	// QueryErrors maps a query id to the error SQL Server returned: the
	// result set is written with "rows": null and that "error".
	QueryErrors map[string]string
}

// Login is a sys.server_principals row.
type Login struct {
	Name     string
	SID      string // 0x...
	Type     string
	Disabled bool
}

// SQLLogin is the logging login's sys.sql_logins row.
type SQLLogin struct {
	PolicyChecked     bool
	ExpirationChecked bool
	Expired           int
	Locked            int
	PasswordLastSet   time.Time
}

// Catalog is the SSISDB state read on the primary.
type Catalog struct {
	ScaleOutEnabled   bool
	MasterAddress     string
	LogDBServer       string
	MachineName       string
	MachineIP         string
	MasterServicePort int
	Cert              string // key in Spec.Certs: SSLCERT_THUMBPRINT
	HeartbeatMs       int
	LastOnline        time.Time
	SchemaVersion     string
	SchemaBuild       string
	DefaultExecMode   string
	Workers           []WorkerAgent
	AlwaysOnReplicas  []string
	Principals        []DBPrincipal
	// LogConnString is the redacted logging connection string; "" = the
	// opt-in query was not run.
	LogConnString    string
	ActiveExecutions int
}

// WorkerAgent is a catalog.worker_agents row.
type WorkerAgent struct {
	ID          string
	Enabled     bool
	DisplayName string
	MachineName string
	UserAccount string
	LastOnline  time.Time
}

// DBPrincipal is an ssisdb_principals row.
type DBPrincipal struct {
	Name, SID, Type, Role string // Role "" = null
}

// NodeByName returns the node with that name, or nil.
func (s *Spec) NodeByName(name string) *Node {
	for _, n := range s.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Service returns the node's service with that name, or nil.
func (n *Node) Service(name string) *Service {
	for i := range n.Services {
		if n.Services[i].Name == name {
			return &n.Services[i]
		}
	}
	return nil
}

// HasRole tells whether the node has the role.
func (n *Node) HasRole(role string) bool {
	for _, r := range n.Roles {
		if r == role {
			return true
		}
	}
	return false
}
