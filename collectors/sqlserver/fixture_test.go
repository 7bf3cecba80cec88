package sqlserver

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/sqlserver/internal/tdstest"
)

// healthyAG is the example bundle whose SQL artifacts the fake replicas
// serve, so that a collection through the real driver can be compared with it.
const healthyAG = "../../testdata/bundles/healthy-ag"

// The planted logging password the fake's decrypted connection string holds
// (quoted, with ; and = inside, to exercise the redaction).
const plantedLogDBPassword = `L0gDB;Pl@nted=pw`

// replica is one fake SQL Server instance serving a healthy-ag folder.
type replica struct {
	name string
	srv  *tdstest.Server
	r    *tdstest.Replica
}

func (r *replica) override(id string, resp tdstest.Response) { r.r.Override(id, resp) }

// queryIDOf maps statement text back to its query id ("" if unknown).
func queryIDOf(sqlText string) string {
	for _, q := range pack {
		if q.SQL == strings.TrimSpace(sqlText) {
			return q.ID
		}
	}
	return ""
}

// newReplica starts a fake instance serving the healthy-ag bundle's files
// of fixtureInstance (the logdb connection string carries the planted password).
func newReplica(t testing.TB, name, fixtureInstance string, delay time.Duration) *replica {
	t.Helper()
	r, err := tdstest.NewReplica(tdstest.ReplicaConfig{Name: name, Dir: filepath.Join(healthyAG, "sql", fixtureInstance),
		QueryID: queryIDOf, Delay: delay, LogDBPassword: plantedLogDBPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Srv.Close)
	return &replica{name: name, srv: r.Srv, r: r}
}

// testOptions are options for the fakes: SQL login, no TLS, short timeout.
func testOptions(entry *replica, replicas ...*replica) Options {
	addrs := map[string]string{}
	for _, r := range replicas {
		addrs[r.name] = r.srv.Addr()
	}
	return Options{
		Server:       entry.srv.Addr(),
		Auth:         AuthSQL,
		User:         "auditor",
		Getenv:       func(k string) string { return map[string]string{PasswordEnv: "Aud1tor-Pw"}[k] },
		Encrypt:      EncryptDisable,
		Timeout:      3 * time.Second,
		ReplicaAddrs: addrs,
	}
}
