package bundlegen

import (
	"bytes"
	"crypto/x509"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/bundles and testdata/malformed from the generator")

const testdataRoot = "../../testdata"

// TestTestdata keeps the committed example bundles equal to what the
// generator writes; with -update it rewrites them.
func TestTestdata(t *testing.T) {
	if *update {
		if err := WriteTestdata(testdataRoot); err != nil {
			t.Fatal(err)
		}
		return
	}
	tmp := t.TempDir()
	if err := WriteTestdata(tmp); err != nil {
		t.Fatal(err)
	}
	for _, p := range OwnedPaths() {
		want := listFiles(t, filepath.Join(tmp, p))
		got := listFiles(t, filepath.Join(testdataRoot, p))
		for name := range want {
			if _, ok := got[name]; !ok {
				t.Errorf("testdata/%s%s is missing (run go test ./collectors/bundlegen -run TestTestdata -update)", p, name)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("testdata/%s%s is not written by the generator (stale? run with -update)", p, name)
			}
		}
		for name, w := range want {
			g, ok := got[name]
			if ok && !bytes.Equal(w, g) {
				t.Errorf("testdata/%s%s differs from the generator's output (run with -update)", p, name)
			}
		}
	}
}

// listFiles maps the files below p (or p itself, a file) by their path
// relative to p ("" for p itself, "/x/y" below) to their contents.
func listFiles(t *testing.T, p string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel := strings.TrimPrefix(filepath.ToSlash(path), filepath.ToSlash(p))
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMasterCertHasSeveralCNs(t *testing.T) {
	s := HealthyAG()
	der, err := s.Certs[CertMaster].DER(s.Certs)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	var cns []string
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oidCommonName) {
			cns = append(cns, n.Value.(string))
		}
	}
	want := []string{"ssismaster.contoso.com", "SQLN1", "SQLN2"}
	if strings.Join(cns, "|") != strings.Join(want, "|") {
		t.Fatalf("CNs = %q, want %q", cns, want)
	}
	// Subject.CommonName only holds one of them: rules must read Names.
	if c.Subject.CommonName == "" {
		t.Fatalf("CommonName empty")
	}
	if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
		t.Fatalf("not self-signed: %v", err)
	}
	sort.Strings(c.DNSNames)
	if strings.Join(c.DNSNames, ",") != "ssismaster,ssismaster.contoso.com" {
		t.Fatalf("SAN = %q", c.DNSNames)
	}
	// The committed file carries the same DER under its thumbprint name.
	p := filepath.Join(testdataRoot, "bundles", "healthy-ag", "nodes", "SQLN1", "certs", "LocalMachine", "Root", Thumbprint(der)+".cer")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, der) {
		t.Fatalf("%s differs from the generated certificate", p)
	}
}

// TestREADMEExpectations checks that README.md carries one expect-fail and
// one expect-unknown line per example, in the documented format.
func TestREADMEExpectations(t *testing.T) {
	text := string(README())
	for _, e := range Examples() {
		i := strings.Index(text, "\n## "+e.Name+"\n")
		if i < 0 {
			t.Fatalf("no section for %s", e.Name)
		}
		sec := text[i+1:]
		if j := strings.Index(sec[3:], "\n## "); j >= 0 {
			sec = sec[:j+3]
		}
		for prefix, ids := range map[string][]string{"expect-fail: ": e.ExpectFail, "expect-unknown: ": e.ExpectUnknown} {
			want := prefix + ruleList(ids)
			if strings.Count(sec, "\n"+prefix) != 1 || !strings.Contains(sec, "\n"+want+"\n") {
				t.Errorf("%s: want exactly one line %q", e.Name, want)
			}
		}
	}
}
