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
