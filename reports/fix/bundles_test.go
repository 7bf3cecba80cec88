package fix

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
)

var (
	bundleOnce  sync.Once
	bundleDirs  map[string]string // bundle name -> fix dir
	bundleErr   error
	bundleRoot  string
	bundleNames []string
	bundlePlans = map[string]*Plan{}
)

// bundleFixes scans every broken testdata bundle with the real policies and
// writes its fix plan into a temporary folder (once per test binary).
func bundleFixes(t *testing.T) map[string]string {
	t.Helper()
	bundleOnce.Do(func() {
		src := filepath.Join("..", "..", "testdata", "bundles")
		ents, err := os.ReadDir(src)
		if err != nil {
			bundleErr = err
			return
		}
		eng, err := policies.Load(context.Background())
		if err != nil {
			bundleErr = err
			return
		}
		bundleRoot, err = os.MkdirTemp("", "fix-bundles-")
		if err != nil {
			bundleErr = err
			return
		}
		bundleDirs = map[string]string{}
		for _, e := range ents {
			if !e.IsDir() || strings.HasPrefix(e.Name(), "healthy-") {
				continue
			}
			opts := scan.Options{Bundle: filepath.Join(src, e.Name()), ToolVersion: "test", FailOn: "none",
				Now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
			rep, _, err := scan.Run(context.Background(), eng, opts)
			if err != nil {
				bundleErr = err
				return
			}
			dir := filepath.Join(bundleRoot, e.Name())
			plan, err := Write(dir, rep, Options{RescanCommand: "ssis-ha-lint scan --bundle testdata/bundles/" + e.Name()})
			if err != nil {
				bundleErr = err
				return
			}
			bundlePlans[e.Name()] = plan
			bundleDirs[e.Name()] = dir
			bundleNames = append(bundleNames, e.Name())
		}
	})
	if bundleErr != nil {
		t.Fatalf("scanning the testdata bundles: %v", bundleErr)
	}
	if len(bundleDirs) == 0 {
		t.Skip("no broken bundle under testdata/bundles")
	}
	return bundleDirs
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bundleRoot != "" {
		os.RemoveAll(bundleRoot)
	}
	os.Exit(code)
}

// TestBrokenBundles: the fix plan of every broken testdata bundle (real
// rules, real facts) is written, every block is guarded, nothing secret is
// in it, and every failing finding shows up in a script or a manual step.
func TestBrokenBundles(t *testing.T) {
	for name, dir := range bundleFixes(t) {
		t.Run(name, func(t *testing.T) {
			files := readAll(t, dir)
			readme := files["README.md"]
			if readme == "" {
				t.Fatal("no README.md")
			}
			if plan := bundlePlans[name]; strings.Contains(readme, "Nothing to fix") != (plan.Fixed == 0) {
				t.Errorf("README says nothing to fix = %v, but %d failing findings have a fix", !strings.Contains(readme, "Nothing to fix"), plan.Fixed)
			}
			for fname, s := range files {
				switch filepath.Ext(fname) {
				case ".ps1":
					checkPSGuardsWith(t, fname, s, "")
				case ".sql":
					checkSQLGuards(t, fname, s)
				}
			}
			checkNoSecret(t, files)
		})
	}
}
