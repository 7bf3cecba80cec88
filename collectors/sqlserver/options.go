package sqlserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// PasswordEnv is the environment variable the SQL/NTLM/Kerberos password is
// read from when Options.PasswordEnv is empty.
const PasswordEnv = "SSIS_HA_LINT_SQL_PASSWORD"

// Auth selects how the collector authenticates to every SQL Server instance.
type Auth string

const (
	// AuthSQL is a SQL Server login: Options.User plus a password from the
	// environment (PasswordEnv) or Options.Prompt. A user name containing
	// `\` or `@` is refused: go-mssqldb would silently switch to NTLM for
	// `DOMAIN\user`, and `user@domain` is almost always a mistaken domain account.
	AuthSQL Auth = "sql"
	// AuthWindows is integrated Windows authentication of the current process
	// (SSPI, Windows only): no user, no password.
	AuthWindows Auth = "windows"
	// AuthNTLM is a domain account given as DOMAIN\user with a password
	// (environment or prompt), negotiated with NTLM by go-mssqldb.
	AuthNTLM Auth = "ntlm"
	// AuthKerberos is Kerberos through go-mssqldb's krb5 authenticator
	// (Linux/macOS). Credentials come, in go-mssqldb's order, from:
	// User + password (needs a realm: Krb5Realm, user@REALM or krb5.conf's
	// default_realm), User + Krb5KeytabFile (or KRB5_KTNAME, or the keytabs
	// named in krb5.conf), or a credential cache (Krb5CredCacheFile, else
	// KRB5CCNAME, e.g. after `kinit`). Krb5ConfigFile defaults to
	// KRB5_CONFIG, else /etc/krb5.conf. The server SPN defaults to
	// MSSQLSvc/<host>:<port>; set ServerSPN when connecting by IP or alias.
	AuthKerberos Auth = "kerberos"
)

// Encryption modes, as go-mssqldb's `encrypt` parameter takes them.
const (
	EncryptStrict    = "strict"    // TDS 8.0: TLS before any TDS byte (SQL Server 2022+)
	EncryptMandatory = "mandatory" // TLS for the whole session (the default here)
	EncryptOptional  = "optional"  // TLS for the login packet only ("encrypt=false")
	EncryptDisable   = "disable"   // no TLS at all, password in clear: tests only
)

// Options configures Collect.
//
// Passwords never come from a field a command-line flag could fill: they are
// read from the environment variable PasswordEnv (default
// SSIS_HA_LINT_SQL_PASSWORD) or, when that is empty, from Prompt.
type Options struct {
	// Server is the entry point: an AG listener or an instance. Accepted forms:
	// "sqlserver://host:port", "sqlserver://host/INSTANCE", "host,port",
	// "host:port", "host\INSTANCE", "host". No credentials in it.
	Server string

	// Auth defaults to AuthWindows on Windows and AuthSQL elsewhere.
	Auth Auth
	// User is the login (AuthSQL), DOMAIN\user (AuthNTLM) or the Kerberos
	// principal (AuthKerberos with a password or keytab).
	User string
	// PasswordEnv names the environment variable holding the password
	// (default PasswordEnv).
	PasswordEnv string
	// Getenv reads the environment (default os.Getenv); tests inject it.
	Getenv func(string) string
	// Prompt asks for the password when the environment has none (the CLI
	// wires a no-echo terminal reader; see PromptFrom). Nil: no prompt.
	Prompt func(prompt string) (string, error)

	// Kerberos (AuthKerberos): see AuthKerberos.
	Krb5ConfigFile    string
	Krb5KeytabFile    string
	Krb5CredCacheFile string
	Krb5Realm         string
	// ServerSPN overrides the SPN used for Kerberos/NTLM.
	ServerSPN string

	// Encrypt is one of EncryptStrict, EncryptMandatory (default),
	// EncryptOptional, EncryptDisable.
	Encrypt string
	// TrustServerCertificate skips certificate validation (not recommended).
	TrustServerCertificate bool
	// CAFile is a PEM/DER CA (or server) certificate that replaces the system
	// roots for chain validation (go-mssqldb `certificate`).
	CAFile string
	// HostNameInCertificate is the name expected in the server certificate
	// when it differs from the host connected to.
	HostNameInCertificate string
	// MultiSubnetFailover: go-mssqldb dials every IP a name resolves to in
	// parallel and keeps the first that answers when true, which is its
	// default (nil). Set false to dial the IPs one after another.
	MultiSubnetFailover *bool

	// Timeout bounds each instance (connect + all its queries); it is also
	// the driver's `connection timeout` and dial timeout. Default 30s.
	Timeout time.Duration
	// ReplicaAddrs maps a replica_server_name (case-insensitive) to the
	// address to dial ("host:port", "host,port", "host\INSTANCE"); replicas
	// not listed are dialed by their name (default instance: port 1433,
	// named instance: SQL Browser).
	ReplicaAddrs map[string]string
	// ServiceAccounts are the Scale Out master/worker service accounts
	// (DOMAIN\name) looked up in server_principals.
	ServiceAccounts []string
	// ReadLogDBConnection opts in to the one non-SELECT call,
	// SSISDB.internal.get_log_dbconnection (logdb_connection, password
	// replaced by *** before storing), and to logdb_password_check on every
	// replica (PWDCOMPARE with the password held only in memory).
	ReadLogDBConnection bool
	// MaxParallel limits concurrent instances (0: all at once).
	MaxParallel int
	// AppName is sent as the client application name (default "ssis-ha-lint").
	AppName string
	// Logf receives progress lines (never credentials). Nil: silent.
	Logf func(format string, args ...any)
}

// PromptFrom returns a Prompt that writes the prompt to w and reads one line
// from r (for piped input; the CLI uses a no-echo terminal reader on a TTY).
func PromptFrom(r io.Reader, w io.Writer) func(string) (string, error) {
	br := bufio.NewReader(r)
	return func(prompt string) (string, error) {
		if w != nil {
			fmt.Fprint(w, prompt)
		}
		line, err := br.ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			return "", errors.New("no password read from the prompt")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
}

func (o *Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 30 * time.Second
	}
	return o.Timeout
}

func (o *Options) auth() Auth {
	if o.Auth != "" {
		return o.Auth
	}
	if runtime.GOOS == "windows" {
		return AuthWindows
	}
	return AuthSQL
}

func (o *Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// credentials validates the authentication options and fetches the password.
func (o *Options) credentials() (user, password string, err error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	envName := o.PasswordEnv
	if envName == "" {
		envName = PasswordEnv
	}
	readPassword := func(required bool) (string, error) {
		if p := getenv(envName); p != "" {
			return p, nil
		}
		if o.Prompt != nil {
			p, err := o.Prompt(fmt.Sprintf("Password for %s: ", o.User))
			if err != nil {
				return "", err
			}
			if p != "" {
				return p, nil
			}
		}
		if required {
			return "", fmt.Errorf("no password: set %s or run interactively", envName)
		}
		return "", nil
	}
	switch o.auth() {
	case AuthSQL:
		if o.User == "" {
			return "", "", errors.New("SQL authentication needs a user name")
		}
		if strings.ContainsAny(o.User, `\@`) {
			return "", "", fmt.Errorf("user %q looks like a domain account: SQL authentication needs a SQL login (use Windows, NTLM with DOMAIN\\user, or Kerberos auth for domain accounts)", o.User)
		}
		p, err := readPassword(true)
		return o.User, p, err
	case AuthNTLM:
		if !strings.Contains(o.User, `\`) {
			return "", "", fmt.Errorf("NTLM authentication needs DOMAIN\\user, got %q (without a backslash go-mssqldb would send it as a SQL login)", o.User)
		}
		p, err := readPassword(true)
		return o.User, p, err
	case AuthWindows:
		if runtime.GOOS != "windows" {
			return "", "", errors.New("Windows integrated authentication needs Windows; from Linux use Kerberos (a kinit credential cache or a keytab) or NTLM")
		}
		if o.User != "" {
			return "", "", errors.New("Windows integrated authentication uses the current account; leave the user empty (or use NTLM with DOMAIN\\user)")
		}
		return "", "", nil
	case AuthKerberos:
		if strings.Contains(o.User, `\`) {
			return "", "", fmt.Errorf("Kerberos user %q: give the principal as user or user@REALM, not DOMAIN\\user", o.User)
		}
		if o.User == "" || o.Krb5KeytabFile != "" {
			return o.User, "", nil // credential cache or keytab
		}
		p, err := readPassword(false)
		return o.User, p, err
	default:
		return "", "", fmt.Errorf("unknown authentication %q (sql, windows, ntlm, kerberos)", o.Auth)
	}
}

// address is a parsed server address.
type address struct {
	host     string
	port     int // 0: default / browser
	instance string
}

func (a address) String() string {
	s := a.host
	if a.instance != "" {
		s += `\` + a.instance
	}
	if a.port != 0 {
		s += "," + strconv.Itoa(a.port)
	}
	return s
}

// parseAddress accepts sqlserver://host[:port][/instance], host,port,
// host:port, [v6]:port, host\instance[,port], host.
func parseAddress(s string) (address, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return address{}, errors.New("empty server address")
	}
	var a address
	if strings.HasPrefix(strings.ToLower(s), "sqlserver://") {
		u, err := url.Parse(s)
		if err != nil {
			return a, errors.New("invalid sqlserver:// URL")
		}
		if u.User != nil {
			return a, errors.New("do not put credentials in the server URL; use the user option and the password environment variable")
		}
		if len(u.Query()) > 0 {
			return a, errors.New("connection options in the server URL are not supported; use the collector options")
		}
		a.host = u.Hostname()
		if p := u.Port(); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n <= 0 || n > 65535 {
				return a, fmt.Errorf("invalid port %q", p)
			}
			a.port = n
		}
		a.instance = strings.Trim(u.Path, "/")
	} else {
		rest := s
		if i := strings.LastIndex(rest, ","); i >= 0 {
			n, err := strconv.Atoi(strings.TrimSpace(rest[i+1:]))
			if err != nil || n <= 0 || n > 65535 {
				return a, fmt.Errorf("invalid port in %q", s)
			}
			a.port = n
			rest = rest[:i]
		}
		if i := strings.Index(rest, `\`); i >= 0 {
			a.instance = rest[i+1:]
			rest = rest[:i]
		}
		if a.port == 0 && a.instance == "" {
			if h, p, err := net.SplitHostPort(rest); err == nil {
				n, err := strconv.Atoi(p)
				if err != nil || n <= 0 || n > 65535 {
					return a, fmt.Errorf("invalid port in %q", s)
				}
				rest, a.port = h, n
			}
		}
		a.host = strings.Trim(rest, "[]")
	}
	if a.host == "" {
		return a, fmt.Errorf("no host in %q", s)
	}
	if a.host == "." || strings.EqualFold(a.host, "(local)") {
		a.host = "localhost"
	}
	return a, nil
}

// connString builds the go-mssqldb URL for one instance. Everything goes
// through net/url so values are escaped; the result holds the password and
// must never be logged or put in an error.
func (o *Options) connString(a address, user, password, database string) string {
	u := url.URL{Scheme: "sqlserver", Host: a.host}
	if a.port != 0 {
		u.Host = net.JoinHostPort(a.host, strconv.Itoa(a.port))
	}
	if a.instance != "" && a.port == 0 {
		u.Path = "/" + a.instance
	}
	if user != "" || password != "" {
		if password != "" {
			u.User = url.UserPassword(user, password)
		} else {
			u.User = url.User(user)
		}
	}
	q := url.Values{}
	secs := int(math.Ceil(o.timeout().Seconds()))
	q.Set("connection timeout", strconv.Itoa(secs))
	q.Set("dial timeout", strconv.Itoa(secs))
	if database != "" {
		q.Set("database", database)
	}
	app := o.AppName
	if app == "" {
		app = "ssis-ha-lint"
	}
	q.Set("app name", app)
	q.Set("disableretry", "true")
	enc := o.Encrypt
	if enc == "" {
		enc = EncryptMandatory
	}
	q.Set("encrypt", enc)
	if o.TrustServerCertificate {
		q.Set("TrustServerCertificate", "true")
	}
	if o.CAFile != "" {
		q.Set("certificate", o.CAFile)
	}
	if o.HostNameInCertificate != "" {
		q.Set("hostNameInCertificate", o.HostNameInCertificate)
	}
	if o.MultiSubnetFailover != nil {
		q.Set("multisubnetfailover", strconv.FormatBool(*o.MultiSubnetFailover))
	}
	if o.ServerSPN != "" {
		q.Set("ServerSPN", o.ServerSPN)
	}
	if o.auth() == AuthKerberos {
		q.Set("authenticator", "krb5")
		if o.Krb5ConfigFile != "" {
			q.Set("krb5-configfile", o.Krb5ConfigFile)
		}
		if o.Krb5KeytabFile != "" {
			q.Set("krb5-keytabfile", o.Krb5KeytabFile)
		}
		if o.Krb5CredCacheFile != "" {
			q.Set("krb5-credcachefile", o.Krb5CredCacheFile)
		}
		if o.Krb5Realm != "" {
			q.Set("krb5-realm", o.Krb5Realm)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (o *Options) validate() error {
	switch o.Encrypt {
	case "", EncryptStrict, EncryptMandatory, EncryptOptional, EncryptDisable:
	default:
		return fmt.Errorf("unknown encrypt mode %q (strict, mandatory, optional, disable)", o.Encrypt)
	}
	if o.Timeout < 0 {
		return errors.New("negative timeout")
	}
	for _, f := range []struct{ what, path string }{
		{"CA file", o.CAFile}, {"krb5 config file", o.Krb5ConfigFile},
		{"krb5 keytab", o.Krb5KeytabFile}, {"krb5 credential cache", o.Krb5CredCacheFile},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("%s: %w", f.what, err)
		}
	}
	if o.auth() != AuthKerberos && (o.Krb5ConfigFile != "" || o.Krb5KeytabFile != "" || o.Krb5CredCacheFile != "" || o.Krb5Realm != "") {
		return errors.New("krb5 options need Kerberos authentication")
	}
	return nil
}
