package bundlegen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSyntheticShape(t *testing.T) {
	for _, tc := range []struct{ n, masters, workers int }{{2, 2, 2}, {10, 2, 8}, {100, 3, 97}, {500, 4, 496}} {
		s := Synthetic(tc.n, false)
		if len(s.Nodes) != tc.n {
			t.Errorf("Synthetic(%d): %d nodes", tc.n, len(s.Nodes))
		}
		var masters, workers int
		for _, n := range s.Nodes {
			if n.HasRole("master") {
				masters++
			}
			if n.HasRole("worker") {
				workers++
			}
		}
		if masters != tc.masters || workers != tc.workers || len(s.SQL.Catalog.Workers) != tc.workers || len(s.Cluster.Nodes) != tc.masters {
			t.Errorf("Synthetic(%d): %d masters, %d workers (%d registered), %d cluster nodes", tc.n, masters, workers, len(s.SQL.Catalog.Workers), len(s.Cluster.Nodes))
		}
		// every worker's own certificate is trusted on every master node
		for _, m := range s.Nodes {
			if !m.HasRole("master") {
				continue
			}
			root := map[string]bool{}
			for _, c := range m.Certs {
				if c.Store == "Root" {
					root[c.Cert] = true
				}
			}
			for _, w := range s.Nodes {
				if w.Worker != nil && !root[w.Worker.WorkerCert] {
					t.Errorf("Synthetic(%d): %s does not trust %s", tc.n, m.Name, w.Name)
				}
			}
		}
	}
}

// Same arguments, same bytes; a fleet's deployments differ by name only.
func TestSyntheticDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := Write(a, Synthetic(10, true)); err != nil {
		t.Fatal(err)
	}
	if err := Write(b, Synthetic(10, true)); err != nil {
		t.Fatal(err)
	}
	fa, fb := listFiles(t, a), listFiles(t, b)
	if len(fa) == 0 || len(fa) != len(fb) {
		t.Fatalf("%d files vs %d", len(fa), len(fb))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between two writes", name)
		}
	}
	paths, err := WriteFleet(filepath.Join(dir, "fleet"), 3, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 3 {
		t.Fatalf("fleet: %v", paths)
	}
	f0, f2 := listFiles(t, paths[0]), listFiles(t, paths[2])
	if len(f0) != len(f2) {
		t.Fatalf("fleet bundles: %d files vs %d", len(f0), len(f2))
	}
	for name, data := range f0 {
		if name == "/bundle.json" {
			if !bytes.Contains(f2[name], []byte(FleetName(2))) {
				t.Errorf("%s/bundle.json does not name %s", paths[2], FleetName(2))
			}
			continue
		}
		if !bytes.Equal(data, f2[name]) {
			t.Errorf("fleet: %s differs", name)
		}
	}
	if _, err := os.Stat(filepath.Join(paths[1], "bundle.json")); err != nil {
		t.Error(err)
	}
}
