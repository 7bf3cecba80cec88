package sqlserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/sqlserver/internal/tdstest"
)

// testCtx bounds every test.
func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

func findInstance(res *Result, name string) *Instance {
	for _, in := range res.Instances {
		if strings.EqualFold(in.Name, name) {
			return in
		}
	}
	return nil
}

// A two-replica AG served from the healthy-ag bundle: collecting through
// the real driver and writing a bundle gives back the same SQL artifacts.
func TestCollectAGMatchesHealthyBundle(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLN1", "SQLN1", 0)
	n2 := newReplica(t, "SQLN2", "SQLN2", 0)
	o := testOptions(n1, n1, n2)
	o.ReadLogDBConnection = true
	o.ServiceAccounts = []string{`CONTOSO\svc-ssismaster`}
	res, err := Collect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Variant != "ag" || res.Primary != "SQLN1" || len(res.Instances) != 2 || !reflect.DeepEqual(res.AvailabilityGroups, []string{"ssis-ag"}) {
		t.Fatalf("variant %q primary %q ags %v instances %d", res.Variant, res.Primary, res.AvailabilityGroups, len(res.Instances))
	}
	for _, in := range res.Instances {
		if !in.Collected || in.Error != "" || len(in.Errors) != 0 {
			t.Errorf("%s: collected %v error %q errors %v", in.Name, in.Collected, in.Error, in.Errors)
		}
	}
	out := t.TempDir()
	res.ToolVersion = "test"
	if err := WriteBundle(out, res); err != nil {
		t.Fatal(err)
	}
	for _, inst := range []string{"SQLN1", "SQLN2"} {
		want, _ := os.ReadDir(filepath.Join(healthyAG, "sql", inst))
		got, _ := os.ReadDir(filepath.Join(out, "sql", inst))
		names := func(es []os.DirEntry) []string {
			var s []string
			for _, e := range es {
				if e.Name() != "errors.json" {
					s = append(s, e.Name())
				}
			}
			return s
		}
		if !reflect.DeepEqual(names(want), names(got)) {
			t.Errorf("%s files:\n got %v\nwant %v", inst, names(got), names(want))
		}
		for _, f := range names(want) {
			w := readJSON(t, filepath.Join(healthyAG, "sql", inst, f)).(map[string]any)
			g := readJSON(t, filepath.Join(out, "sql", inst, f)).(map[string]any)
			for _, k := range []string{"query_id", "columns", "rows", "error"} {
				if !reflect.DeepEqual(w[k], g[k]) {
					t.Errorf("%s/%s %s:\n got %v\nwant %v", inst, f, k, g[k], w[k])
				}
			}
			if g["sql"] != queryByID(strings.TrimSuffix(f, ".json")).SQL {
				t.Errorf("%s/%s: sql is not the statement sent", inst, f)
			}
			if _, err := time.Parse(time.RFC3339, g["collected_utc"].(string)); err != nil {
				t.Errorf("%s/%s collected_utc: %v", inst, f, err)
			}
		}
		if e := readJSON(t, filepath.Join(out, "sql", inst, "errors.json")); !reflect.DeepEqual(e, []any{}) {
			t.Errorf("%s errors.json = %v", inst, e)
		}
	}
	m := readJSON(t, filepath.Join(out, "bundle.json")).(map[string]any)
	if _, err := bundle.ParseManifest(mustRead(t, filepath.Join(out, "bundle.json"))); err != nil {
		t.Errorf("manifest does not parse: %v", err)
	}
	wantSQL := []any{
		map[string]any{"instance": "SQLN1", "collected": true, "error": ""},
		map[string]any{"instance": "SQLN2", "collected": true, "error": ""},
	}
	if !reflect.DeepEqual(m["sql"], wantSQL) || m["format"] != "ssis-ha-lint-bundle" || m["tool_version"] != "test" {
		t.Errorf("manifest %v", m)
	}
	// The bundle reader accepts the result.
	b, err := bundle.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Has("sql/SQLN1/ssisdb_worker_agents.json") || b.Has("sql/SQLN2/ssisdb_worker_agents.json") {
		t.Error("SSISDB queries must be stored under the primary only")
	}
	// SSISDB queries ran in the SSISDB database context; replicas in master.
	var ssisdbLogins int
	for _, l := range n1.srv.Logins() {
		if l.Database == "SSISDB" {
			ssisdbLogins++
		}
		if l.User != "auditor" || l.Password != "Aud1tor-Pw" || l.AppName != "ssis-ha-lint" {
			t.Errorf("login %+v", l)
		}
	}
	if ssisdbLogins != 1 {
		t.Errorf("%d SSISDB logins on the primary, want 1", ssisdbLogins)
	}
	for _, l := range n2.srv.Logins() {
		if l.Database == "SSISDB" {
			t.Error("SSISDB context opened on a secondary")
		}
	}
	// server_principals received the service accounts as a parameter.
	for _, rq := range n2.srv.Requests() {
		if queryIDOf(rq.SQL) == "server_principals" {
			if !rq.RPC || rq.Params["accounts"] != `|CONTOSO\svc-ssismaster|` {
				t.Errorf("server_principals request %+v", rq)
			}
		}
	}
	assertNoSecret(t, out, plantedLogDBPassword, "Aud1tor-Pw")
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertNoSecret fails if any file under dir contains one of the secrets.
func assertNoSecret(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) || bytes.Contains(b, []byte(strings.ReplaceAll(s, `"`, `\"`))) {
				t.Errorf("%s contains a secret", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Permission denied on SSISDB objects is recorded per query; the rest is collected.
func TestPermissionDeniedIsRecorded(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLN1", "SQLN1", 0)
	n2 := newReplica(t, "SQLN2", "SQLN2", 0)
	denied := tdstest.Response{Error: &tdstest.Error{Number: 229, State: 5, Class: 14,
		Message: "The SELECT permission was denied on the object 'worker_agents', database 'SSISDB', schema 'catalog'."}}
	n1.override("ssisdb_worker_agents", denied)
	n1.override("ssisdb_catalog_properties", denied)
	res, err := Collect(ctx, testOptions(n1, n1, n2))
	if err != nil {
		t.Fatal(err)
	}
	in := findInstance(res, "SQLN1")
	if in == nil || !in.Collected {
		t.Fatalf("SQLN1 not collected: %+v", in)
	}
	if len(in.Errors) != 2 || in.Errors[0].Query != "ssisdb_catalog_properties" || in.Errors[1].Query != "ssisdb_worker_agents" ||
		!strings.HasPrefix(in.Errors[1].Error, "Msg 229, Level 14, State 5: The SELECT permission was denied") {
		t.Fatalf("errors %+v", in.Errors)
	}
	out := t.TempDir()
	if err := WriteBundle(out, res); err != nil {
		t.Fatal(err)
	}
	wa := readJSON(t, filepath.Join(out, "sql/SQLN1/ssisdb_worker_agents.json")).(map[string]any)
	if wa["rows"] != nil || !strings.Contains(wa["error"].(string), "permission was denied") {
		t.Errorf("worker_agents file %v", wa)
	}
	mp := readJSON(t, filepath.Join(out, "sql/SQLN1/ssisdb_master_properties.json")).(map[string]any)
	if mp["error"] != nil || len(mp["rows"].([]any)) != 9 {
		t.Errorf("master_properties file %v", mp)
	}
	errs := readJSON(t, filepath.Join(out, "sql/SQLN1/errors.json")).([]any)
	if len(errs) != 2 || errs[1].(map[string]any)["Query"] != "ssisdb_worker_agents" {
		t.Errorf("errors.json %v", errs)
	}
	if in2 := findInstance(res, "SQLN2"); in2 == nil || len(in2.Errors) != 0 {
		t.Errorf("SQLN2 %+v", in2)
	}
}

// closedPort returns a 127.0.0.1 address nobody listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// One replica down: recorded with the reason, the other collected.
func TestUnreachableReplica(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLN1", "SQLN1", 0)
	o := testOptions(n1, n1)
	o.ReplicaAddrs["SQLN2"] = closedPort(t)
	start := time.Now()
	res, err := Collect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > o.Timeout {
		t.Errorf("took %s", el)
	}
	in2 := findInstance(res, "SQLN2")
	if in2 == nil || in2.Collected || !strings.Contains(in2.Error, "refused") || len(in2.Errors) != 1 || in2.Errors[0].Query != "" {
		t.Fatalf("SQLN2 %+v", in2)
	}
	if in1 := findInstance(res, "SQLN1"); in1 == nil || !in1.Collected || len(in1.Errors) != 0 || !in1.Primary {
		t.Fatalf("SQLN1 %+v", in1)
	}
	out := t.TempDir()
	if err := WriteBundle(out, res); err != nil {
		t.Fatal(err)
	}
	errs := readJSON(t, filepath.Join(out, "sql/SQLN2/errors.json")).([]any)
	if len(errs) != 1 || errs[0].(map[string]any)["Query"] != "" {
		t.Errorf("errors.json %v", errs)
	}
	m, err := bundle.ParseManifest(mustRead(t, filepath.Join(out, "bundle.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.SQL) != 2 || m.SQL[1].Instance != "SQLN2" || m.SQL[1].Collected || m.SQL[1].Error == "" {
		t.Errorf("manifest sql %+v", m.SQL)
	}
}

// A replica that accepts TCP and never answers ends within the timeout.
func TestSilentReplicaEndsWithinTimeout(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLN1", "SQLN1", 0)
	silent := &tdstest.Server{Silent: true}
	if err := silent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(silent.Close)
	o := testOptions(n1, n1)
	o.Timeout = 1500 * time.Millisecond
	o.ReplicaAddrs["SQLN2"] = silent.Addr()
	start := time.Now()
	res, err := Collect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("silent replica: collection ended after %s (timeout %s)", el.Round(time.Millisecond), o.Timeout)
	if el > o.Timeout+watchdogGrace+500*time.Millisecond {
		t.Errorf("took %s with a %s timeout", el, o.Timeout)
	}
	in2 := findInstance(res, "SQLN2")
	if in2 == nil || in2.Collected || in2.Error == "" {
		t.Fatalf("SQLN2 %+v", in2)
	}
	t.Logf("SQLN2 error: %s", in2.Error)
	if in1 := findInstance(res, "SQLN1"); in1 == nil || !in1.Collected {
		t.Fatalf("SQLN1 %+v", in1)
	}
}

// A silent entry point: Collect returns ErrEntryUnreachable within the timeout.
func TestSilentEntryPoint(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	silent := &tdstest.Server{Silent: true}
	if err := silent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(silent.Close)
	o := Options{Server: silent.Addr(), Auth: AuthSQL, User: "u", Getenv: func(string) string { return "pw-1234" },
		Encrypt: EncryptDisable, Timeout: time.Second}
	start := time.Now()
	res, err := Collect(ctx, o)
	if !errors.Is(err, ErrEntryUnreachable) || res == nil || len(res.Instances) != 1 {
		t.Fatalf("err %v res %+v", err, res)
	}
	if el := time.Since(start); el > o.Timeout+watchdogGrace+500*time.Millisecond {
		t.Errorf("took %s", el)
	}
	out := t.TempDir()
	if err := WriteBundle(out, res); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "sql", "127.0.0.1", "errors.json")); err != nil {
		t.Error(err)
	}
}

// A query that never answers times out (the driver cancels it); the
// instance's earlier results are kept.
func TestSlowQueryTimesOut(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLN1", "SQLN1", 0)
	n2 := newReplica(t, "SQLN2", "SQLN2", 0)
	n2.override("backups", tdstest.Response{Hang: true})
	o := testOptions(n1, n1, n2)
	o.Timeout = 1500 * time.Millisecond
	start := time.Now()
	res, err := Collect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > o.Timeout+watchdogGrace+500*time.Millisecond {
		t.Errorf("took %s", el)
	}
	in2 := findInstance(res, "SQLN2")
	if in2 == nil || !in2.Collected {
		t.Fatalf("SQLN2 %+v", in2)
	}
	var backupErr string
	for _, e := range in2.Errors {
		if e.Query == "backups" {
			backupErr = e.Error
		}
	}
	if !strings.Contains(backupErr, "timed out") {
		t.Errorf("backups error %q (errors %+v)", backupErr, in2.Errors)
	}
	if len(in2.Results) < 10 {
		t.Errorf("earlier results lost: %d", len(in2.Results))
	}
}

// A dropped connection in the middle is recorded, not fatal.
func TestDroppedConnection(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLN1", "SQLN1", 0)
	n2 := newReplica(t, "SQLN2", "SQLN2", 0)
	n2.override("configurations", tdstest.Response{Drop: true})
	res, err := Collect(ctx, testOptions(n1, n1, n2))
	if err != nil {
		t.Fatal(err)
	}
	in2 := findInstance(res, "SQLN2")
	if in2 == nil || len(in2.Errors) == 0 || in2.Errors[0].Query != "configurations" {
		t.Fatalf("SQLN2 %+v", in2)
	}
	t.Logf("dropped: %s", in2.Errors[0].Error)
	if in1 := findInstance(res, "SQLN1"); in1 == nil || len(in1.Errors) != 0 {
		t.Fatalf("SQLN1 %+v", in1)
	}
}

// FCI / no SSISDB AG: only the entry instance, which answers everything.
func TestFCIEntryOnly(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLFCI", "SQLN1", 0)
	n1.override("ag_ssisdb", tdstest.Response{Results: []tdstest.ResultSet{{Columns: []tdstest.Column{
		{Name: "ag_name", Type: tdstest.NVarChar}, {Name: "group_id", Type: tdstest.UniqueIdentifier}, {Name: "database_name", Type: tdstest.NVarChar}}}}})
	n1.override("server_properties", tdstest.Response{Results: []tdstest.ResultSet{{
		Columns: []tdstest.Column{{Name: "ServerName", Type: tdstest.NVarChar}, {Name: "IsClustered", Type: tdstest.Int}},
		Rows:    [][]any{{`SQLFCI\INST1`, 1}}}}})
	o := testOptions(n1)
	res, err := Collect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Variant != "fci" || len(res.Instances) != 1 || res.Primary != `SQLFCI\INST1` || !res.Instances[0].Primary {
		t.Fatalf("%+v", res)
	}
	out := t.TempDir()
	if err := WriteBundle(out, res); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "sql", "SQLFCI$INST1", "ssisdb_master_properties.json")); err != nil {
		t.Error(err)
	}
	m, _ := bundle.ParseManifest(mustRead(t, filepath.Join(out, "bundle.json")))
	if m == nil || m.Deployment.Variant != "fci" || m.SQL[0].Instance != "SQLFCI$INST1" {
		t.Errorf("manifest %+v", m)
	}
}

// The real driver, 20 replicas answering every request after 200 ms, in parallel.
func TestParallelReplicas(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	el := collectMany(t, ctx, 20, 200*time.Millisecond, 0)
	perReplica := 11 * 200 * time.Millisecond // 11 per-replica queries, one round trip each
	t.Logf("20 replicas x 200 ms per answer: %s (one replica alone needs >= %s, sequential >= %s)",
		el.Round(time.Millisecond), perReplica, 20*perReplica)
	if el > 20*perReplica/5 { // generous: CI machines are loaded; sequential would be 44 s
		t.Errorf("not parallel: %s", el)
	}
	el = collectMany(t, ctx, 20, 0, 200*time.Millisecond)
	t.Logf("20 replicas x 200 ms to answer the connection: %s (sequential >= %s)", el.Round(time.Millisecond), 20*200*time.Millisecond)
	if el > 20*200*time.Millisecond*7/8 {
		t.Errorf("not parallel: %s", el)
	}
}

func collectMany(t testing.TB, ctx context.Context, n int, delay, connDelay time.Duration) time.Duration {
	entry := newReplica(t, "SQLN1", "SQLN1", 0)
	entryReplicas := tdstest.ResultSet{Columns: []tdstest.Column{
		{Name: "ag_name", Type: tdstest.NVarChar}, {Name: "replica_server_name", Type: tdstest.NVarChar}, {Name: "role_desc", Type: tdstest.NVarChar}}}
	var reps []*replica
	for i := range n {
		name := fmt.Sprintf("SQLR%02d", i)
		fix := "SQLN2"
		if i == 0 {
			fix = "SQLN1"
		}
		r := newReplica(t, name, fix, delay)
		r.srv.PreloginDelay = connDelay // read only by connections made later
		reps = append(reps, r)
		role := "SECONDARY"
		if i == 0 {
			role = "PRIMARY"
		}
		entryReplicas.Rows = append(entryReplicas.Rows, []any{"ssis-ag", name, role})
	}
	entry.override("ag_replicas", tdstest.Response{Results: []tdstest.ResultSet{entryReplicas}})
	// the fixture's ag_replicas says SQLN1 is primary; rename for SQLR00
	reps[0].override("ssisdb_replica_states", tdstest.Response{Results: []tdstest.ResultSet{{
		Columns: []tdstest.Column{{Name: "is_local", Type: tdstest.Bit}, {Name: "is_primary_replica", Type: tdstest.Bit}},
		Rows:    [][]any{{true, true}}}}})
	o := testOptions(entry, reps...)
	o.Timeout = 10 * time.Second
	start := time.Now()
	res, err := Collect(ctx, o)
	el := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Instances) != n || res.Primary != "SQLR00" {
		t.Fatalf("%d instances, primary %q", len(res.Instances), res.Primary)
	}
	for _, in := range res.Instances {
		if !in.Collected || len(in.Errors) != 0 {
			t.Fatalf("%s: %+v", in.Name, in.Errors)
		}
		if testing.Verbose() {
			t.Logf("%s %s", in.Name, in.Elapsed)
		}
	}
	return el
}

func BenchmarkCollect20Replicas200ms(b *testing.B) {
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		el := collectMany(b, ctx, 20, 200*time.Millisecond, 0)
		cancel()
		b.ReportMetric(float64(el.Milliseconds()), "ms/collect")
	}
}

// No password in errors, logs or files: a login failure with a planted password.
func TestPasswordNeverLeaks(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	const planted = `Pl@nted;Pw/?#%&=x"y`
	srv := &tdstest.Server{CheckLogin: func(l tdstest.Login) *tdstest.Error {
		if l.Password != planted {
			return &tdstest.Error{Number: 50000, State: 1, Class: 16, Message: "test: wrong planted password received"}
		}
		return &tdstest.Error{Number: 18456, State: 1, Class: 14, Message: "Login failed for user '" + l.User + "'."}
	}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	var logMu sync.Mutex
	var logs strings.Builder
	o := Options{Server: "sqlserver://" + srv.Addr(), Auth: AuthSQL, User: "auditor",
		Getenv: func(k string) string {
			if k == PasswordEnv {
				return planted
			}
			return ""
		},
		Encrypt: EncryptDisable, Timeout: 2 * time.Second,
		Logf: func(f string, a ...any) { logMu.Lock(); fmt.Fprintf(&logs, f+"\n", a...); logMu.Unlock() },
	}
	res, err := Collect(ctx, o)
	if !errors.Is(err, ErrEntryUnreachable) {
		t.Fatalf("want ErrEntryUnreachable, got %v", err)
	}
	if !strings.Contains(err.Error(), "Msg 18456") || !strings.Contains(err.Error(), "Login failed for user 'auditor'") {
		t.Errorf("error %q", err)
	}
	out := t.TempDir()
	if err := WriteBundle(out, res); err != nil {
		t.Fatal(err)
	}
	logMu.Lock()
	texts := map[string]string{"error": err.Error(), "result": fmt.Sprintf("%+v %+v", res, res.Instances[0]), "log": logs.String()}
	logMu.Unlock()
	for what, s := range texts {
		for _, form := range []string{planted, "Pl@nted", "Pl%40nted"} {
			if strings.Contains(s, form) {
				t.Errorf("%s contains the password (%q): %s", what, form, s)
			}
		}
	}
	assertNoSecret(t, out, planted, "Pl@nted", "Pl%40nted")
	if got := srv.Logins(); len(got) != 1 || got[0].Password != planted {
		t.Errorf("the password did not reach the server intact: %+v", got)
	}
}

// The default (encrypt=mandatory) refuses a server without TLS, quickly.
func TestMandatoryEncryptionRefusesPlainServer(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLN1", "SQLN1", 0)
	o := testOptions(n1, n1)
	o.Encrypt = ""
	res, err := Collect(ctx, o)
	if !errors.Is(err, ErrEntryUnreachable) || !strings.Contains(res.Error, "encryption") {
		t.Fatalf("err %v, res.Error %q", err, res.Error)
	}
	if len(n1.srv.Logins()) != 0 {
		t.Error("the login was sent over an unencrypted connection")
	}
}

// NTLM: DOMAIN\user goes out as an SSPI (NTLM) login, not as a SQL login
// with a backslash in its name; the responder refuses it like a server
// without a trust would, and the password stays out of the error.
func TestNTLMLoginIsNotASQLLogin(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLN1", "SQLN1", 0)
	o := testOptions(n1, n1)
	o.Auth, o.User = AuthNTLM, `CONTOSO\auditor`
	res, err := Collect(ctx, o)
	if !errors.Is(err, ErrEntryUnreachable) || !strings.Contains(res.Error, "18452") || strings.Contains(res.Error, "Aud1tor-Pw") {
		t.Fatalf("err %v, res.Error %q", err, res.Error)
	}
	l := n1.srv.Logins()
	if len(l) != 1 || !l[0].SSPI || l[0].User != "" || l[0].Password != "" {
		t.Errorf("login %+v", l)
	}
}
