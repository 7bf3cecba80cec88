package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/collect"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/inventory"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/sqlserver"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/windows"
)

// sqlFlags are the flags of live SQL Server collection. There is no
// password flag: a flag value lands in shell history and in ps.
type sqlFlags struct {
	server        string
	auth          string
	user          string
	passwordEnv   string
	krb5Config    string
	krb5Keytab    string
	krb5CredCache string
	krb5Realm     string
	spn           string
	encrypt       string
	trustServer   bool
	caFile        string
	hostInCert    string
	timeout       time.Duration
	replicaAddrs  []string
	serviceAccts  []string
	readLogDB     bool
	variant       string
	noPrompt      bool
}

func (f *sqlFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.server, "sql", "", "SQL Server entry point to collect from: the AG listener or an instance (sqlserver://host:port, host,port, host\\INSTANCE)")
	fl.StringVar(&f.auth, "sql-auth", "", "sql | windows | ntlm | kerberos (default: windows on Windows, sql elsewhere)")
	fl.StringVar(&f.user, "sql-user", "", "login (sql), DOMAIN\\user (ntlm) or Kerberos principal")
	fl.StringVar(&f.passwordEnv, "sql-password-env", sqlserver.PasswordEnv, "environment variable that holds the password (else an interactive prompt)")
	fl.StringVar(&f.krb5Config, "krb5-config", "", "Kerberos: krb5.conf path")
	fl.StringVar(&f.krb5Keytab, "krb5-keytab", "", "Kerberos: keytab file")
	fl.StringVar(&f.krb5CredCache, "krb5-ccache", "", "Kerberos: credential cache file")
	fl.StringVar(&f.krb5Realm, "krb5-realm", "", "Kerberos: realm")
	fl.StringVar(&f.spn, "sql-spn", "", "server SPN for Kerberos/NTLM (default derived from the host)")
	fl.StringVar(&f.encrypt, "sql-encrypt", "mandatory", "TLS: strict | mandatory | optional | disable")
	fl.BoolVar(&f.trustServer, "sql-trust-server-certificate", false, "TLS: do not validate the server certificate (not recommended)")
	fl.StringVar(&f.caFile, "sql-ca-file", "", "TLS: CA certificate (PEM or DER) to validate the server certificate")
	fl.StringVar(&f.hostInCert, "sql-host-in-certificate", "", "TLS: host name expected in the server certificate")
	fl.DurationVar(&f.timeout, "sql-timeout", 30*time.Second, "per-instance timeout (connect and queries)")
	fl.StringArrayVar(&f.replicaAddrs, "sql-replica-addr", nil, "REPLICA=ADDRESS: how to reach a replica when its name is not dialable (repeatable)")
	fl.StringArrayVar(&f.serviceAccts, "service-account", nil, "Scale Out master/worker service account to look up as a login (DOMAIN\\name, repeatable)")
	fl.BoolVar(&f.readLogDB, "read-logdb-connection", false, "also read the logging connection string (password replaced by ***) and check the logging password on every replica")
	fl.StringVar(&f.variant, "variant", "", "declared deployment variant: ag or fci (default: derived)")
	fl.BoolVar(&f.noPrompt, "no-prompt", false, "never prompt for a password (fail instead)")
}

func (f *sqlFlags) options(stdin io.Reader, stderr io.Writer) (sqlserver.Options, error) {
	o := sqlserver.Options{
		Server: f.server, Auth: sqlserver.Auth(f.auth), User: f.user, PasswordEnv: f.passwordEnv,
		Krb5ConfigFile: f.krb5Config, Krb5KeytabFile: f.krb5Keytab, Krb5CredCacheFile: f.krb5CredCache,
		Krb5Realm: f.krb5Realm, ServerSPN: f.spn, Encrypt: f.encrypt, TrustServerCertificate: f.trustServer,
		CAFile: f.caFile, HostNameInCertificate: f.hostInCert, Timeout: f.timeout,
		ServiceAccounts: f.serviceAccts, ReadLogDBConnection: f.readLogDB, AppName: "ssis-ha-lint/" + version,
		Logf: func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) },
	}
	if len(f.replicaAddrs) > 0 {
		o.ReplicaAddrs = map[string]string{}
		for _, kv := range f.replicaAddrs {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" || v == "" {
				return o, fmt.Errorf("--sql-replica-addr %q: want REPLICA=ADDRESS", kv)
			}
			o.ReplicaAddrs[k] = v
		}
	}
	if !f.noPrompt {
		o.Prompt = passwordPrompt(stdin, stderr)
	}
	return o, nil
}

// passwordPrompt reads a password without echo on a terminal, or one line
// of piped input otherwise.
func passwordPrompt(stdin io.Reader, stderr io.Writer) func(string) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return func(prompt string) (string, error) {
			fmt.Fprint(stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			return string(b), err
		}
	}
	return sqlserver.PromptFrom(stdin, stderr)
}

// collectSQL collects the SQL part of a bundle into dir.
func (f *sqlFlags) collectSQL(ctx context.Context, dir string, stdin io.Reader, stderr io.Writer) error {
	o, err := f.options(stdin, stderr)
	if err != nil {
		return err
	}
	res, err := sqlserver.Collect(ctx, o)
	if err != nil && !errors.Is(err, sqlserver.ErrEntryUnreachable) {
		return err
	}
	if err != nil {
		fmt.Fprintf(stderr, "ssis-ha-lint: %v (recorded in the bundle; the scan will report unknown)\n", err)
	}
	res.ToolVersion = version
	if f.variant != "" {
		res.Variant = f.variant
	}
	if err := sqlserver.WriteBundle(dir, res); err != nil {
		return fmt.Errorf("write bundle %s: %w", dir, err)
	}
	return nil
}

// progressFlags are --parallel and the progress display.
type progressFlags struct {
	parallel int
}

func (p *progressFlags) register(c *cobra.Command) {
	c.Flags().IntVar(&p.parallel, "parallel", collect.DefaultParallel, "inventory: targets (nodes, SQL) collected at once")
}

// newProgress is the live display when stderr is a terminal, plain log
// lines otherwise, nothing with --quiet.
func newProgress(stderr io.Writer, quiet bool) collect.Progress {
	if quiet {
		return collect.Quiet{}
	}
	tty, columns := false, 0
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb" && enableVT(f) {
		tty = true
		columns, _, _ = term.GetSize(int(f.Fd()))
	}
	return collect.NewProgress(stderr, tty, columns)
}

// loadInventory reads and validates the inventory (exit 2 on a problem; the
// message names the line).
func loadInventory(path string) (*inventory.Inventory, error) {
	inv, err := inventory.Load(path)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return inv, nil
}

// collectInventory collects every target of inv into dir.
func collectInventory(ctx context.Context, inv *inventory.Inventory, dir string, p progressFlags, sf *sqlFlags, quiet bool, stdin io.Reader, stderr io.Writer) (*collect.Summary, error) {
	opts := collect.Options{Parallel: p.parallel, Progress: newProgress(stderr, quiet), ToolVersion: version}
	if !sf.noPrompt {
		opts.Prompt = passwordPrompt(stdin, stderr)
	}
	sum, err := collect.Run(ctx, inv, dir, opts)
	if err != nil {
		return sum, &exitError{code: 2, err: fmt.Errorf("collect: %w", err)}
	}
	if failed := sum.Failed(); len(failed) > 0 {
		fmt.Fprintf(stderr, "ssis-ha-lint: %d of %d targets not collected (recorded in the bundle; the scan reports what depends on them as unknown):\n", len(failed), len(sum.Results))
		for _, r := range failed {
			fmt.Fprintf(stderr, "  %s: %s\n", r.Target.Label(), r.Error)
		}
	}
	return sum, nil
}

func newCollectCmd() *cobra.Command {
	var f sqlFlags
	var pf progressFlags
	var out, inv, roles, deployment, nodeName string
	var local, quiet bool
	c := &cobra.Command{
		Use:   "collect",
		Short: "Collect an evidence bundle from the live systems (read-only)",
		Long: `Collect an evidence bundle from the live systems (read-only), in one of three ways:

  -i INVENTORY   every node (winrm, local or an earlier bundle) and the SQL side the
                 inventory names, in parallel (--parallel), each with its timeout
  --local        this Windows node only: a part to combine with "bundle merge"
  --sql SERVER   the SQL Server side only (listener or instance)

Credentials never come from flags: the inventory names environment variables
(user_env, password_env); SQL passwords are otherwise prompted for without echo.`,
		Example: `  ssis-ha-lint collect -i ssis-ha.yaml --out evidence/
  ssis-ha-lint.exe collect --local --roles master,replica --deployment prod-etl --variant ag --out part-SQLN1
  ssis-ha-lint bundle merge --out evidence/ part-SQLN1 part-SQLN2 part-WRK1 part-sql
  SSIS_HA_LINT_SQL_PASSWORD=... ssis-ha-lint collect --sql 'sqlserver://aglsn.contoso.com:1433' --sql-auth sql --sql-user auditor --out evidence/
  ssis-ha-lint collect --sql aglsn.contoso.com,1433 --sql-auth kerberos --krb5-config /etc/krb5.conf --krb5-ccache /tmp/krb5cc_1000 --out evidence/`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if out == "" {
				return &exitError{code: 2, err: fmt.Errorf("give --out DIR")}
			}
			modes := 0
			for _, on := range []bool{inv != "", local, f.server != ""} {
				if on {
					modes++
				}
			}
			switch {
			case modes == 0:
				return &exitError{code: 2, err: fmt.Errorf("nothing to collect: give -i INVENTORY, --local (on a Windows node) or --sql SERVER")}
			case modes > 1:
				return &exitError{code: 2, err: fmt.Errorf("give only one of -i, --local and --sql")}
			}
			if !local && (roles != "" || deployment != "" || nodeName != "") {
				return &exitError{code: 2, err: fmt.Errorf("--roles, --deployment and --node go with --local")}
			}
			if pf.parallel < 1 {
				return &exitError{code: 2, err: fmt.Errorf("--parallel %d: want 1 or more", pf.parallel)}
			}
			ctx := c.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			stderr := c.ErrOrStderr()
			switch {
			case inv != "":
				i, err := loadInventory(inv)
				if err != nil {
					return err
				}
				if _, err := collectInventory(ctx, i, out, pf, &f, quiet, c.InOrStdin(), stderr); err != nil {
					return err
				}
			case local:
				if !windows.Supported() {
					return &exitError{code: 2, err: collect.ErrLocalNotWindows}
				}
				rs, err := collect.ParseRoles(roles)
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--roles: %w", err)}
				}
				m, a, err := collect.Local(ctx, out, collect.LocalOptions{Roles: rs, Deployment: deployment, Variant: f.variant,
					ToolVersion: version, Windows: windows.Options{NodeName: nodeName}})
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				if !quiet {
					fmt.Fprintf(stderr, "collected node %s", m.Nodes[0].Name)
					if n := len(a.Errors); n > 0 {
						fmt.Fprintf(stderr, " (%d artifacts not collected: see nodes/%s/errors.json)", n, m.Nodes[0].Name)
					}
					fmt.Fprintln(stderr)
				}
			default:
				if err := os.MkdirAll(out, 0o755); err != nil {
					return &exitError{code: 2, err: fmt.Errorf("create %s: %w", out, err)}
				}
				if err := f.collectSQL(ctx, out, c.InOrStdin(), stderr); err != nil {
					return &exitError{code: 2, err: err}
				}
			}
			if !quiet {
				fmt.Fprintf(stderr, "wrote evidence bundle %s; next: ssis-ha-lint scan --bundle %s\n", out, out)
			}
			return nil
		},
	}
	f.register(c)
	pf.register(c)
	fl := c.Flags()
	fl.StringVar(&out, "out", "", "directory to write the evidence bundle into (new or empty for -i and --local)")
	fl.StringVarP(&inv, "inventory", "i", "", "inventory file (ssis-ha.yaml): collect every node and the SQL side it names")
	fl.BoolVar(&local, "local", false, "collect this Windows node only (a bundle part for \"bundle merge\")")
	fl.StringVar(&roles, "roles", "", "--local: this node's roles, comma-separated: master, worker, replica")
	fl.StringVar(&deployment, "deployment", "", "--local: the deployment's name (written to the part's manifest)")
	fl.StringVar(&nodeName, "node", "", "--local: node name to record (default: the computer name)")
	fl.BoolVarP(&quiet, "quiet", "q", false, "no progress display")
	return c
}
