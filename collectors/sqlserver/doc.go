// Package sqlserver collects the SQL Server side of an SSIS Scale Out
// high-availability deployment into an evidence bundle (shared/spec/bundle.md,
// "SQL artifacts"), read-only, with github.com/microsoft/go-mssqldb.
//
// Collect connects to the entry point (an AG listener or an instance), reads
// the replicas of the availability group(s) holding SSISDB, then connects to
// every replica directly, in parallel, each bounded by Options.Timeout, and
// runs the per-replica queries; the replica that is the SSISDB primary also
// runs the SSISDB queries (in the SSISDB database context). With no SSISDB AG
// (FCI or standalone) the entry instance is the only one. A replica that
// cannot be reached or a query that is refused is recorded and the rest goes
// on. WriteBundle writes sql/<INSTANCE>/<query_id>.json, sql/<INSTANCE>/errors.json
// and the manifest's "sql" entries.
//
// # Read-only by construction
//
// Every statement is an embedded queries/<id>.sql file and is a single SELECT,
// except the opt-in logdb_connection call (Options.ReadLogDBConnection), which
// runs SSISDB.internal.get_log_dbconnection to decrypt the Scale Out logging
// connection string; its Password value is replaced by *** before the result
// is stored, and the password is kept in memory only for logdb_password_check
// (PWDCOMPARE, the password passed as an sp_executesql parameter). Tests walk
// every statement the collector sends and fail on anything else.
//
// # Authentication
//
//   - AuthSQL: a SQL login (Options.User) with the password from the
//     environment variable SSIS_HA_LINT_SQL_PASSWORD (Options.PasswordEnv) or
//     an interactive prompt (Options.Prompt). Never a flag value. User names
//     with `\` or `@` are refused: go-mssqldb silently uses NTLM for
//     DOMAIN\user and sends a domain name without a backslash as a SQL login.
//   - AuthWindows: integrated authentication of the current Windows account
//     (SSPI, Windows only; no user, no password).
//   - AuthNTLM: DOMAIN\user with a password from the environment or prompt.
//   - AuthKerberos (Linux/macOS): go-mssqldb's krb5 authenticator
//     (authenticator=krb5). Options: Krb5ConfigFile (krb5-configfile; default
//     $KRB5_CONFIG, else /etc/krb5.conf), Krb5KeytabFile (krb5-keytabfile, with
//     User as the principal), Krb5CredCacheFile (krb5-credcachefile; default
//     $KRB5CCNAME, e.g. after kinit), Krb5Realm (krb5-realm; default from
//     user@REALM or krb5.conf's default_realm), ServerSPN (default
//     MSSQLSvc/<host>:<port>). With User and a password (environment/prompt)
//     it logs in with them; with User and no password it uses a keytab; with
//     neither it uses the credential cache.
//
// # Transport
//
// Encrypt is strict (TDS 8.0), mandatory (default), optional or disable;
// TrustServerCertificate skips validation; CAFile replaces the system roots
// (go-mssqldb "certificate"); HostNameInCertificate names the expected
// certificate host. MultiSubnetFailover: go-mssqldb resolves the host and,
// when it has several IPs and multisubnetfailover is true (its default),
// dials them all in parallel and keeps the first that connects — what an AG
// listener spanning subnets needs; false dials them one after another.
//
// # Bounded time
//
// go-mssqldb does not bound the pre-login/login handshake by the context, so
// every connection string carries `connection timeout` and `dial timeout`
// (Options.Timeout rounded up to seconds), connections use a net.Dialer with a
// timeout, and a watchdog abandons an instance that overruns its timeout by
// more than a second, recording it as timed out.
//
// Connection strings are built with net/url; they hold the password and are
// never logged or put in an error; every recorded message is also scrubbed of
// the password.
package sqlserver
