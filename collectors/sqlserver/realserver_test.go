package sqlserver

import (
	"context"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// RealServerEnv holds a go-mssqldb URL (sqlserver://user:password@host:port?encrypt=...&TrustServerCertificate=true)
// of a real SQL Server for the second suite.
const RealServerEnv = "SSIS_HA_LINT_TEST_SQLSERVER"

func realServerOptions(t *testing.T) Options {
	t.Helper()
	dsn := os.Getenv(RealServerEnv)
	if dsn == "" {
		t.Skipf("%s is not set: skipping the real SQL Server suite (set it to sqlserver://user:password@host:port?encrypt=...&TrustServerCertificate=true to run it)", RealServerEnv)
	}
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme != "sqlserver" {
		t.Fatalf("%s: want a sqlserver:// URL", RealServerEnv)
	}
	o := Options{Server: "sqlserver://" + u.Host + u.Path, Timeout: 30 * time.Second}
	if u.User != nil {
		pw, _ := u.User.Password()
		o.User = u.User.Username()
		o.Getenv = func(k string) string {
			if k == PasswordEnv {
				return pw
			}
			return ""
		}
		o.Auth = AuthSQL
		if strings.Contains(o.User, `\`) {
			o.Auth = AuthNTLM
		}
	} else {
		o.Auth = AuthKerberos
	}
	q := u.Query()
	for k, v := range q {
		switch strings.ToLower(k) {
		case "encrypt":
			switch strings.ToLower(v[0]) {
			case "true", "yes", "mandatory":
				o.Encrypt = EncryptMandatory
			case "false", "no", "optional":
				o.Encrypt = EncryptOptional
			default:
				o.Encrypt = strings.ToLower(v[0])
			}
		case "trustservercertificate":
			o.TrustServerCertificate = strings.EqualFold(v[0], "true")
		case "certificate":
			o.CAFile = v[0]
		}
	}
	return o
}

// Errors a real server may legitimately return for this pack on a machine
// that is not an SSIS Scale Out replica (no SSISDB, no AG, no permission).
var acceptableServerError = regexp.MustCompile(`^Msg (208|229|230|297|300|916|4060|15151|15247|18456|976|978|40515)\b|SSISDB connection|not applicable|logging password not available`)

// The second suite: the same collector against a real SQL Server. Every
// query must parse and run there, return exactly the documented columns,
// and fail only with "object missing / not permitted" kinds of errors.
func TestRealSQLServer(t *testing.T) {
	o := realServerOptions(t)
	o.ReadLogDBConnection = true
	o.Logf = t.Logf
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Collect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("variant %q, AGs %v, primary %q, %d instance(s), warnings %v", res.Variant, res.AvailabilityGroups, res.Primary, len(res.Instances), res.Warnings)
	for _, in := range res.Instances {
		if !in.Collected {
			t.Errorf("%s: not collected: %s", in.Name, in.Error)
			continue
		}
		for _, rs := range in.Results {
			if rs.Error != nil {
				if !acceptableServerError.MatchString(*rs.Error) {
					t.Errorf("%s/%s: %s", in.Name, rs.QueryID, *rs.Error)
				} else {
					t.Logf("%s/%s: %s", in.Name, rs.QueryID, *rs.Error)
				}
				continue
			}
			if want := queryByID(rs.QueryID).Columns; !reflect.DeepEqual(rs.Columns, want) {
				t.Errorf("%s/%s columns %v, want %v", in.Name, rs.QueryID, rs.Columns, want)
			}
		}
	}
	dir := t.TempDir()
	if err := WriteBundle(dir, res); err != nil {
		t.Fatal(err)
	}
	if pw := o.Getenv; pw != nil && len(pw(PasswordEnv)) >= 3 {
		assertNoSecret(t, dir, pw(PasswordEnv))
	}
}
