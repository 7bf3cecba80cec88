package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// hostileCase is one entry of the hostile-input corpus (testdata/hostile,
// README.md there) or a case generated at test time (big or symlinked
// inputs are not committed).
type hostileCase struct {
	// name is the file or folder under testdata/hostile; for a generated
	// case, a name that is not there.
	name string
	// gen builds the bundle in dir (a fresh temp folder) and returns its
	// path; nil for committed cases.
	gen func(t *testing.T, dir string) string
	// codes are the acceptable exit codes.
	codes []int
	// mention: for exit 2, a string the one-line message must contain (the
	// file at fault).
	mention string
	// rule/status/artifact: for a report, a result that must be there
	// (artifact: in its evidence or missing list).
	rule, status, artifact string
	// absent: strings that must appear in no output (content read from
	// outside the bundle).
	absent []string
}

const hostileNode = "nodes/N1/"

var hostileCases = []hostileCase{
	// Archives: zip-slip, links, bombs, lying headers.
	{name: "zip-slip-dotdot.zip", codes: []int{2}, mention: `zip-slip-dotdot.zip: unsafe archive entry "../evil.txt"`},
	{name: "zip-slip-nested-dotdot.zip", codes: []int{2}, mention: `unsafe archive entry "nodes/N1/../../../evil.txt"`},
	{name: "zip-slip-absolute.zip", codes: []int{2}, mention: `unsafe archive entry "/etc/evil.txt": absolute path`},
	{name: "zip-slip-drive.zip", codes: []int{2}, mention: `unsafe archive entry "C:\\evil.txt"`},
	{name: "zip-slip-drive-slash.zip", codes: []int{2}, mention: `"C:/Windows/evil.txt": drive letter`},
	{name: "zip-backslash.zip", codes: []int{2}, mention: `"nodes\\N1\\host.json": backslash in name`},
	{name: "zip-symlink.zip", codes: []int{3}, absent: []string{"root:x:0"}},
	{name: "zip-duplicate-entry.zip", codes: []int{2}, mention: `entry "nodes/N1/host.json": appears twice`},
	{name: "zip-bomb-lying-size.zip", codes: []int{2}, mention: `zip-bomb-lying-size.zip: entry "nodes/N1/host.json"`},
	{name: "zip-total-declared-huge.zip", codes: []int{2}, mention: "zip-total-declared-huge.zip: total size"},
	{name: "tar-slip-dotdot.tar.gz", codes: []int{2}, mention: `unsafe archive entry "../../evil.txt"`},
	{name: "tar-10gb-header.tar.gz", codes: []int{2}, mention: `entry "nodes/N1/host.json": 10737418240 bytes exceeds the per-file limit`},
	{name: "gen-zip-bomb", gen: genZipBomb, codes: []int{2}, mention: `bomb.zip: entry "nodes/N1/host.json": 68157440 bytes exceeds the per-file limit`},
	{name: "gen-tgz-bomb", gen: genTarGzBomb, codes: []int{2}, mention: `bomb.tar.gz: entry "nodes/N1/host.json": 68157440 bytes exceeds the per-file limit`},
	{name: "gen-zip-too-many-entries", gen: genZipManyEntries, codes: []int{2}, mention: "many.zip: number of entries"},
	{name: "gen-symlink-out-of-dir", gen: genSymlinks, codes: []int{3}, rule: "CONFIG-PARSE", status: "unknown", absent: []string{"OUTSIDE-9F3C", "8399"}},
	{name: "gen-fifo-in-dir", gen: genFIFO, codes: []int{3}},
	{name: "gen-10k-empty-files", gen: genManyFiles, codes: []int{3}},

	// bundle.json
	{name: "manifest-missing", codes: []int{2}, mention: "bundle.json: not found"},
	{name: "manifest-version-string", codes: []int{2}, mention: "bundle.json: version: got a string, want an integer"},
	{name: "manifest-version-2", codes: []int{2}, mention: "bundle.json: version: got 2, want 1"},
	{name: "manifest-format-wrong", codes: []int{2}, mention: `bundle.json: format: got "not-a-bundle"`},
	{name: "manifest-variant-wrong", codes: []int{2}, mention: `bundle.json: deployment.variant: got "both"`},
	{name: "manifest-nodes-object", codes: []int{2}, mention: "bundle.json: nodes: got an object, want an array"},
	{name: "manifest-duplicate-nodes", codes: []int{2}, mention: `bundle.json: nodes[1].name: "n1" is also nodes[0].name`},
	{name: "manifest-node-path-dotdot", codes: []int{2}, mention: `bundle.json: nodes[0].name: got "../N1"`},
	{name: "manifest-node-path-drive", codes: []int{2}, mention: `bundle.json: nodes[0].name: got "C:\\Windows"`},
	{name: "manifest-instance-path", codes: []int{2}, mention: `bundle.json: sql[0].instance: got "../../etc"`},
	{name: "manifest-port-overflow", codes: []int{2}, mention: "bundle.json: deployment.master_port"},
	{name: "manifest-top-array", codes: []int{2}, mention: "bundle.json: top-level value: got an array"},
	{name: "manifest-trailing-garbage", codes: []int{2}, mention: "bundle.json: invalid JSON at line 2"},
	{name: "gen-manifest-deep", gen: genDeepManifest, codes: []int{2}, mention: "bundle.json: JSON nested more than 64 levels"},

	// JSON artifacts of a node
	{name: "host-not-object", codes: []int{2}, mention: hostileNode + "host.json: got a string, want an object"},
	{name: "json-invalid-utf8", codes: []int{2}, mention: hostileNode + "host.json: invalid UTF-8"},
	{name: "gen-json-deep-100k", gen: genDeepJSON, codes: []int{2}, mention: hostileNode + "host.json: JSON nested more than 64 levels"},
	{name: "gen-json-huge-string", gen: genHugeString, codes: []int{2}, mention: hostileNode + "host.json: JSON string at offset"},
	{name: "gen-json-over-file-limit", gen: genOverFileLimit, codes: []int{2}, mention: hostileNode + "host.json: 70000015 bytes exceeds the per-file limit"},
	{name: "services-not-array", codes: []int{2}, mention: hostileNode + "services.json: got a string, want an array of objects"},
	{name: "services-row-number", codes: []int{2}, mention: hostileNode + "services.json: [0]: got a number"},
	{name: "registry-wrong-types", codes: []int{2}, mention: hostileNode + "registry.json"},
	// Wrong types inside firewall rows read as "no usable rule": the
	// firewall check fails for the master port (or is unknown).
	{name: "firewall-wrong-types", codes: []int{1, 3}, rule: "MASTER-FIREWALL"},
	{name: "errors-json-wrong-types", codes: []int{3}},
	{name: "cluster-nulls", codes: []int{1, 3}},
	{name: "cluster-null-element", codes: []int{2}, mention: hostileNode + "cluster.json: Nodes: [0]: got null"},
	{name: "cluster-all-null", codes: []int{2}, mention: hostileNode + "cluster.json: got null, want an object"},
	{name: "cluster-resources-not-array", codes: []int{2}, mention: hostileNode + "cluster.json: Resources: got a string"},
	{name: "netsh-garbage", codes: []int{3}, rule: "MASTER-HTTPSYS-BINDING", status: "unknown", artifact: "httpsys"},

	// Certificates and sidecars
	{name: "cert-der-garbage", codes: []int{2}, mention: ".cer: not a DER or PEM X.509 certificate"},
	{name: "cert-der-truncated", codes: []int{2}, mention: ".cer: not a DER or PEM X.509 certificate"},
	{name: "cert-der-empty", codes: []int{2}, mention: ".cer: not a DER or PEM X.509 certificate"},
	{name: "cert-pem-garbage", codes: []int{2}, mention: ".cer: not a DER or PEM X.509 certificate"},
	{name: "cert-pem-broken-base64", codes: []int{2}, mention: ".cer: not a certificate: PEM text without a readable block"},
	{name: "cert-pem-private-key", codes: []int{2}, mention: `.cer: not a certificate: PEM block "PRIVATE KEY"`},
	{name: "cert-sidecar-not-json", codes: []int{2}, mention: "937F3564029AABCFD7F543BC17EC0F601E1A745A.json: invalid JSON"},
	{name: "cert-sidecar-wrong-types", codes: []int{2}, mention: "937F3564029AABCFD7F543BC17EC0F601E1A745A.json: HasPrivateKey"},
	{name: "cert-sidecar-array", codes: []int{2}, mention: "937F3564029AABCFD7F543BC17EC0F601E1A745A.json: top-level value: got an array"},

	// Settings files: content problems are CONFIG-PARSE findings, not
	// input errors.
	{name: "config-invalid-utf8", codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "config-utf16-odd-length", codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "config-xml-billion-laughs", codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "config-xml-external-entity", codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config", absent: []string{"root:x:0"}},
	{name: "config-json-nested-objects", codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "config-json-nan", codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "config-json-huge-number", codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "config-json-array", codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "config-empty", codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "gen-config-deep", gen: genConfigDeep, codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "gen-config-huge", gen: genConfigHuge, codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	{name: "gen-config-xml-deep", gen: genConfigXMLDeep, codes: []int{1}, rule: "CONFIG-PARSE", status: "fail", artifact: hostileNode + "files/MasterSettings.config"},
	// Duplicate keys: the last value wins (as .NET's JSON reader does) with
	// a warning; the file parses.
	{name: "config-json-duplicate-keys", codes: []int{1, 3}, rule: "CONFIG-PARSE", status: "pass"},

	// SQL result sets
	{name: "sql-wrong-arity", codes: []int{2}, mention: "sql/S1/server_properties.json: rows[0]: 1 values, want 2"},
	{name: "sql-rows-not-arrays", codes: []int{2}, mention: "sql/S1/server_properties.json: rows[0]: got a string"},
	{name: "sql-rows-not-array", codes: []int{2}, mention: "sql/S1/server_properties.json: rows: got an object"},
	{name: "sql-columns-not-strings", codes: []int{2}, mention: "sql/S1/server_properties.json: columns[0]: got a number"},
	{name: "sql-error-not-string", codes: []int{2}, mention: "sql/S1/server_properties.json: error: got an object"},
	// Values of the wrong type or absent columns are read leniently; rules
	// decide (AG-HADR-ENABLED currently fails on a flag it cannot read).
	{name: "sql-values-hostile", codes: []int{1, 3}},
	{name: "sql-folder-unlisted", codes: []int{1, 3}},
}

// TestHostileInputs runs the built binary on every hostile case: the exit
// code and message (or report) are the table's, and nothing ever prints a
// Go panic or stack trace.
func TestHostileInputs(t *testing.T) {
	root := repoRoot(t)
	for _, c := range hostileCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			bundlePath := filepath.Join("testdata", "hostile", c.name)
			if c.gen != nil {
				bundlePath = c.gen(t, t.TempDir())
			} else if _, err := os.Stat(filepath.Join(root, bundlePath)); err != nil {
				t.Fatalf("corpus case missing: %v", err)
			}
			res := runBin(t, "scan", "--bundle", bundlePath, "--format", "json")
			checkNoPanic(t, res)
			if !containsInt(c.codes, res.code) {
				t.Fatalf("exit %d, want one of %v\nstderr: %s", res.code, c.codes, res.stderr)
			}
			for _, s := range c.absent {
				if strings.Contains(res.stdout, s) || strings.Contains(res.stderr, s) {
					t.Errorf("output contains %q, read from outside the bundle", s)
				}
			}
			if res.code == 2 {
				msg := strings.TrimSpace(res.stderr)
				if msg == "" || strings.Contains(msg, "\n") {
					t.Errorf("want a one-line message, got:\n%s", res.stderr)
				}
				if !strings.Contains(msg, c.mention) {
					t.Errorf("message does not say %q:\n%s", c.mention, msg)
				}
				if res.stdout != "" {
					t.Errorf("exit 2 with a report on stdout:\n%.300s", res.stdout)
				}
				return
			}
			var rep reports.Report
			if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
				t.Fatalf("JSON report: %v\n%.500s", err, res.stdout)
			}
			if rep.ExitCode != res.code {
				t.Errorf("report says exit %d, process exited %d", rep.ExitCode, res.code)
			}
			if c.rule == "" {
				return
			}
			for _, r := range rep.Results {
				if r.Rule != c.rule || (c.status != "" && r.Status != c.status) {
					continue
				}
				if c.artifact == "" || mentionsArtifact(r, c.artifact) {
					return
				}
			}
			var got []string
			for _, r := range rep.Results {
				if r.Rule == c.rule {
					got = append(got, fmt.Sprintf("%s %s evidence=%v missing=%v", r.Status, r.Subject.Node, r.Evidence, r.Missing))
				}
			}
			t.Errorf("no %s result %q naming %q; got %v", c.rule, c.status, c.artifact, got)
		})
	}
}

// TestHostileCorpusListed: every file of testdata/hostile is a case of the
// table and is described in its README (and the reverse).
func TestHostileCorpusListed(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "testdata", "hostile")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	inTable := map[string]bool{}
	for _, c := range hostileCases {
		inTable[c.name] = true
		if c.gen == nil && !strings.HasPrefix(c.name, "gen-") {
			continue
		}
		if c.gen == nil || !strings.HasPrefix(c.name, "gen-") {
			t.Errorf("%s: generated cases are named gen-*, and only they", c.name)
		}
	}
	for _, e := range entries {
		if e.Name() == "README.md" {
			continue
		}
		if !inTable[e.Name()] {
			t.Errorf("testdata/hostile/%s has no row in hostileCases", e.Name())
		}
		if !bytes.Contains(readme, []byte("`"+e.Name()+"`")) {
			t.Errorf("testdata/hostile/README.md does not describe %s", e.Name())
		}
	}
	for _, c := range hostileCases {
		if !bytes.Contains(readme, []byte("`"+c.name+"`")) {
			t.Errorf("testdata/hostile/README.md does not describe %s", c.name)
		}
	}
	if len(hostileCases) < 30 {
		t.Errorf("%d hostile cases, want at least 30", len(hostileCases))
	}
}

func checkNoPanic(t *testing.T, res runResult) {
	t.Helper()
	for _, bad := range []string{"panic", "goroutine ", ".go:", "internal error"} {
		if strings.Contains(res.stderr, bad) {
			t.Errorf("stderr contains %q:\n%s", bad, res.stderr)
		}
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func mentionsArtifact(r reports.Result, artifact string) bool {
	for _, e := range r.Evidence {
		if strings.Contains(e.Artifact, artifact) {
			return true
		}
	}
	for _, m := range r.Missing {
		if strings.Contains(m, artifact) {
			return true
		}
	}
	return false
}

// hostileManifest is the manifest of the one-node cases (as in
// testdata/hostile/*/bundle.json): N1 is a master and replica, no SQL.
const hostileManifest = `{"format": "ssis-ha-lint-bundle", "version": 1, "created_utc": "2026-11-27T10:00:00Z",
 "tool_version": "0.1.0",
 "deployment": {"name": "hostile", "variant": "ag", "master_dns": "ssismaster.contoso.com", "master_port": 8391},
 "nodes": [{"name": "N1", "roles": ["master", "replica"], "collected": true}], "sql": []}
`

// writeTree writes files (slash paths) under dir, with bundle.json unless
// given.
func writeTree(t *testing.T, dir string, files map[string][]byte) string {
	t.Helper()
	if _, ok := files["bundle.json"]; !ok {
		files["bundle.json"] = []byte(hostileManifest)
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// zeros yields n zero bytes.
func zeros(n int) io.Reader { return io.LimitReader(zeroSource{}, int64(n)) }

type zeroSource struct{}

func (zeroSource) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

const bombSize = 65 << 20 // just over the 64 MiB per-file limit

func genZipBomb(t *testing.T, dir string) string {
	p := filepath.Join(dir, "bomb.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	w, _ := zw.Create("bundle.json")
	w.Write([]byte(hostileManifest))
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "nodes/N1/host.json", Method: zip.Deflate})
	if _, err := io.Copy(w, zeros(bombSize)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func genTarGzBomb(t *testing.T, dir string) string {
	p := filepath.Join(dir, "bomb.tar.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "bundle.json", Mode: 0o644, Size: int64(len(hostileManifest)), Typeflag: tar.TypeReg})
	tw.Write([]byte(hostileManifest))
	tw.WriteHeader(&tar.Header{Name: "nodes/N1/host.json", Mode: 0o644, Size: bombSize, Typeflag: tar.TypeReg})
	if _, err := io.Copy(tw, zeros(bombSize)); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func genZipManyEntries(t *testing.T, dir string) string {
	p := filepath.Join(dir, "many.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("bundle.json")
	w.Write([]byte(hostileManifest))
	for i := 0; i <= 100000; i++ {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("x/%d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// genSymlinks: a copy of a one-node bundle whose host.json, files folder
// and an extra node folder are symbolic links out of the bundle. None is
// followed: their artifacts are not collected, so dependent checks are
// unknown and nothing from outside shows up.
func genSymlinks(t *testing.T, dir string) string {
	outside := filepath.Join(dir, "outside")
	writeTree(t, outside, map[string][]byte{
		"host.json":             []byte(`{"ComputerName": "OUTSIDE-9F3C"}`),
		"MasterSettings.config": []byte(`{"PortNumber": 8399, "SSLCertThumbprint": "OUTSIDE-9F3C", "SqlServerName": "OUTSIDE-9F3C"}`),
	})
	b := writeTree(t, filepath.Join(dir, "bundle"), map[string][]byte{
		"nodes/N1/services.json": []byte(`[]`),
	})
	links := map[string]string{
		"nodes/N1/host.json":  filepath.Join(outside, "host.json"),
		"nodes/N1/files":      outside,
		"nodes/N2":            outside,
		"nodes/N1/files.json": filepath.Join(outside, "host.json"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(b, filepath.FromSlash(name))); err != nil {
			t.Skipf("symlinks not available: %v", err)
		}
	}
	return b
}

func genFIFO(t *testing.T, dir string) string {
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes in the file system")
	}
	b := writeTree(t, dir, map[string][]byte{})
	if err := os.MkdirAll(filepath.Join(b, "nodes", "N1"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A reader that opened it would block for ever.
	if out, err := exec.Command("mkfifo", filepath.Join(b, "nodes", "N1", "host.json")).CombinedOutput(); err != nil {
		t.Skipf("mkfifo: %v %s", err, out)
	}
	return b
}

func genManyFiles(t *testing.T, dir string) string {
	b := writeTree(t, dir, map[string][]byte{})
	junk := filepath.Join(b, "nodes", "N1", "junk")
	if err := os.MkdirAll(junk, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if err := os.WriteFile(filepath.Join(junk, fmt.Sprintf("f%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func genDeepManifest(t *testing.T, dir string) string {
	return writeTree(t, dir, map[string][]byte{"bundle.json": []byte(`{"nodes": ` + strings.Repeat("[", 100000))})
}

func genDeepJSON(t *testing.T, dir string) string {
	return writeTree(t, dir, map[string][]byte{hostileNode + "host.json": []byte(strings.Repeat("[", 100000))})
}

func genHugeString(t *testing.T, dir string) string {
	return writeTree(t, dir, map[string][]byte{hostileNode + "host.json": []byte(`{"Caption": "` + strings.Repeat("A", 8<<20) + `"}`)})
}

func genOverFileLimit(t *testing.T, dir string) string {
	return writeTree(t, dir, map[string][]byte{hostileNode + "host.json": []byte(`{"Caption": "` + strings.Repeat("A", 70000000) + `"}`)})
}

func genConfigDeep(t *testing.T, dir string) string {
	return writeTree(t, dir, map[string][]byte{hostileNode + "files/MasterSettings.config": []byte(`{"PortNumber": ` + strings.Repeat("[", 100000))})
}

func genConfigHuge(t *testing.T, dir string) string {
	return writeTree(t, dir, map[string][]byte{hostileNode + "files/MasterSettings.config": []byte(`{"SqlServerName": "` + strings.Repeat("A", 8<<20) + `"}`)})
}

func genConfigXMLDeep(t *testing.T, dir string) string {
	return writeTree(t, dir, map[string][]byte{hostileNode + "files/MasterSettings.config": []byte(strings.Repeat("<a>", 100000))})
}

// listTree returns every regular file under dir (slash paths), for tests
// that check written output.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}
