// Package inventory reads the deployment inventory (ssis-ha.yaml): what the
// operator declares about the deployment, the nodes with their roles and how
// each one is reached, and the SQL Server entry point.
//
// The file never holds a secret: user names and passwords are read from the
// environment variables it names (user_env, password_env), or come from
// Windows integrated authentication / Kerberos, or from a prompt the CLI shows.
//
//	deployment:
//	  name: prod-etl
//	  variant: ag                      # ag | fci (required)
//	  master_dns: ssismaster.contoso.com
//	  master_port: 8391
//	  listener: aglsn.contoso.com,1433
//	  scale_out_version: "150"
//	timeout: 2m                        # default per-target timeout
//	nodes:
//	  - name: SQLN1
//	    roles: [master, replica]
//	    winrm: {host: sqln1.contoso.com, transport: https, auth: ntlm,
//	            user_env: SSIS_HA_WINRM_USER, password_env: SSIS_HA_WINRM_PASSWORD}
//	  - name: SQLN2
//	    roles: [master, replica]
//	    local: true                    # the machine the tool runs on
//	  - name: WRK1
//	    roles: [worker]
//	    bundle: ../bundles/healthy-ag  # nodes/WRK1 of a bundle collected earlier
//	sql:
//	  server: sqlserver://aglsn.contoso.com:1433
//	  auth: windows
//	  service_accounts: [CONTOSO\svc-ssis, CONTOSO\svc-wrk]  # optional: else from the nodes' services
//
// Every validation problem names the line it is on.
package inventory

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Variants and roles.
const (
	VariantAG  = "ag"
	VariantFCI = "fci"

	RoleMaster  = "master"
	RoleWorker  = "worker"
	RoleReplica = "replica"
)

// Reach kinds: how a node is collected.
const (
	ReachLocal  = "local"
	ReachWinRM  = "winrm"
	ReachBundle = "bundle"
)

// DefaultTimeout is the per-target timeout when the inventory sets none.
const DefaultTimeout = 2 * time.Minute

// Inventory is a loaded and validated inventory file.
type Inventory struct {
	// Path is the file the inventory was read from ("" when parsed from bytes
	// without a name); Dir is the directory relative paths are resolved from.
	Path string `json:"path"`
	Dir  string `json:"-"`

	Deployment Deployment `json:"deployment"`
	// Timeout is the default per-target timeout (top-level `timeout`).
	Timeout time.Duration `json:"timeout"`
	Nodes   []*Node       `json:"nodes"`
	SQL     *SQL          `json:"sql,omitempty"`

	lines map[string]int // upper-case node name -> line of its list item
}

// Deployment is what the operator declares; it is copied into bundle.json's
// "deployment" object unchanged.
type Deployment struct {
	Name            string `json:"name,omitempty"`
	Variant         string `json:"variant"`
	MasterDNS       string `json:"master_dns,omitempty"`
	MasterPort      int    `json:"master_port,omitempty"`
	Listener        string `json:"listener,omitempty"`
	ScaleOutVersion string `json:"scale_out_version,omitempty"`
}

// Node is one machine of the deployment.
type Node struct {
	// Name is the computer name in upper case (the bundle's <NODE>).
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
	// Reach is ReachLocal, ReachWinRM or ReachBundle; exactly one of Local,
	// WinRM and Bundle is set accordingly.
	Reach  string     `json:"reach"`
	Local  bool       `json:"local,omitempty"`
	WinRM  *WinRM     `json:"winrm,omitempty"`
	Bundle *BundleRef `json:"bundle,omitempty"`
	Line   int        `json:"line"`
	// Timeout is the node's own timeout, or the inventory default.
	Timeout time.Duration `json:"timeout"`
}

// HasRole reports whether the node has the role.
func (n *Node) HasRole(role string) bool {
	for _, r := range n.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// WinRM says how to reach a node over WS-Management.
type WinRM struct {
	Host string `json:"host"`
	// Port defaults to 5986 for https and 5985 for http.
	Port int `json:"port"`
	// Transport is "https" (default) or "http" (message encryption, NTLM only).
	Transport string `json:"transport"`
	// Auth is "ntlm" (default), "negotiate" (SPNEGO wrapping NTLM) or "kerberos" (https only).
	Auth        string `json:"auth"`
	UserEnv     string `json:"user_env,omitempty"`
	PasswordEnv string `json:"password_env,omitempty"`
	// CAFile is a PEM bundle that verifies the node's HTTPS certificate
	// (default: the system roots). Resolved against the inventory's directory.
	CAFile string `json:"ca_file,omitempty"`
	// TLSServerName overrides the name checked in the node's certificate.
	TLSServerName string `json:"tls_server_name,omitempty"`
	// Kerberos settings (auth: kerberos).
	Realm      string `json:"realm,omitempty"`
	Krb5Conf   string `json:"krb5_conf,omitempty"`
	Krb5CCache string `json:"krb5_ccache,omitempty"`
	SPN        string `json:"spn,omitempty"`
}

// HTTPS reports whether the transport is HTTPS.
func (w *WinRM) HTTPS() bool { return w.Transport == "https" }

// Credentials reads the user and password from the environment variables
// the inventory names. lookup is os.LookupEnv in production.
func (w *WinRM) Credentials(lookup func(string) (string, bool)) (user, password string, err error) {
	return credentials(lookup, w.UserEnv, w.PasswordEnv)
}

// BundleRef points a node at a bundle collected earlier: a whole bundle
// directory (its nodes/<Node> is used) or a single node directory.
type BundleRef struct {
	// Path is absolute (resolved against the inventory's directory).
	Path string `json:"path"`
	// Raw is the path as written in the inventory.
	Raw string `json:"raw"`
	// Node is the node directory name inside the bundle; defaults to the
	// node's own name.
	Node string `json:"node"`
}

// NodeDir returns the directory holding the node's artifacts: Path/nodes/<Node>
// when Path is a bundle (it has bundle.json or a nodes directory), else Path
// itself (a node directory copied on its own).
func (b *BundleRef) NodeDir() string {
	if fileExists(filepath.Join(b.Path, "bundle.json")) || fileExists(filepath.Join(b.Path, "nodes")) {
		return filepath.Join(b.Path, "nodes", b.Node)
	}
	return b.Path
}

// SQL is the SQL Server entry point (normally the AG listener, or the FCI
// network name), or a bundle whose sql/ results are reused. The fields map
// one to one onto collectors/sqlserver.Options.
type SQL struct {
	// Server is the entry point as written: sqlserver://host:port,
	// sqlserver://host/INSTANCE, host,port, host:port, host\INSTANCE or host
	// (sqlserver.Options.Server takes all of them). Empty when Bundle is set.
	Server   string `json:"server,omitempty"`
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Bundle is an earlier bundle (absolute path) whose sql/ is copied
	// instead of connecting (offline inventories, tests).
	Bundle string `json:"bundle,omitempty"`
	// Auth is "windows" (default: integrated), "kerberos", "ntlm" or "sql".
	Auth string `json:"auth"`
	// User is the login or principal as written (a name is not a secret);
	// UserEnv names a variable holding it instead.
	User        string `json:"user,omitempty"`
	UserEnv     string `json:"user_env,omitempty"`
	PasswordEnv string `json:"password_env,omitempty"`
	// Encrypt is strict, mandatory, optional, disable (or true/false);
	// "" leaves the collector's default (mandatory).
	Encrypt                string `json:"encrypt,omitempty"`
	TrustServerCertificate bool   `json:"trust_server_certificate,omitempty"`
	// CAFile is absolute (resolved against the inventory's directory).
	CAFile            string `json:"ca_file,omitempty"`
	HostInCertificate string `json:"host_in_certificate,omitempty"`
	SPN               string `json:"spn,omitempty"`
	Realm             string `json:"realm,omitempty"`
	Krb5Conf          string `json:"krb5_conf,omitempty"`
	Krb5Keytab        string `json:"krb5_keytab,omitempty"`
	Krb5CCache        string `json:"krb5_ccache,omitempty"`
	// Replicas maps a replica_server_name to the address to dial.
	Replicas map[string]string `json:"replicas,omitempty"`
	// ServiceAccounts are the Scale Out master/worker service accounts
	// (DOMAIN\name) looked up as logins (sqlserver.Options.ServiceAccounts).
	// When empty, the collector derives them from the nodes' services.
	ServiceAccounts []string `json:"service_accounts,omitempty"`
	// ReadLogDBConnection opts in to logdb_connection / logdb_password_check.
	ReadLogDBConnection bool          `json:"read_logdb_connection,omitempty"`
	Timeout             time.Duration `json:"timeout"`
	Line                int           `json:"line"`
}

// UserName returns User, or the value of UserEnv (lookup is os.LookupEnv when nil).
func (s *SQL) UserName(lookup func(string) (string, bool)) (string, error) {
	if s.User != "" || s.UserEnv == "" {
		return s.User, nil
	}
	u, _, err := credentials(lookup, s.UserEnv, "")
	return u, err
}

// Credentials reads the user and password from the named environment variables.
func (s *SQL) Credentials(lookup func(string) (string, bool)) (user, password string, err error) {
	return credentials(lookup, s.UserEnv, s.PasswordEnv)
}

func credentials(lookup func(string) (string, bool), userEnv, passEnv string) (string, string, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var user, pass string
	var missing []string
	if userEnv != "" {
		v, ok := lookup(userEnv)
		if !ok || v == "" {
			missing = append(missing, userEnv)
		}
		user = v
	}
	if passEnv != "" {
		v, ok := lookup(passEnv)
		if !ok {
			missing = append(missing, passEnv)
		}
		pass = v
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("environment variable %s not set", strings.Join(missing, " and "))
	}
	return user, pass, nil
}

// Node returns the node with the name (case-insensitive), or nil.
func (inv *Inventory) Node(name string) *Node {
	for _, n := range inv.Nodes {
		if strings.EqualFold(n.Name, name) {
			return n
		}
	}
	return nil
}

// NodeLine returns the line of the node's entry in the inventory file, or 0
// when there is no such node. Reports anchor per-node results on it.
func (inv *Inventory) NodeLine(name string) int {
	if inv == nil {
		return 0
	}
	return inv.lines[strings.ToUpper(name)]
}

// LocalNode returns the node marked `local: true`, or nil.
func (inv *Inventory) LocalNode() *Node {
	for _, n := range inv.Nodes {
		if n.Local {
			return n
		}
	}
	return nil
}

// Problem is one validation problem.
type Problem struct {
	Line    int
	Column  int
	Message string
}

// Error is returned by Load and Parse when the file is not a valid inventory.
// Error() lists every problem, one per line, as "file:line: message".
type Error struct {
	Path     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		if p.Line > 0 {
			fmt.Fprintf(&b, "%s:%d: %s", e.Path, p.Line, p.Message)
		} else {
			fmt.Fprintf(&b, "%s: %s", e.Path, p.Message)
		}
	}
	return b.String()
}

// Load reads and validates the inventory file.
func Load(path string) (*Inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return Parse(data, path)
}

// Parse validates an inventory held in memory; path names it in messages and
// relative paths in it are resolved against path's directory.
func Parse(data []byte, path string) (*Inventory, error) {
	p := &parser{name: path}
	if path == "" {
		p.name = "inventory"
	}
	inv := p.parse(data)
	if len(p.problems) > 0 {
		return nil, &Error{Path: p.name, Problems: p.problems}
	}
	inv.Path = path
	return inv, nil
}

// IsValidationError reports whether err came from validating the file (as
// opposed to reading it).
func IsValidationError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func parseSQLServer(raw string) (host string, port int, instance string, err error) {
	raw = strings.TrimSpace(raw)
	if strings.Contains(strings.ToLower(raw), "password") || strings.Contains(raw, ";") {
		return "", 0, "", errors.New("must not hold connection-string options or a password: use the sql keys and password_env")
	}
	if !strings.Contains(raw, "://") {
		// host,port | host:port | host\INSTANCE | host
		rest := raw
		if i := strings.IndexByte(rest, '\\'); i >= 0 {
			rest, instance = rest[:i], rest[i+1:]
			if instance == "" || strings.ContainsAny(instance, "\\/,:") {
				return "", 0, "", fmt.Errorf("bad instance name %q", instance)
			}
		}
		if i := strings.LastIndexAny(rest, ",:"); i >= 0 {
			ps := strings.TrimSpace(rest[i+1:])
			port, err = strconv.Atoi(ps)
			if err != nil || port < 1 || port > 65535 {
				return "", 0, "", fmt.Errorf("port %q out of range 1-65535", ps)
			}
			rest = rest[:i]
		}
		host = strings.TrimSpace(rest)
		if host == "" || strings.ContainsAny(host, " /@") {
			return "", 0, "", fmt.Errorf("bad host %q", host)
		}
		return host, port, instance, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", 0, "", fmt.Errorf("not a URL: %v", err)
	}
	if u.Scheme != "sqlserver" {
		return "", 0, "", fmt.Errorf("scheme must be sqlserver:// (got %q)", u.Scheme)
	}
	if u.User != nil {
		return "", 0, "", errors.New("must not hold a user or password: use user/user_env and password_env")
	}
	if u.RawQuery != "" {
		return "", 0, "", errors.New("must not hold connection-string options: use the sql keys")
	}
	host = u.Hostname()
	if host == "" {
		return "", 0, "", errors.New("has no host")
	}
	if ps := u.Port(); ps != "" {
		port, err = strconv.Atoi(ps)
		if err != nil || port < 1 || port > 65535 {
			return "", 0, "", fmt.Errorf("port %q out of range 1-65535", ps)
		}
	}
	instance = strings.Trim(u.Path, "/")
	if strings.Contains(instance, "/") {
		return "", 0, "", fmt.Errorf("bad instance name %q", instance)
	}
	return host, port, instance, nil
}
