package bundle

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

const goodManifest = `{
  "format": "ssis-ha-lint-bundle", "version": 1, "created_utc": "2026-11-27T10:00:00Z",
  "tool_version": "0.1.0",
  "deployment": {"name": "prod-etl", "variant": "ag", "master_dns": "ssismaster.contoso.com",
    "master_port": 8391, "listener": "aglsn.contoso.com,1433", "scale_out_version": "150"},
  "nodes": [{"name": "SQLN1", "roles": ["master", "replica"], "collected": true},
            {"name": "WRK1", "roles": ["worker"], "collected": false, "error": "WinRM: connection refused"}],
  "sql": [{"instance": "SQLN1", "collected": true}]
}`

func sampleFiles() map[string]string {
	return map[string]string{
		"bundle.json":                              goodManifest,
		"nodes/SQLN1/host.json":                    `{"ComputerName":"SQLN1"}`,
		"nodes/SQLN1/files/a.config":               `{}`,
		"nodes/SQLN1/certs/LocalMachine/My/AB.cer": "x",
		"sql/SQLN1/server_properties.json":         `{}`,
	}
}

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func zipBytes(t *testing.T, prefix string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(prefix + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tgzBytes(t *testing.T, prefix string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: prefix + name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(content))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenForms(t *testing.T) {
	files := sampleFiles()
	cases := []struct {
		name string
		path func(t *testing.T) string
	}{
		{"dir", func(t *testing.T) string { return writeDir(t, files) }},
		{"zip", func(t *testing.T) string { return writeFile(t, "b.zip", zipBytes(t, "", files)) }},
		{"zip with top folder", func(t *testing.T) string { return writeFile(t, "b.zip", zipBytes(t, "bundle-prod/", files)) }},
		{"tar.gz", func(t *testing.T) string { return writeFile(t, "b.tar.gz", tgzBytes(t, "", files)) }},
		{"tgz with ./ and top folder", func(t *testing.T) string { return writeFile(t, "b.tgz", tgzBytes(t, "./x/", files)) }},
		{"zip with top folder and __MACOSX", func(t *testing.T) string {
			withJunk := map[string]string{"__MACOSX/bundle-prod/._bundle.json": "junk"}
			for k, v := range files {
				withJunk["bundle-prod/"+k] = v
			}
			return writeFile(t, "b.zip", zipBytes(t, "", withJunk))
		}},
		{"zip without extension", func(t *testing.T) string { return writeFile(t, "evidence", zipBytes(t, "", files)) }},
	}
	want := []string{
		"nodes/SQLN1/certs/LocalMachine/My/AB.cer",
		"nodes/SQLN1/files/a.config",
		"nodes/SQLN1/host.json",
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Open(tc.path(t))
			if err != nil {
				t.Fatal(err)
			}
			if b.Manifest.Deployment.Variant != "ag" || len(b.Manifest.Nodes) != 2 || b.Manifest.Nodes[1].Error == "" {
				t.Errorf("manifest = %+v", b.Manifest)
			}
			if got := b.List("nodes/SQLN1"); !reflect.DeepEqual(got, want) {
				t.Errorf("List = %v, want %v", got, want)
			}
			if got := b.List("nodes/SQLN1/"); !reflect.DeepEqual(got, want) {
				t.Errorf("List with slash = %v", got)
			}
			if !b.Has("nodes/SQLN1/host.json") || b.Has("nodes/SQLN1") {
				t.Error("Has")
			}
			if !b.HasDir("nodes/SQLN1/certs") || !b.HasDir("nodes") || b.HasDir("nodes/SQLN1/host.json") || b.HasDir("nodes/WRK1") {
				t.Error("HasDir")
			}
			data, err := b.ReadFile("nodes/SQLN1/host.json")
			if err != nil || string(data) != `{"ComputerName":"SQLN1"}` {
				t.Errorf("ReadFile = %q, %v", data, err)
			}
			if _, err := b.ReadFile("nodes/SQLN1/nope.json"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("ReadFile missing: %v", err)
			}
			if got := b.ChildDirs("nodes/SQLN1"); !reflect.DeepEqual(got, []string{"certs", "files"}) {
				t.Errorf("ChildDirs = %v", got)
			}
			if got := b.Children("sql/SQLN1"); !reflect.DeepEqual(got, []string{"server_properties.json"}) {
				t.Errorf("Children = %v", got)
			}
		})
	}
}

func TestZipSlip(t *testing.T) {
	for _, entry := range []string{"../evil.json", "/etc/passwd", "C:/Windows/x", "c:x", `nodes\SQLN1\host.json`, "nodes/../../x", "a/b/../../../c"} {
		t.Run(entry, func(t *testing.T) {
			files := sampleFiles()
			files[entry] = "x"
			for _, form := range []string{"zip", "tgz"} {
				var p string
				if form == "zip" {
					p = writeFile(t, "b.zip", zipBytes(t, "", files))
				} else {
					p = writeFile(t, "b.tgz", tgzBytes(t, "", files))
				}
				_, err := Open(p)
				if err == nil {
					t.Fatalf("%s: accepted %q", form, entry)
				}
				if !strings.Contains(err.Error(), strconv.Quote(entry)) || !strings.Contains(err.Error(), "unsafe") {
					t.Errorf("%s: error does not name the entry: %v", form, err)
				}
			}
		})
	}
}

func TestTruncatedArchives(t *testing.T) {
	z := zipBytes(t, "", sampleFiles())
	for _, n := range []int{0, 10, len(z) / 2, len(z) - 5} {
		p := writeFile(t, "cut.zip", z[:n])
		_, err := Open(p)
		if err == nil || !strings.Contains(err.Error(), "cut.zip") {
			t.Errorf("zip cut at %d: %v", n, err)
		}
	}
	g := tgzBytes(t, "", sampleFiles())
	for _, n := range []int{5, len(g) / 2, len(g) - 3} {
		p := writeFile(t, "cut.tgz", g[:n])
		_, err := Open(p)
		if err == nil || !strings.Contains(err.Error(), "cut.tgz") {
			t.Errorf("tgz cut at %d: %v", n, err)
		}
	}
	p := writeFile(t, "plain.txt", []byte("hello"))
	if _, err := Open(p); err == nil {
		t.Error("plain file accepted")
	}
}

func TestBadManifest(t *testing.T) {
	cases := []struct {
		name, manifest, want string
	}{
		{"not JSON", `{"format": `, "bundle.json: invalid JSON"},
		{"garbage", "\x89PNG", "bundle.json: invalid"},
		{"empty", "  ", "bundle.json: empty file"},
		{"wrong format", strings.Replace(goodManifest, "ssis-ha-lint-bundle", "other", 1), `bundle.json: format: got "other", want "ssis-ha-lint-bundle"`},
		{"version 2", strings.Replace(goodManifest, `"version": 1`, `"version": 2`, 1), "bundle.json: version: got 2, want 1"},
		{"version string", strings.Replace(goodManifest, `"version": 1`, `"version": "1"`, 1), "bundle.json: version: got a string, want an integer"},
		{"variant", strings.Replace(goodManifest, `"variant": "ag"`, `"variant": "xx"`, 1), `bundle.json: deployment.variant: got "xx", want "ag" or "fci"`},
		{"no variant", strings.Replace(goodManifest, `"variant": "ag",`, ``, 1), `bundle.json: deployment.variant: got "", want "ag" or "fci"`},
		{"dup node", strings.Replace(goodManifest, `"name": "WRK1"`, `"name": "sqln1"`, 1), `bundle.json: nodes[1].name: "sqln1" is also nodes[0].name`},
		{"empty node", strings.Replace(goodManifest, `"name": "WRK1"`, `"name": ""`, 1), `bundle.json: nodes[1].name`},
		{"bad instance", strings.Replace(goodManifest, `"instance": "SQLN1"`, `"instance": "../x"`, 1), `bundle.json: sql[0].instance: got "../x"`},
		{"dup instance", strings.Replace(goodManifest, `{"instance": "SQLN1", "collected": true}`, `{"instance": "SQL1\\I"}, {"instance": "sql1$i"}`, 1), `bundle.json: sql[1].instance: "sql1$i" is also sql[0].instance`},
		{"trailing", goodManifest + "{}", "data after the top-level value"},
		{"deep", `{"format":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, "nested more than 64 levels"},
		{"nodes wrong type", strings.Replace(goodManifest, `"collected": true}`, `"collected": "yes"}`, 1), "nodes.collected: got a string, want a boolean"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := sampleFiles()
			files["bundle.json"] = tc.manifest
			_, err := Open(writeDir(t, files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		files := sampleFiles()
		delete(files, "bundle.json")
		_, err := Open(writeDir(t, files))
		if err == nil || !strings.Contains(err.Error(), "bundle.json: not found") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("BOM and UTF-16 manifest", func(t *testing.T) {
		files := sampleFiles()
		files["bundle.json"] = "\xEF\xBB\xBF" + goodManifest
		if _, err := Open(writeDir(t, files)); err != nil {
			t.Fatal(err)
		}
		files["bundle.json"] = string(utf16le(goodManifest))
		if _, err := Open(writeDir(t, files)); err != nil {
			t.Fatal(err)
		}
	})
}

func utf16le(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

func TestLimits(t *testing.T) {
	files := sampleFiles()
	files["nodes/SQLN1/big.txt"] = strings.Repeat("x", 2000)
	saved := [3]int64{MaxFileSize, MaxTotalSize, int64(MaxEntries)}
	defer func() { MaxFileSize, MaxTotalSize, MaxEntries = saved[0], saved[1], int(saved[2]) }()

	MaxFileSize = 1000
	for _, p := range []string{writeDir(t, files), writeFile(t, "b.zip", zipBytes(t, "", files)), writeFile(t, "b.tgz", tgzBytes(t, "", files))} {
		if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "limit") {
			t.Errorf("%s: per-file limit: %v", p, err)
		}
	}
	MaxFileSize = saved[0]
	MaxTotalSize = 2500
	if _, err := Open(writeDir(t, files)); err == nil || !strings.Contains(err.Error(), "total size") {
		t.Errorf("total limit: %v", err)
	}
	MaxTotalSize = saved[1]
	MaxEntries = 3
	if _, err := Open(writeFile(t, "b.zip", zipBytes(t, "", files))); err == nil || !strings.Contains(err.Error(), "entries") {
		t.Errorf("entries limit: %v", err)
	}
}

func TestSymlinksSkipped(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644)
	dir := writeDir(t, sampleFiles())
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "nodes", "SQLN1", "link.txt")); err != nil {
		t.Skip(err)
	}
	os.Symlink(outside, filepath.Join(dir, "nodes", "linkdir"))
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range b.List("") {
		if strings.Contains(f, "link") {
			t.Errorf("symlink %s was read", f)
		}
	}
	// A bundle folder reached through a symlink is fine.
	link := filepath.Join(t.TempDir(), "via-link")
	os.Symlink(dir, link)
	if _, err := Open(link); err != nil {
		t.Errorf("bundle via symlink: %v", err)
	}
}

func TestCheckEntryName(t *testing.T) {
	for name, ok := range map[string]bool{
		"nodes/A/host.json": true, "./nodes/x": true, "a//b": true,
		"..": false, "../a": false, "a/..": false, "/a": false, `a\b`: false, "C:/a": false, "D:": false, "a/b:c": false,
	} {
		_, err := CheckEntryName(name)
		if (err == nil) != ok {
			t.Errorf("CheckEntryName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestDecodeText(t *testing.T) {
	for name, in := range map[string][]byte{
		"utf8":      []byte(`{"a":"é"}`),
		"bom":       append([]byte{0xEF, 0xBB, 0xBF}, `{"a":"é"}`...),
		"utf16le":   utf16le(`{"a":"é"}`),
		"utf16be":   {0xFE, 0xFF, 0, '{', 0, '"', 0, 'a', 0, '"', 0, ':', 0, '"', 0, 0xE9, 0, '"', 0, '}'},
		"le no bom": utf16le(`{"a":"é"}`)[2:],
	} {
		got, err := DecodeText(in)
		if err != nil || string(got) != `{"a":"é"}` {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if _, err := DecodeText([]byte{0xFF, 0xFE, 'a'}); err == nil {
		t.Error("odd UTF-16 accepted")
	}
	if _, err := DecodeText([]byte{0xFF, 0xFE, 0x00, 0xD8, 'a', 0}); err == nil {
		t.Error("unpaired surrogate accepted")
	}
}

func FuzzOpenZip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("PK\x03\x04"))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("bundle.json")
	w.Write([]byte(goodManifest))
	w, _ = zw.Create("nodes/SQLN1/host.json")
	w.Write([]byte(`{}`))
	zw.Close()
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := FromZip("fuzz.zip", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.zip") {
				t.Errorf("error does not name the archive: %v", err)
			}
			return
		}
		for _, name := range b.List("") {
			if strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || strings.Contains("/"+name+"/", "/../") {
				t.Errorf("unsafe name accepted: %q", name)
			}
		}
	})
}
