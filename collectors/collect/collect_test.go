package collect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/inventory"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/windows"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/winrm/winrmtest"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

var healthyAG, _ = filepath.Abs("../../testdata/bundles/healthy-ag")

var (
	engOnce sync.Once
	eng     *policies.Engine
	engErr  error
)

func engine(t *testing.T) *policies.Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("loads the policy engine")
	}
	engOnce.Do(func() { eng, engErr = policies.Load(context.Background()) })
	if engErr != nil {
		t.Fatal(engErr)
	}
	return eng
}

// scanResults scans dir and returns rule+subject -> status.
func scanResults(t *testing.T, dir string) (map[string]string, *reports.Report) {
	t.Helper()
	rep, _, err := scan.Run(context.Background(), engine(t), scan.Options{Bundle: dir, Now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rep.Results {
		out[r.Rule+" "+r.Subject.Kind+":"+r.Subject.Node+"|"+r.Subject.Instance+"|"+r.Subject.Object] = r.Status
	}
	return out, rep
}

func sameResults(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) == 0 || len(got) != len(want) {
		t.Errorf("%d results, want %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s, want %s", k, got[k], w)
		}
	}
}

// recorder is a Progress that keeps every event and the peak number of
// targets collected at once.
type recorder struct {
	mu       sync.Mutex
	planned  []Target
	events   []string
	active   int
	peak     int
	finished bool
}

func (r *recorder) Plan(ts []Target) { r.mu.Lock(); r.planned = ts; r.mu.Unlock() }
func (r *recorder) Start(t Target) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active++
	r.peak = max(r.peak, r.active)
	r.events = append(r.events, "start "+t.Name)
}
func (r *recorder) Done(t Target, note string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active--
	r.events = append(r.events, "done "+t.Name)
}
func (r *recorder) Fail(t Target, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active--
	r.events = append(r.events, "fail "+t.Name+": "+err.Error())
}
func (r *recorder) Finish() { r.mu.Lock(); r.finished = true; r.mu.Unlock() }

// worker is an inventory node entry for a WinRM fake.
func worker(t *testing.T, dir, name string, srv *winrmtest.Server, host string, port int, timeout string) string {
	t.Helper()
	ca := filepath.Join(dir, name+"-ca.pem")
	if srv != nil {
		if err := srv.WriteCA(ca); err != nil {
			t.Fatal(err)
		}
	} else {
		os.WriteFile(ca, nil, 0o644)
	}
	s := fmt.Sprintf(`  - name: %s
    roles: [worker]
`, name)
	if timeout != "" {
		s += "    timeout: " + timeout + "\n"
	}
	s += fmt.Sprintf(`    winrm:
      host: %s
      port: %d
      transport: https
      auth: ntlm
      user_env: TEST_WINRM_USER
      password_env: TEST_WINRM_PASSWORD
      ca_file: %s
`, host, port, ca)
	return s
}

// fakeWorker starts a WinRM fake that answers with healthy-ag's node.
func fakeWorker(t *testing.T, node string) *winrmtest.Server {
	t.Helper()
	doc, err := winrmtest.DocumentFromNodeDir(filepath.Join(healthyAG, "nodes", node))
	if err != nil {
		t.Fatal(err)
	}
	srv := winrmtest.NewServer(winrmtest.ScriptOutput(doc))
	t.Cleanup(srv.Close)
	return srv
}

func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return p
}

// inventoryOf writes an inventory of 2 masters (from the healthy-ag bundle),
// the given worker entries and SQL from the healthy-ag bundle (the TDS
// responder is internal to collectors/sqlserver; see
// collectors/sqlserver/internal/... for the live SQL path).
func inventoryOf(t *testing.T, dir string, workers ...string) *inventory.Inventory {
	t.Helper()
	y := `deployment:
  name: prod-etl
  variant: ag
  master_dns: ssismaster.contoso.com
  master_port: 8391
  listener: aglsn.contoso.com,1433
  scale_out_version: "150"
timeout: 20s
nodes:
  - name: SQLN1
    roles: [master, replica]
    bundle: ` + healthyAG + `
  - name: SQLN2
    roles: [master, replica]
    bundle: ` + healthyAG + `
` + strings.Join(workers, "") + `sql:
  bundle: ` + healthyAG + "\n"
	p := filepath.Join(dir, "ssis-ha.yaml")
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func env(k string) (string, bool) {
	v, ok := map[string]string{"TEST_WINRM_USER": `CONTOSO\admin`, "TEST_WINRM_PASSWORD": "Pl@nted-WinRM-pw"}[k]
	return v, ok
}

func manifestOf(t *testing.T, dir string) *bundle.Manifest {
	t.Helper()
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The "done when": 2 masters + 2 workers (WinRM fakes) + SQL -> one
// bundle, which scans like testdata/bundles/healthy-ag.
func TestRunMastersAndWinRMWorkers(t *testing.T) {
	dir := t.TempDir()
	w1, w2 := fakeWorker(t, "WRK1"), fakeWorker(t, "WRK2")
	inv := inventoryOf(t, dir,
		worker(t, dir, "WRK1", w1, w1.Host(), w1.Port(), ""),
		worker(t, dir, "WRK2", w2, w2.Host(), w2.Port(), ""))
	out := filepath.Join(dir, "bundle")
	rec := &recorder{}
	sum, err := Run(context.Background(), inv, out, Options{Progress: rec, Lookup: env, ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if f := sum.Failed(); len(f) != 0 {
		t.Fatalf("failed targets: %+v", f)
	}
	if w1.Requests() == 0 || w2.Requests() == 0 {
		t.Errorf("the workers were not asked (%d, %d requests)", w1.Requests(), w2.Requests())
	}
	m := manifestOf(t, out)
	var names []string
	for _, n := range m.Nodes {
		names = append(names, fmt.Sprintf("%s%v:%v", n.Name, n.Roles, n.Collected))
	}
	if got := strings.Join(names, " "); got != "SQLN1[master replica]:true SQLN2[master replica]:true WRK1[worker]:true WRK2[worker]:true" {
		t.Errorf("manifest nodes %s", got)
	}
	if len(m.SQL) != 2 || !m.SQL[0].Collected || m.SQL[0].Instance != "SQLN1" {
		t.Errorf("manifest sql %+v", m.SQL)
	}
	if m.Deployment.MasterDNS != "ssismaster.contoso.com" || m.Deployment.Listener != "aglsn.contoso.com,1433" || m.ToolVersion != "test" {
		t.Errorf("manifest %+v", m)
	}
	if len(rec.planned) != 5 || !rec.finished {
		t.Errorf("progress: planned %v finished %v", rec.planned, rec.finished)
	}
	// no staging left behind, no secret written
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind %s", e.Name())
		}
	}
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), "Pl@nted-WinRM-pw") {
				t.Errorf("%s holds the WinRM password", p)
			}
		}
		return nil
	})

	want, wantRep := scanResults(t, healthyAG)
	got, rep := scanResults(t, out)
	sameResults(t, got, want)
	if rep.ExitCode != wantRep.ExitCode {
		t.Errorf("exit code %d, want %d", rep.ExitCode, wantRep.ExitCode)
	}
}

// One unreachable node: the others are collected, the manifest records the
// failure, and the scan exits 3 (unknown, never pass).
func TestRunUnreachableNode(t *testing.T) {
	dir := t.TempDir()
	w1 := fakeWorker(t, "WRK1")
	inv := inventoryOf(t, dir,
		worker(t, dir, "WRK1", w1, w1.Host(), w1.Port(), ""),
		worker(t, dir, "WRK2", nil, "127.0.0.1", closedPort(t), ""))
	out := filepath.Join(dir, "bundle")
	sum, err := Run(context.Background(), inv, out, Options{Lookup: env})
	if err != nil {
		t.Fatal(err)
	}
	failed := sum.Failed()
	if len(failed) != 1 || failed[0].Target.Name != "WRK2" || failed[0].Error == "" {
		t.Fatalf("failed %+v", failed)
	}
	m := manifestOf(t, out)
	for _, n := range m.Nodes {
		switch {
		case n.Name == "WRK2" && (n.Collected || n.Error == ""):
			t.Errorf("WRK2 in the manifest: %+v", n)
		case n.Name != "WRK2" && !n.Collected:
			t.Errorf("%s not collected: %s", n.Name, n.Error)
		}
	}
	t.Logf("WRK2: %s", failed[0].Error)
	if _, err := os.Stat(filepath.Join(out, "nodes", "WRK2")); err == nil {
		t.Error("nodes/WRK2 exists")
	}
	got, rep := scanResults(t, out)
	if rep.ExitCode != 3 {
		t.Errorf("exit code %d, want 3 (summary %+v)", rep.ExitCode, rep.Summary)
	}
	unknown := 0
	for k, s := range got {
		if s == "unknown" && strings.Contains(k, "WRK2") {
			unknown++
		}
		if s == "pass" && strings.Contains(k, "node:WRK2|") {
			t.Errorf("%s passes without WRK2's facts", k)
		}
	}
	if unknown == 0 {
		t.Error("no WRK2 check is unknown")
	}
}

// A hung node ends at its own timeout and does not hold the others.
func TestRunHungNode(t *testing.T) {
	dir := t.TempDir()
	w1 := fakeWorker(t, "WRK1")
	hung := winrmtest.NewHungServer()
	t.Cleanup(hung.Close)
	inv := inventoryOf(t, dir,
		worker(t, dir, "WRK1", w1, w1.Host(), w1.Port(), ""),
		worker(t, dir, "WRK2", hung, hung.Host(), hung.Port(), "700ms"))
	out := filepath.Join(dir, "bundle")
	start := time.Now()
	sum, err := Run(context.Background(), inv, out, Options{Lookup: env, Grace: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	// generous bounds for loaded CI machines; without the node timeout the
	// run would take the inventory's 20s
	if el > 8*time.Second {
		t.Errorf("the run took %v with a 700ms node timeout", el)
	}
	failed := sum.Failed()
	if len(failed) != 1 || failed[0].Target.Name != "WRK2" || !strings.Contains(failed[0].Error, "timed out") {
		t.Fatalf("failed %+v", failed)
	}
	if failed[0].Elapsed > 5*time.Second {
		t.Errorf("WRK2 took %v", failed[0].Elapsed)
	}
	for _, n := range manifestOf(t, out).Nodes {
		if n.Name == "WRK2" && (n.Collected || !strings.Contains(n.Error, "timed out")) {
			t.Errorf("manifest %+v", n)
		}
	}
	t.Logf("run %v; WRK2: %s", el, failed[0].Error)
}

// The runner's own deadline: a target whose collector ignores its context is
// abandoned at timeout + grace and what it returns later is not written.
func TestRunJobAbandonsAtTimeout(t *testing.T) {
	out := t.TempDir()
	c := &run{out: out, opts: Options{Progress: Quiet{}, Grace: 50 * time.Millisecond}}
	release := make(chan struct{})
	defer close(release)
	wrote := false
	j := &job{t: Target{Name: "N1", Timeout: 100 * time.Millisecond}, work: func(context.Context) (func() (string, error), error) {
		<-release
		return func() (string, error) { wrote = true; return "", nil }, nil
	}}
	start := time.Now()
	res := c.runJob(context.Background(), j)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
	if res.Collected || res.Error != "timed out after 100ms" || wrote {
		t.Errorf("%+v wrote=%v", res, wrote)
	}
}

// The concurrency limit holds.
func TestRunParallelLimit(t *testing.T) {
	dir := t.TempDir()
	var ws []string
	for i := 1; i <= 6; i++ {
		ws = append(ws, fmt.Sprintf("  - name: WRK%d\n    roles: [worker]\n    bundle: {path: %s, node: WRK1}\n", i, healthyAG))
	}
	inv := inventoryOf(t, dir, ws...)
	for _, p := range []int{1, 3} {
		rec := &recorder{}
		sum, err := Run(context.Background(), inv, filepath.Join(dir, fmt.Sprint("out", p)), Options{Parallel: p, Progress: rec})
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Failed()) != 0 || len(sum.Results) != 9 {
			t.Fatalf("%+v", sum.Results)
		}
		if rec.peak > p {
			t.Errorf("parallel %d: %d at once", p, rec.peak)
		}
	}
}

// Live SQL that cannot be reached: recorded in the manifest and in
// sql/<ENTRY>/errors.json, the nodes still collected; no password written.
func TestRunSQLUnreachable(t *testing.T) {
	dir := t.TempDir()
	inv := inventoryOf(t, dir)
	y, _ := os.ReadFile(inv.Path)
	y = []byte(strings.Replace(string(y), "sql:\n  bundle: "+healthyAG+"\n",
		fmt.Sprintf("sql:\n  server: 127.0.0.1,%d\n  auth: sql\n  user: auditor\n  password_env: TEST_SQL_PASSWORD\n  encrypt: disable\n  timeout: 2s\n", closedPort(t)), 1))
	os.WriteFile(inv.Path, y, 0o644)
	inv, err := inventory.Load(inv.Path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bundle")
	lookup := func(k string) (string, bool) {
		if k == "TEST_SQL_PASSWORD" {
			return "Pl@nted-SQL-pw", true
		}
		return "", false
	}
	prompted := false
	sum, err := Run(context.Background(), inv, out, Options{Lookup: lookup, Prompt: func(string) (string, error) { prompted = true; return "", nil }})
	if err != nil {
		t.Fatal(err)
	}
	if prompted {
		t.Error("prompted although the environment has the password")
	}
	failed := sum.Failed()
	if len(failed) != 1 || failed[0].Target.Name != SQLTarget {
		t.Fatalf("failed %+v", failed)
	}
	m := manifestOf(t, out)
	if len(m.SQL) != 1 || m.SQL[0].Collected || m.SQL[0].Error == "" {
		t.Errorf("manifest sql %+v", m.SQL)
	}
	if _, err := os.Stat(filepath.Join(out, "sql", m.SQL[0].Instance, "errors.json")); err != nil {
		t.Errorf("no errors.json for %s: %v", m.SQL[0].Instance, err)
	}
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), "Pl@nted-SQL-pw") {
				t.Errorf("%s holds the SQL password", p)
			}
		}
		return nil
	})
	t.Logf("sql: %+v", m.SQL)

	// no password in the environment: the prompt is asked, once, up front
	lookup2 := func(string) (string, bool) { return "", false }
	out2 := filepath.Join(dir, "bundle2")
	n := 0
	if _, err := Run(context.Background(), inv, out2, Options{Lookup: lookup2, Prompt: func(p string) (string, error) {
		n++
		if !strings.Contains(p, "auditor") {
			t.Errorf("prompt %q", p)
		}
		return "x", nil
	}}); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("prompted %d times", n)
	}
}

func TestRunLocalNodeElsewhere(t *testing.T) {
	if windows.Supported() {
		t.Skip("on Windows")
	}
	dir := t.TempDir()
	inv := inventoryOf(t, dir, "  - name: WRK1\n    roles: [worker]\n    local: true\n")
	sum, err := Run(context.Background(), inv, filepath.Join(dir, "b"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := sum.Failed()
	if len(f) != 1 || !strings.Contains(f[0].Error, "Windows") {
		t.Errorf("%+v", f)
	}
}

func TestRunRefusesNonEmptyOut(t *testing.T) {
	dir := t.TempDir()
	inv := inventoryOf(t, dir)
	if _, err := Run(context.Background(), inv, dir, Options{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("err %v", err)
	}
}

// copyPart writes a bundle part: the given nodes of healthy-ag (and its sql/
// when withSQL) with a manifest listing them.
func copyPart(t *testing.T, dst string, nodes []string, withSQL bool, deployment string) {
	t.Helper()
	src, err := bundle.Open(healthyAG)
	if err != nil {
		t.Fatal(err)
	}
	m := src.Manifest
	m.Deployment.Name = deployment
	m.Nodes = nil
	for _, n := range src.Manifest.Nodes {
		for _, want := range nodes {
			if n.Name == want {
				m.Nodes = append(m.Nodes, n)
				if err := copyTree(src, "nodes/"+n.Name, dst); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if m.Nodes == nil {
		m.Nodes = []bundle.ManifestNode{}
	}
	if withSQL {
		if err := copyTree(src, "sql", dst); err != nil {
			t.Fatal(err)
		}
	} else {
		m.SQL = []bundle.ManifestSQL{}
	}
	if err := writeManifest(dst, &m); err != nil {
		t.Fatal(err)
	}
}

func TestMerge(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	os.MkdirAll(a, 0o755)
	os.MkdirAll(b, 0o755)
	os.MkdirAll(c, 0o755)
	copyPart(t, a, []string{"SQLN1", "SQLN2"}, false, "prod-etl")
	copyPart(t, b, []string{"WRK1"}, false, "")
	copyPart(t, c, []string{"WRK2"}, true, "prod-etl")
	out := filepath.Join(dir, "merged")
	res, err := Merge(out, []string{a, b, c}, MergeOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range res.Manifest.Nodes {
		names = append(names, n.Name)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "SQLN1,SQLN2,WRK1,WRK2" || len(res.Manifest.SQL) != 2 || res.Manifest.Deployment.Name != "prod-etl" {
		t.Errorf("merged %+v", res.Manifest)
	}
	if res.Manifest.CreatedUTC != "2026-11-27T10:00:00Z" {
		t.Errorf("created %s", res.Manifest.CreatedUTC)
	}
	want, _ := scanResults(t, healthyAG)
	got, _ := scanResults(t, out)
	sameResults(t, got, want)

	// conflicts: the same node twice; different deployments
	_, err = Merge(filepath.Join(dir, "x"), []string{a, b, a}, MergeOptions{})
	var ce *ConflictError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "node SQLN1 is in two parts") {
		t.Errorf("same node twice: %v", err)
	}
	d := filepath.Join(dir, "d")
	os.MkdirAll(d, 0o755)
	copyPart(t, d, []string{"WRK1"}, false, "test-etl")
	_, err = Merge(filepath.Join(dir, "y"), []string{a, d}, MergeOptions{})
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `deployment.name is "prod-etl"`) {
		t.Errorf("different deployments: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "y")); err == nil {
		t.Error("a conflicting merge wrote its output")
	}
	if _, err := Merge(filepath.Join(dir, "z"), []string{a, d}, MergeOptions{Name: "prod-etl"}); err != nil {
		t.Errorf("--deployment settles it: %v", err)
	}
	// same SQL instance twice
	f := filepath.Join(dir, "f")
	os.MkdirAll(f, 0o755)
	copyPart(t, f, nil, true, "prod-etl")
	_, err = Merge(filepath.Join(dir, "w"), []string{c, f}, MergeOptions{})
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "SQL instance SQLN1 is in two parts") {
		t.Errorf("same instance twice: %v", err)
	}
	// into a non-empty directory
	if _, err := Merge(a, []string{b, c}, MergeOptions{}); err == nil {
		t.Error("merged into a part")
	}
}

// The SQL side looks up the service accounts of the collected nodes when the
// inventory names none.
func TestServiceAccountsFromNodes(t *testing.T) {
	dir := t.TempDir()
	inv := inventoryOf(t, dir, "  - name: WRK1\n    roles: [worker]\n    bundle: "+healthyAG+"\n")
	out := filepath.Join(dir, "b")
	if _, err := Run(context.Background(), inv, out, Options{}); err != nil {
		t.Fatal(err)
	}
	c := &run{inv: inv, out: out}
	got := strings.Join(c.serviceAccounts(), ",")
	if !strings.Contains(got, `CONTOSO\`) {
		t.Errorf("accounts %q", got)
	}
	t.Logf("accounts: %s", got)
}
