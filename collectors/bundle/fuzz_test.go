package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tarGz(t testing.TB, files ...[2]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f[1]))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func checkSafeNames(t *testing.T, b *Bundle) {
	t.Helper()
	for _, name := range b.List("") {
		if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || strings.Contains("/"+name+"/", "/../") ||
			strings.Contains("/"+name+"/", "/./") || strings.Contains(name, "//") || !filepath.IsLocal(name) {
			t.Errorf("unsafe name accepted: %q", name)
		}
	}
}

// FuzzOpenTarGz: any bytes give a bundle with safe names or an error naming
// the archive.
func FuzzOpenTarGz(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x1f, 0x8b})
	good := tarGz(f, [2]string{"bundle.json", goodManifest}, [2]string{"nodes/SQLN1/host.json", "{}"})
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(tarGz(f, [2]string{"b/bundle.json", goodManifest}, [2]string{"b/../x", "{}"}))
	f.Add(tarGz(f, [2]string{"./bundle.json", goodManifest}, [2]string{"C:/x", "{}"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := FromTarGz("fuzz.tar.gz", bytes.NewReader(data))
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.tar.gz") {
				t.Errorf("error does not name the archive: %v", err)
			}
			return
		}
		checkSafeNames(t, b)
	})
}

// FuzzOpenDir writes two fuzzed files (and maybe a link out of the folder)
// into a directory bundle: Open returns a bundle that holds only what is
// inside, or an error naming the folder.
func FuzzOpenDir(f *testing.F) {
	f.Add("nodes/SQLN1/host.json", []byte(`{}`), "nodes/SQLN1/files/MasterSettings.config", []byte(`{"PortNumber": 8391}`), false)
	f.Add("bundle.json", []byte(`[`), "x", []byte{}, true)
	f.Add("a/b/c", []byte("\x00\xff"), "nodes/SQLN1/host.json", []byte(`{}`), true)
	f.Fuzz(func(t *testing.T, name1 string, data1 []byte, name2 string, data2 []byte, link bool) {
		root := t.TempDir()
		outside := filepath.Join(root, "outside")
		dir := filepath.Join(root, "bundle")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(outside, []byte("OUTSIDE-CONTENT"), 0o644)
		os.WriteFile(filepath.Join(dir, "bundle.json"), []byte(goodManifest), 0o644)
		for _, fl := range []struct {
			name string
			data []byte
		}{{name1, data1}, {name2, data2}} {
			if !filepath.IsLocal(fl.name) || strings.ContainsAny(fl.name, "\x00:\\") || len(fl.name) > 200 {
				continue
			}
			p := filepath.Join(dir, filepath.FromSlash(fl.name))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, fl.data, 0o644)
		}
		if link {
			os.MkdirAll(filepath.Join(dir, "nodes", "SQLN1"), 0o755)
			if err := os.Symlink(outside, filepath.Join(dir, "nodes", "SQLN1", "registry.json")); err != nil {
				t.Skip(err)
			}
		}
		b, err := Open(dir)
		if err != nil {
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error does not name the folder: %v", err)
			}
			return
		}
		checkSafeNames(t, b)
		for _, name := range b.List("") {
			data, _ := b.ReadFile(name)
			if bytes.Contains(data, []byte("OUTSIDE-CONTENT")) && !bytes.Contains(data1, []byte("OUTSIDE-CONTENT")) && !bytes.Contains(data2, []byte("OUTSIDE-CONTENT")) {
				t.Fatalf("%s: read through a link out of the bundle", name)
			}
		}
	})
}

// FuzzDecodeJSON: DecodeJSON and ParseManifest never panic, and their
// errors name the file.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(goodManifest))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Add([]byte("\xff\xfe{\x00}\x00"))
	f.Add([]byte(strings.Repeat("[", 1000)))
	f.Add([]byte(`{"version": 1e999, "nodes": [{"name": "../x"}]}`))
	f.Add([]byte(`"\u0000\ud800"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if err := DecodeJSON("x.json", data, &v); err != nil && !strings.HasPrefix(err.Error(), "x.json: ") {
			t.Fatalf("error does not name the file: %v", err)
		}
		m, err := ParseManifest(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), ManifestName+": ") {
				t.Fatalf("error does not name bundle.json: %v", err)
			}
			return
		}
		if m.Format != Format || m.Version != SupportedVersion || (m.Deployment.Variant != "ag" && m.Deployment.Variant != "fci") {
			t.Fatalf("accepted %+v", m)
		}
		for _, n := range m.Nodes {
			if strings.ContainsAny(n.Name, `/\:`) || strings.TrimSpace(n.Name) == "" {
				t.Fatalf("accepted node name %q", n.Name)
			}
		}
	})
}
