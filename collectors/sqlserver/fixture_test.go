package sqlserver

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// columnTypes gives the TDS type of fixture columns that are not plain
// strings/ints/bools.
var columnTypes = map[string]tdstest.Type{
	"group_id":               tdstest.UniqueIdentifier,
	"replica_id":             tdstest.UniqueIdentifier,
	"WorkerAgentId":          tdstest.UniqueIdentifier,
	"sid":                    tdstest.VarBinary,
	"backup_finish_date":     tdstest.DateTime,
	"password_last_set_time": tdstest.DateTime,
	"LastOnlineTime":         tdstest.DateTimeOffset,
	"state":                  tdstest.TinyInt,
	"property_value":         tdstest.NVarCharMax,
	"connection_string":      tdstest.NVarCharMax,
	"is_expired":             tdstest.Int,
	"is_locked":              tdstest.Int,
	"active_count":           tdstest.Int,
	"password_matches":       tdstest.Int,
	"port":                   tdstest.Int,
	"value_in_use":           tdstest.Int,
}

type fixtureFile struct {
	QueryID string   `json:"query_id"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	Error   *string  `json:"error"`
}

// loadFixture reads sql/<instance>/*.json of the healthy-ag bundle.
func loadFixture(t testing.TB, instance string) map[string]fixtureFile {
	t.Helper()
	dir := filepath.Join(healthyAG, "sql", instance)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("fixture bundle: %v", err)
	}
	out := map[string]fixtureFile{}
	for _, e := range ents {
		if e.Name() == "errors.json" || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var f fixtureFile
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = f
	}
	return out
}

// toResultSet turns a bundle file back into a TDS result set.
func toResultSet(t testing.TB, f fixtureFile) tdstest.ResultSet {
	t.Helper()
	rs := tdstest.ResultSet{}
	for ci, c := range f.Columns {
		typ, ok := columnTypes[c]
		if !ok {
			typ = tdstest.NVarChar
			for _, r := range f.Rows {
				switch r[ci].(type) {
				case bool:
					typ = tdstest.Bit
				case json.Number:
					typ = tdstest.Int
				}
			}
		}
		rs.Columns = append(rs.Columns, tdstest.Column{Name: c, Type: typ})
	}
	for _, r := range f.Rows {
		row := make([]any, len(r))
		for ci, v := range r {
			row[ci] = fixtureValue(t, rs.Columns[ci].Type, v)
		}
		rs.Rows = append(rs.Rows, row)
	}
	return rs
}

func fixtureValue(t testing.TB, typ tdstest.Type, v any) any {
	if v == nil {
		return nil
	}
	switch typ {
	case tdstest.Int, tdstest.TinyInt, tdstest.BigInt:
		if b, ok := v.(bool); ok {
			if b {
				return 1
			}
			return 0
		}
		n, err := v.(json.Number).Int64()
		if err != nil {
			t.Fatal(err)
		}
		return n
	case tdstest.VarBinary:
		b, err := hex.DecodeString(strings.TrimPrefix(v.(string), "0x"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	case tdstest.DateTime, tdstest.DateTime2, tdstest.DateTimeOffset:
		tm, err := time.Parse(time.RFC3339Nano, v.(string))
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	return v
}

// replica is one fake SQL Server instance.
type replica struct {
	name string
	srv  *tdstest.Server

	mu        sync.Mutex
	overrides map[string]tdstest.Response // by query id
}

func (r *replica) override(id string, resp tdstest.Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.overrides[id] = resp
}

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
	files := loadFixture(t, fixtureInstance)
	r := &replica{name: name, overrides: map[string]tdstest.Response{}}
	answers := map[string]tdstest.Response{}
	for id, f := range files {
		if f.Error != nil {
			answers[id] = tdstest.Response{Error: &tdstest.Error{Number: 229, State: 5, Class: 14, Message: *f.Error}}
			continue
		}
		rs := toResultSet(t, f)
		if id == "server_properties" && name != fixtureInstance {
			for i := 0; i < 3; i++ {
				rs.Rows[0][i] = name
			}
		}
		if id == logdbConnectionID {
			s := rs.Rows[0][0].(string)
			rs.Rows[0][0] = strings.Replace(s, "Password=***", `Password="`+plantedLogDBPassword+`"`, 1)
		}
		answers[id] = tdstest.Response{Results: []tdstest.ResultSet{rs}}
	}
	pwCheck := files["logdb_password_check"]
	r.srv = &tdstest.Server{ServerName: name, Handler: func(req tdstest.Request) tdstest.Response {
		id := queryIDOf(req.SQL)
		r.mu.Lock()
		ov, hasOv := r.overrides[id]
		r.mu.Unlock()
		if hasOv {
			return ov
		}
		if id == "logdb_password_check" {
			matches := 0
			if req.Params["password"] == plantedLogDBPassword {
				matches = 1
			}
			login, _ := req.Params["login"].(string)
			rows := [][]any{}
			if len(pwCheck.Rows) > 0 && login == pwCheck.Rows[0][0] {
				rows = append(rows, []any{login, matches})
			}
			return tdstest.Response{Delay: delay, Results: []tdstest.ResultSet{{
				Columns: []tdstest.Column{{Name: "login_name", Type: tdstest.NVarChar}, {Name: "password_matches", Type: tdstest.Int}},
				Rows:    rows,
			}}}
		}
		a, ok := answers[id]
		if !ok {
			return tdstest.Response{Error: &tdstest.Error{Number: 208, State: 1, Class: 16, Message: "Invalid object name (no fixture for this statement)."}}
		}
		a.Delay = delay
		return a
	}}
	if err := r.srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.srv.Close)
	return r
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
