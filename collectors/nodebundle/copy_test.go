package nodebundle

import (
	"archive/zip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var healthyAG = filepath.Join("..", "..", "testdata", "bundles", "healthy-ag")

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func zipDir(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, rel := range listFiles(t, src) {
		w, err := zw.Create("healthy-ag/" + rel)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(src, filepath.FromSlash(rel)))
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestCopyNode(t *testing.T) {
	if _, err := os.Stat(filepath.Join(healthyAG, "bundle.json")); err != nil {
		t.Skip("testdata/bundles/healthy-ag not generated")
	}
	want := listFiles(t, filepath.Join(healthyAG, "nodes", "WRK1"))
	out := t.TempDir()
	dir, err := CopyNode(out, "wrk1", healthyAG, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := listFiles(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("copied %v, want %v", got, want)
	}
	a, _ := os.ReadFile(filepath.Join(healthyAG, "nodes", "WRK1", "services.json"))
	b, _ := os.ReadFile(filepath.Join(dir, "services.json"))
	if string(a) != string(b) {
		t.Error("services.json differs")
	}

	// from a zip of the bundle (with a top folder), renamed
	zp := filepath.Join(t.TempDir(), "healthy-ag.zip")
	zipDir(t, healthyAG, zp)
	dir, err = CopyNode(out, "WRK9", zp, "WRK1")
	if err != nil {
		t.Fatal(err)
	}
	if got := listFiles(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("from zip: %v", got)
	}

	// from a lone node directory
	dir, err = CopyNode(t.TempDir(), "WRK1", filepath.Join(healthyAG, "nodes", "WRK1"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := listFiles(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("from node dir: %v", got)
	}

	if _, err := CopyNode(out, "NOPE", healthyAG, ""); err == nil || !strings.Contains(err.Error(), "has no node NOPE") {
		t.Errorf("missing node: %v", err)
	}
	if _, err := CopyNode(out, "X", filepath.Join(t.TempDir(), "nothing"), ""); err == nil {
		t.Error("missing source accepted")
	}

	insts, err := CopySQL(out, healthyAG)
	if err != nil || len(insts) == 0 {
		t.Fatalf("CopySQL %v %v", insts, err)
	}
	if got, want := listFiles(t, filepath.Join(out, "sql")), listFiles(t, filepath.Join(healthyAG, "sql")); !reflect.DeepEqual(got, want) {
		t.Errorf("sql copied %v, want %v", got, want)
	}
}
