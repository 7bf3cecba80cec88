package main

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports/fix"
)

// goldenFixBundles are the broken example bundles whose fix scripts are
// kept as golden files under testdata/golden/fix/<bundle>/.
var goldenFixBundles = []string{
	"cert-renewed-one-node", "cn-netbios-only", "config-not-json", "duplicate-agentid",
	"port-mismatch", "secondary-cert-in-my", "secondary-cert-no-key", "sqlservername-node",
	"virtual-account", "worker-cert-expired", "worker-points-at-node",
	"enable-scaleout-rerun", "logging-login-missing-secondary", "ssisdb-not-in-ag",
	"alwayson-support-disabled", "master-address-node", "cluster-role-old-version",
	"master-role-offline", "worker-disabled-and-stale", "sql-auth-disabled-secondary",
}

// TestGoldenFixScripts writes the fix scripts of every broken example
// bundle through the real pipeline (scan → fix.Write) and compares every
// file with testdata/golden/fix/<bundle>/ (regenerate with -update).
func TestGoldenFixScripts(t *testing.T) {
	root := goldenChdir(t)
	for _, bundle := range goldenFixBundles {
		t.Run(bundle, func(t *testing.T) {
			rep := goldenScan(t, bundle, policies.ProfileHA, "")
			dir := t.TempDir()
			plan, err := fix.Write(dir, rep, fix.Options{RescanCommand: fix.DefaultRescanCommand("testdata/bundles/" + bundle)})
			if err != nil {
				t.Fatalf("fix.Write: %v", err)
			}
			if plan.Fixed == 0 && len(plan.Manual) == 0 {
				t.Fatalf("a broken bundle produced no fix and no manual step")
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			sort.Strings(names)
			goldenDir := filepath.Join(root, "testdata", "golden", "fix", bundle)
			if !goldenUpdating() {
				want, err := os.ReadDir(goldenDir)
				if err != nil {
					t.Fatalf("read %s (create it with -update): %v", goldenDir, err)
				}
				var wantNames []string
				for _, e := range want {
					wantNames = append(wantNames, e.Name())
				}
				sort.Strings(wantNames)
				if !equal(names, wantNames) {
					t.Errorf("files %v, golden has %v", names, wantNames)
				}
			} else if err := os.RemoveAll(goldenDir); err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				b, err := os.ReadFile(filepath.Join(dir, n))
				if err != nil {
					t.Fatal(err)
				}
				goldenCompare(t, root, filepath.Join("fix", bundle, n), string(b))
			}
		})
	}
}
