package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const testDeployment = `deployment:
  name: prod-etl
  variant: ag
  master_dns: ssismaster.contoso.com
  master_port: 8391
  listener: aglsn.contoso.com,1433
  scale_out_version: "150"
`

// writeInventory writes an inventory whose nodes (and SQL, when sql is
// true) come from the example bundle src.
func writeInventory(t *testing.T, path, src string, nodes []string, roles map[string]string, sql bool) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# test inventory\n" + testDeployment + "timeout: 30s\nnodes:\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  - name: %s\n    roles: [%s]\n    bundle: %s\n", n, roles[n], src)
	}
	if sql {
		fmt.Fprintf(&b, "sql:\n  bundle: %s\n", src)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

var exampleRoles = map[string]string{"SQLN1": "master, replica", "SQLN2": "master, replica", "WRK1": "worker", "WRK2": "worker"}

type sarifLog struct {
	Runs []struct {
		Results []struct {
			RuleID     string `json:"ruleId"`
			Properties struct {
				Node string `json:"node"`
			} `json:"properties"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func readSARIF(t *testing.T, path string) sarifLog {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var l sarifLog
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// lineOf returns the line of "  - name: NODE" in the inventory.
func lineOf(t *testing.T, path, node string) int {
	t.Helper()
	data, _ := os.ReadFile(path)
	for i, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == "- name: "+node {
			return i + 1
		}
	}
	t.Fatalf("no node %s in %s", node, path)
	return 0
}

func TestScanInventory(t *testing.T) {
	dir := t.TempDir()
	// the shipped example: healthy, exit 0, a SARIF log anchored on the inventory
	r := runBin(t, "scan", "-i", "testdata/inventory/ssis-ha.yaml", "-o", "sarif="+filepath.Join(dir, "healthy.sarif"))
	if r.code != 0 || !strings.Contains(r.stdout, "0 failed, 0 unknown") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "collect: SQLN1 (bundle ../bundles/healthy-ag): collecting") || !strings.Contains(r.stderr, "collect: SQL: done") {
		t.Errorf("progress lines (stderr is no terminal):\n%s", r.stderr)
	}
	if l := readSARIF(t, filepath.Join(dir, "healthy.sarif")); len(l.Runs) != 1 {
		t.Errorf("SARIF runs %d", len(l.Runs))
	}
	if r := runBin(t, "scan", "-i", "testdata/inventory/ssis-ha.yaml", "--quiet"); r.code != 0 || strings.Contains(r.stderr, "collect:") {
		t.Errorf("--quiet: exit %d, stderr %q", r.code, r.stderr)
	}

	// a deployment with failures on one node: results on a node anchor on
	// that node's inventory line
	src := filepath.Join(repoRoot(t), "testdata", "bundles", "cert-renewed-one-node")
	inv := filepath.Join(dir, "ssis-ha.yaml")
	writeInventory(t, inv, src, []string{"SQLN1", "SQLN2", "WRK1", "WRK2"}, exampleRoles, true)
	out := filepath.Join(dir, "fail.sarif")
	r = runBin(t, "scan", "-i", inv, "-q", "-o", "sarif="+out, "--sarif-base-dir", dir)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	l := readSARIF(t, out)
	nodeResults := 0
	for _, res := range l.Runs[0].Results {
		if len(res.Locations) == 0 {
			t.Errorf("%s: no location", res.RuleID)
			continue
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "ssis-ha.yaml" {
			t.Errorf("%s anchored on %q", res.RuleID, loc.ArtifactLocation.URI)
		}
		if n := res.Properties.Node; n != "" {
			nodeResults++
			if want := lineOf(t, inv, n); loc.Region.StartLine != want {
				t.Errorf("%s on %s: line %d, want %d", res.RuleID, n, loc.Region.StartLine, want)
			}
		}
	}
	if len(l.Runs[0].Results) == 0 || nodeResults == 0 {
		t.Errorf("%d results, %d on nodes", len(l.Runs[0].Results), nodeResults)
	}

	// --sarif-anchor wins over the inventory
	out2 := filepath.Join(dir, "anchor.sarif")
	r = runBin(t, "scan", "-i", inv, "-q", "-o", "sarif="+out2, "--sarif-base-dir", dir, "--sarif-anchor", filepath.Join(dir, "deploy.yml"))
	if l := readSARIF(t, out2); r.code != 1 || len(l.Runs[0].Results) == 0 || l.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "deploy.yml" {
		t.Errorf("--sarif-anchor: exit %d", r.code)
	}

	// a waiver file beside the inventory applies by default
	wdir := filepath.Join(dir, "waived")
	os.MkdirAll(wdir, 0o755)
	winv := filepath.Join(wdir, "ssis-ha.yaml")
	writeInventory(t, winv, src, []string{"SQLN1", "SQLN2", "WRK1", "WRK2"}, exampleRoles, true)
	os.WriteFile(filepath.Join(wdir, ".ssis-ha-lint-waivers.yaml"), []byte(`waivers:
  - {rule: MASTER-CERT-SAME-ALL-NODES, node: SQLN2, reason: renewal in progress, expires: "2099-12-31"}
  - {rule: MASTER-HTTPSYS-BINDING, node: SQLN2, reason: renewal in progress, expires: "2099-12-31"}
`), 0o644)
	if r := runBin(t, "scan", "-i", winv, "-q"); r.code != 0 || !strings.Contains(r.stdout, "2 waived") {
		t.Errorf("waivers beside the inventory: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// a bad inventory: exit 2 naming the line
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(testDeployment+"nodes:\n  - name: SQLN1\n    roles: [boss]\n    local: true\n"), 0o644)
	if r := runBin(t, "scan", "-i", bad); r.code != 2 || !strings.Contains(r.stderr, "bad.yaml:10:") {
		t.Errorf("bad inventory: exit %d, %s", r.code, r.stderr)
	}
	if r := runBin(t, "scan", "-i", inv, "--bundle", src); r.code != 2 {
		t.Errorf("-i and --bundle: exit %d", r.code)
	}
}

func TestCollectAndMerge(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(repoRoot(t), "testdata", "bundles", "healthy-ag")
	masters, workers := filepath.Join(dir, "masters.yaml"), filepath.Join(dir, "workers.yaml")
	writeInventory(t, masters, src, []string{"SQLN1", "SQLN2"}, exampleRoles, true)
	writeInventory(t, workers, src, []string{"WRK1", "WRK2"}, exampleRoles, false)
	p1, p2 := filepath.Join(dir, "part1"), filepath.Join(dir, "part2")
	for _, c := range [][]string{{"-i", masters, "--out", p1}, {"-i", workers, "--out", p2, "--parallel", "1", "-q"}} {
		if r := runBin(t, append([]string{"collect"}, c...)...); r.code != 0 {
			t.Fatalf("collect %v: exit %d\n%s", c, r.code, r.stderr)
		}
	}
	merged := filepath.Join(dir, "merged")
	r := runBin(t, "bundle", "merge", "--out", merged, p1, p2)
	if r.code != 0 || !strings.Contains(r.stderr, "4 nodes, 2 SQL instances") {
		t.Fatalf("merge: exit %d\n%s", r.code, r.stderr)
	}
	var m struct {
		Nodes []struct {
			Name      string
			Collected bool
		}
	}
	data, _ := os.ReadFile(filepath.Join(merged, "bundle.json"))
	if err := json.Unmarshal(data, &m); err != nil || len(m.Nodes) != 4 {
		t.Errorf("merged manifest %s", data)
	}
	if r := runBin(t, "scan", "--bundle", merged); r.code != 0 {
		t.Errorf("scan of the merged bundle: exit %d\n%s", r.code, r.stdout)
	}

	// the same node in two parts
	r = runBin(t, "bundle", "merge", "--out", filepath.Join(dir, "twice"), p1, p1)
	if r.code != 2 || !strings.Contains(r.stderr, "node SQLN1 is in two parts") {
		t.Errorf("conflict: exit %d\n%s", r.code, r.stderr)
	}
	if r := runBin(t, "bundle", "merge", "--out", filepath.Join(dir, "none")); r.code != 2 {
		t.Errorf("no parts: exit %d", r.code)
	}
	// collect into a non-empty directory
	if r := runBin(t, "collect", "-i", masters, "--out", p1); r.code != 2 || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("non-empty out: exit %d\n%s", r.code, r.stderr)
	}
}

func TestCollectLocalElsewhere(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows collect --local runs")
	}
	r := runBin(t, "collect", "--local", "--out", filepath.Join(t.TempDir(), "p"), "--roles", "master,replica")
	if r.code != 2 || !strings.Contains(r.stderr, "collect --local runs on a Windows node; use collect -i with winrm from here") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if r := runBin(t, "collect", "--out", t.TempDir()); r.code != 2 {
		t.Errorf("nothing to collect: exit %d", r.code)
	}
}
