// Package facts turns an evidence bundle into the one facts document that the
// Rego policies read. Every fact that could not be collected is recorded as
// absent with a reason (the Missing maps), so that a rule can report
// "unknown" instead of passing.
//
// JSON names: derived facts use snake_case; values copied from a source keep
// the source's own names (MasterSettings.config keys, cluster.json, SQL
// column names).
package facts

// SchemaVersion is the version of the facts document layout.
const SchemaVersion = 1

// Document is the normalized facts of one deployment.
type Document struct {
	SchemaVersion int                  `json:"schema_version"`
	Bundle        BundleInfo           `json:"bundle"`
	Deployment    Deployment           `json:"deployment"`
	Nodes         map[string]*Node     `json:"nodes"`
	Cluster       *Cluster             `json:"cluster"`
	SQL           map[string]*Instance `json:"sql"`
	// Missing lists deployment-level facts that are absent, keyed by fact
	// ("cluster", "sql"), with the reason.
	Missing map[string]string `json:"missing"`
	// Warnings are notes on the evidence that do not make a fact absent (a
	// certificate file named with another thumbprint, a folder the
	// manifest does not list).
	Warnings []string `json:"warnings"`
}

// BundleInfo describes the evidence the facts came from.
type BundleInfo struct {
	Path          string `json:"path"`
	FormatVersion int    `json:"format_version"`
	CreatedUTC    string `json:"created_utc"`
	// CreatedNS is CreatedUTC in Unix nanoseconds: time-based rules compare
	// with it, never with the wall clock.
	CreatedNS   int64  `json:"created_ns"`
	ToolVersion string `json:"tool_version"`
}

// Deployment holds what the operator declared and what was derived from the
// facts, once, so that every rule uses the same values.
type Deployment struct {
	Name     string   `json:"name"`
	Variant  string   `json:"variant"`
	Declared Declared `json:"declared"`

	// MasterDNS is the master's DNS host name: declared, or the master
	// role's client access point (with the nodes' domain).
	MasterDNS       string `json:"master_dns"`
	MasterDNSSource string `json:"master_dns_source"`
	// MasterPort: declared, or the PortNumber all master nodes agree on.
	MasterPort       int    `json:"master_port"`
	MasterPortSource string `json:"master_port_source"`
	// Listener: declared, or the SSISDB AG listener from the AG DMVs.
	Listener *Endpoint `json:"listener"`
	// Domain is the AD domain of the master nodes (first one found).
	Domain string `json:"domain"`

	MasterNodes  []string `json:"master_nodes"`
	WorkerNodes  []string `json:"worker_nodes"`
	ReplicaNodes []string `json:"replica_nodes"`

	// MasterVersion is the {VER} of the master service (150, 160...):
	// declared scale_out_version, or the suffix of SSISScaleOutMaster<VER>.
	MasterVersion string `json:"master_version"`
	// ActiveMasterNode owns the master cluster resource (or runs the master
	// service when there is no cluster fact).
	ActiveMasterNode string `json:"active_master_node"`
	// MasterThumbprint is the reference master certificate: the active
	// node's SSLCertThumbprint, else the value all master nodes agree on,
	// else the first master node's.
	MasterThumbprint       string `json:"master_thumbprint"`
	MasterThumbprintSource string `json:"master_thumbprint_source"`
	// PrimaryInstance is the SQL instance that answered the SSISDB queries.
	PrimaryInstance string `json:"primary_instance"`
}

// Declared is bundle.json's deployment block as written.
type Declared struct {
	MasterDNS       string `json:"master_dns,omitempty"`
	MasterPort      int    `json:"master_port,omitempty"`
	Listener        string `json:"listener,omitempty"`
	ScaleOutVersion string `json:"scale_out_version,omitempty"`
}

// Endpoint is a parsed host[,port] / host[:port] / host[\instance] value.
type Endpoint struct {
	Raw      string `json:"raw"`
	Host     string `json:"host"`
	Instance string `json:"instance"`
	Port     int    `json:"port"`
	// HasPort tells whether the port was written (a missing port means 1433).
	HasPort bool   `json:"has_port"`
	Source  string `json:"source,omitempty"`
}

// Node is one machine of the deployment.
type Node struct {
	Name      string   `json:"name"`
	Roles     []string `json:"roles"`
	Collected bool     `json:"collected"`
	Error     string   `json:"error"`
	// Missing maps an artifact ("host", "services", "certs",
	// "certs/LocalMachine/Root", "files", "files/MasterSettings.config",
	// "registry", "httpsys", "firewall", "cluster") to why it is absent.
	Missing map[string]string `json:"missing"`

	Host     *Host               `json:"host"`
	Services map[string]*Service `json:"services"`
	// ServiceKinds indexes Services by kind: each kind that has a service
	// on the node (Service.Kind, exactly as written there) -> the names of
	// its services, sorted (byte order, as Rego's sort). Derived from
	// Services alone, so that a policy finds a node's worker service
	// without scanning them all. Added after schema_version 1 was
	// released: facts written before it, or by hand, may lack it, and a
	// policy then reads Services.
	ServiceKinds map[string][]string `json:"service_kinds"`
	// Certs maps "LocalMachine/Root" style store paths to certificates by
	// upper-case thumbprint. Stores collected but empty are empty maps.
	Certs    map[string]map[string]*Cert `json:"certs"`
	Configs  Configs                     `json:"configs"`
	Registry map[string]map[string]any   `json:"registry"`
	HTTPSys  *HTTPSys                    `json:"httpsys"`
	Firewall []FirewallRule              `json:"firewall"`
}

// Host is host.json.
type Host struct {
	ComputerName string `json:"ComputerName"`
	DNSHostName  string `json:"DNSHostName"`
	Domain       string `json:"Domain"`
	PartOfDomain bool   `json:"PartOfDomain"`
	Caption      string `json:"Caption"`
	Version      string `json:"Version"`
	FQDN         string `json:"fqdn"`
}

// Service is one Win32_Service row, with derived fields.
type Service struct {
	Name            string `json:"Name"`
	DisplayName     string `json:"DisplayName"`
	StartName       string `json:"StartName"`
	StartMode       string `json:"StartMode"`
	State           string `json:"State"`
	ProcessID       int    `json:"ProcessId"`
	PathName        string `json:"PathName"`
	ProcessStartUTC string `json:"ProcessStartUtc"`
	ProcessStartNS  int64  `json:"process_start_ns"`
	// Kind is master, worker, sql, ssis, cluster or other.
	Kind string `json:"kind"`
	// Version is the {VER} suffix of SSISScaleOutMaster<VER> /
	// SSISScaleOutWorker<VER> / MsDtsServer<VER>.
	Version string `json:"version"`
}

// Cert is a parsed certificate of one store.
type Cert struct {
	Thumbprint         string   `json:"thumbprint"`
	Store              string   `json:"store"`
	Artifact           string   `json:"artifact"`
	Subject            string   `json:"subject"`
	Issuer             string   `json:"issuer"`
	CNs                []string `json:"cns"`
	SANDNS             []string `json:"san_dns"`
	SelfSigned         bool     `json:"self_signed"`
	NotBefore          string   `json:"not_before"`
	NotAfter           string   `json:"not_after"`
	NotBeforeNS        int64    `json:"not_before_ns"`
	NotAfterNS         int64    `json:"not_after_ns"`
	SerialNumber       string   `json:"serial_number"`
	SignatureAlgorithm string   `json:"signature_algorithm"`
	// HasPrivateKey is null when the sidecar is missing.
	HasPrivateKey     *bool    `json:"has_private_key"`
	PrivateKeyReaders []string `json:"private_key_readers"`
	FriendlyName      string   `json:"friendly_name"`
	// FileThumbprint is the thumbprint in the file name when it differs
	// from the one recomputed from the DER (the DER wins).
	FileThumbprint string `json:"file_thumbprint,omitempty"`
	SidecarMissing bool   `json:"sidecar_missing"`
}

// Configs are the Scale Out configuration files of a node.
type Configs struct {
	Master *ConfigFile `json:"master"`
	Worker *ConfigFile `json:"worker"`
}

// ConfigFile is a parsed MasterSettings.config or WorkerSettings.config.
type ConfigFile struct {
	Name     string `json:"name"`
	Artifact string `json:"artifact"`
	Path     string `json:"path"`
	// Version is the {VER} folder of Path (…\150\DTS\Binn\…).
	Version      string `json:"version"`
	LastWriteUTC string `json:"last_write_utc"`
	LastWriteNS  int64  `json:"last_write_ns"`
	// Format is json or xml; ParseError is set when the file could not be
	// read (rule CONFIG-PARSE), and then Settings is empty.
	Format     string `json:"format"`
	ParseError string `json:"parse_error"`
	// Settings holds the values by their documented key names (older
	// spellings and any case mapped to the documented one). Keys that are
	// not documented are listed in UnknownKeys, never with their values
	// (an added key may hold a secret).
	Settings map[string]any `json:"settings"`
	// Lines maps a documented key to the 1-based line it was found on.
	Lines       map[string]int `json:"lines"`
	UnknownKeys []string       `json:"unknown_keys"`
	// MissingKeys lists required keys that are absent or empty.
	MissingKeys []string `json:"missing_keys"`
	// Warnings are notes on the content that do not stop parsing (a key
	// set twice, an unreadable time span replaced by its default).
	Warnings []string        `json:"warnings"`
	Master   *MasterSettings `json:"master,omitempty"`
	Worker   *WorkerSettings `json:"worker,omitempty"`
}

// MasterSettings are the typed values of MasterSettings.config.
type MasterSettings struct {
	Port                  int       `json:"port"`
	Thumbprint            string    `json:"thumbprint"`
	SQLServer             *Endpoint `json:"sql_server"`
	HeartbeatIntervalMS   int       `json:"heartbeat_interval_ms"`
	SQLConnectTimeoutSecs int       `json:"sql_connect_timeout_secs"`
}

// WorkerSettings are the typed values of WorkerSettings.config.
type WorkerSettings struct {
	MasterEndpoint   *URLFacts `json:"master_endpoint"`
	MasterThumbprint string    `json:"master_thumbprint"`
	WorkerThumbprint string    `json:"worker_thumbprint"`
	// Store is "<StoreLocation>/<StoreName>" (defaults LocalMachine/My).
	Store                   string `json:"store"`
	AgentID                 string `json:"agent_id"`
	AgentHeartbeatSeconds   int    `json:"agent_heartbeat_seconds"`
	AgentHeartbeatSpecified bool   `json:"agent_heartbeat_specified"`
}

// URLFacts is a parsed URL.
type URLFacts struct {
	Raw    string `json:"raw"`
	Valid  bool   `json:"valid"`
	Error  string `json:"error"`
	Scheme string `json:"scheme"`
	Host   string `json:"host"`
	Port   int    `json:"port"`
	Path   string `json:"path"`
}

// HTTPSys is the parsed `netsh http show sslcert` output.
type HTTPSys struct {
	// Bindings by "IP:port" (or host name:port) as netsh prints it.
	Bindings map[string]*SSLBinding `json:"bindings"`
}

// SSLBinding is one HTTP.SYS SSL binding.
type SSLBinding struct {
	Endpoint        string `json:"endpoint"`
	Kind            string `json:"kind"`
	Port            int    `json:"port"`
	CertificateHash string `json:"certificate_hash"`
	StoreName       string `json:"store_name"`
	ApplicationID   string `json:"application_id"`
	Line            int    `json:"line"`
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

// Cluster is cluster.json as seen from one node.
type Cluster struct {
	SourceNode string            `json:"source_node"`
	Name       string            `json:"Name"`
	Nodes      []ClusterNode     `json:"Nodes"`
	Groups     []ClusterGroup    `json:"Groups"`
	Resources  []ClusterResource `json:"Resources"`
}

// ClusterNode is a WSFC node.
type ClusterNode struct {
	Name  string `json:"Name"`
	State string `json:"State"`
}

// ClusterGroup is a WSFC role.
type ClusterGroup struct {
	Name      string `json:"Name"`
	State     string `json:"State"`
	OwnerNode string `json:"OwnerNode"`
	GroupType string `json:"GroupType"`
}

// ClusterResource is a WSFC resource with its private parameters.
type ClusterResource struct {
	Name           string         `json:"Name"`
	ResourceType   string         `json:"ResourceType"`
	OwnerGroup     string         `json:"OwnerGroup"`
	OwnerNode      string         `json:"OwnerNode"`
	State          string         `json:"State"`
	PossibleOwners []string       `json:"PossibleOwners"`
	Parameters     map[string]any `json:"Parameters"`
}

// Instance is one SQL Server instance's result sets.
type Instance struct {
	Instance  string `json:"instance"`
	Collected bool   `json:"collected"`
	Error     string `json:"error"`
	// Node is the node this instance runs on
	// (server_properties.ComputerNamePhysicalNetBIOS).
	Node string `json:"node"`
	// Queries by query id; a failed query has Error set and Rows null.
	Queries map[string]*ResultSet `json:"queries"`
	// Missing maps a query id to why its result is absent.
	Missing map[string]string `json:"missing"`
}

// ResultSet is one query's rows as objects keyed by column name.
type ResultSet struct {
	Artifact     string           `json:"artifact"`
	CollectedUTC string           `json:"collected_utc"`
	Columns      []string         `json:"columns"`
	Rows         []map[string]any `json:"rows"`
	Error        string           `json:"error"`
}
