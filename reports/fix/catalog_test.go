package fix

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"text/template"
)

// TestCatalogMatchesDoc: docs/fix-catalog.md (the contract with the Rego
// rules) and the catalog in code list the same ids with the same params,
// and every id has its template(s).
func TestCatalogMatchesDoc(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "fix-catalog.md"))
	if err != nil {
		t.Skipf("docs/fix-catalog.md not found: %v", err)
	}
	row := regexp.MustCompile("^\\| `([a-z0-9-]+)` \\| [^|]* \\| ([^|]*) \\|")
	param := regexp.MustCompile("`([a-z_]+)`")
	doc := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var ps []string
		for _, p := range param.FindAllStringSubmatch(m[2], -1) {
			if p[1] == "target" {
				continue
			}
			ps = append(ps, p[1])
		}
		sort.Strings(ps)
		doc[m[1]] = ps
	}
	if len(doc) < 20 {
		t.Fatalf("parsed only %d ids from docs/fix-catalog.md", len(doc))
	}
	for id, ps := range doc {
		sp, ok := catalog[id]
		if !ok {
			t.Errorf("fix id %s is in docs/fix-catalog.md but has no template", id)
			continue
		}
		var code []string
		for p := range sp.params {
			code = append(code, p)
		}
		sort.Strings(code)
		if strings.Join(code, ",") != strings.Join(ps, ",") {
			t.Errorf("fix id %s: params in code %v, in the doc %v", id, code, ps)
		}
	}
	for id := range catalog {
		if _, ok := doc[id]; !ok {
			t.Errorf("fix id %s is in code but not in docs/fix-catalog.md", id)
		}
	}
}

func TestEveryIDHasTemplates(t *testing.T) {
	tmpl := template.Must(template.New("x").Funcs(funcMap()).ParseFS(templateFS, "templates/*"))
	g := &generator{transfers: map[string]*Transfer{}}
	for id, sp := range catalog {
		if sp.lang == langManual {
			continue
		}
		p := map[string]string{}
		for name := range sp.params {
			p[name] = "x"
		}
		for _, b := range g.expand(id, sp, "T", p, nil) {
			name := b.Lang + "-" + b.Tmpl + ".tmpl"
			if tmpl.Lookup(name) == nil {
				t.Errorf("fix id %s: no template %s", id, name)
			}
		}
	}
}

func mustRE(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// TestPolicyFixIDsHaveTemplates: every fix id the Rego rules name (METADATA
// "fix:" and the ids they build fixes with) is in the catalog, so no rule's
// fix ends up as an "unknown id" manual step.
func TestPolicyFixIDsHaveTemplates(t *testing.T) {
	root := filepath.Join("..", "..", "policies")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no policies folder: %v", err)
	}
	meta := regexp.MustCompile(`(?m)^#\s+fix:\s*([a-z0-9-]+)`)
	built := regexp.MustCompile(`(?:res\.fix\(|"id":\s*)"([a-z0-9-]+)"`)
	seen := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range []*regexp.Regexp{meta, built} {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				seen++
				if _, ok := catalog[m[1]]; !ok {
					t.Errorf("%s: fix id %q has no template (docs/fix-catalog.md, reports/fix/catalog.go)", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Skip("no fix id found in the policies")
	}
}
