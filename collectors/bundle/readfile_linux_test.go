package bundle

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// The walk relative to folder descriptors loads exactly the files the
// portable walk loads (links not followed, pipes skipped, nested folders,
// empty files and folders, names with spaces and dots), and gives up where
// the portable walk would fail.
func TestDirFastWalkSameFiles(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bundle.json", goodManifest)
	write("nodes/N1/host.json", `{"ComputerName": "N1"}`)
	write("nodes/N1/empty.json", "")
	write("nodes/N1/certs/LocalMachine/My/AB CD.cer", strings.Repeat("x", 70000))
	write("nodes/..N2/.hidden", "h")
	if err := os.MkdirAll(filepath.Join(root, "empty", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "nodes", "N1", "link.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "linkdir")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "nodes", "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	fast, ok := readDirFast(root, root)
	if !ok {
		t.Fatal("readDirFast gives up on a plain bundle")
	}
	slow, err := readDirPortable(root, root)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast walk %d files, portable walk %d files", len(fast), len(slow))
	}
	if len(fast) != 5 {
		t.Errorf("got %d files, want 5", len(fast))
	}

	// Over a limit, the fast walk gives up (the portable walk words it).
	defer func(n int, size int64) { MaxEntries, MaxFileSize = n, size }(MaxEntries, MaxFileSize)
	MaxEntries = 5
	if _, ok := readDirFast(root, root); ok {
		t.Error("readDirFast accepts more entries than MaxEntries")
	}
	MaxEntries = 1000
	MaxFileSize = 1000
	if _, ok := readDirFast(root, root); ok {
		t.Error("readDirFast accepts a file over MaxFileSize")
	}
	if _, err := readDir(root); err == nil || !strings.Contains(err.Error(), "exceeds the per-file limit") {
		t.Errorf("readDir: got %v, want the per-file limit error", err)
	}
}
