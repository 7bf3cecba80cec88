package scan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundlegen"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

func TestRunFleet(t *testing.T) {
	dir := t.TempDir()
	paths, err := bundlegen.WriteFleet(filepath.Join(dir, "fleet"), 3, 10)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "fleet", "zz-broken")
	if err := bundlegen.Write(broken, bundlegen.Synthetic(10, true)); err != nil {
		t.Fatal(err)
	}
	listed, err := FleetDir(filepath.Join(dir, "fleet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 4 || listed[0] != paths[0] || listed[3] != broken {
		t.Fatalf("FleetDir: %v", listed)
	}
	missing := filepath.Join(dir, "nope")
	o := opts("healthy-ag")
	reps, err := RunFleet(context.Background(), engine(t), append(listed, missing), o)
	if err == nil || reps[4] != nil {
		t.Fatalf("a missing bundle: err %v, report %v", err, reps[4])
	}
	for i, want := range []string{bundlegen.FleetName(0), bundlegen.FleetName(1), bundlegen.FleetName(2), "synthetic-10-broken"} {
		if reps[i] == nil || reps[i].Deployment.Name != want {
			t.Fatalf("report %d: %+v, want deployment %s", i, reps[i], want)
		}
	}
	if reps[0].ExitCode != 0 || reps[3].ExitCode != 1 {
		t.Errorf("exit codes %d %d", reps[0].ExitCode, reps[3].ExitCode)
	}
	failed := map[string]bool{}
	for _, r := range reps[3].Results {
		if r.Status == reports.StatusFail {
			failed[r.Rule] = true
		}
	}
	for _, id := range bundlegen.SyntheticBrokenRules {
		if !failed[id] {
			t.Errorf("broken synthetic deployment: %s did not fail", id)
		}
	}
	if len(failed) != len(bundlegen.SyntheticBrokenRules) {
		t.Errorf("broken synthetic deployment fails %v, want %v", failed, bundlegen.SyntheticBrokenRules)
	}
	if WorstExitCode(reps) != 2 || WorstExitCode(reps[:4]) != 1 || WorstExitCode(reps[:3]) != 0 {
		t.Errorf("WorstExitCode: %d %d %d", WorstExitCode(reps), WorstExitCode(reps[:4]), WorstExitCode(reps[:3]))
	}
	if _, err := FleetDir(filepath.Join(dir, "fleet", "zz-broken", "nodes", "SQLN1", "certs", "LocalMachine", "My")); err == nil {
		t.Error("FleetDir of a folder without bundles: no error")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("missing exists")
	}
}
