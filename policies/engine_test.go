package policies

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func loadEngine(t testing.TB) *Engine {
	t.Helper()
	eng, err := Load(context.Background())
	if err != nil {
		t.Fatalf("load policies: %v", err)
	}
	return eng
}

// TestRegoUnitTests runs every _test.rego through OPA's tester, with the
// compiler settings evaluation uses. It fails if no Rego test ran.
func TestRegoUnitTests(t *testing.T) {
	eng := loadEngine(t)
	res, err := eng.RunTests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 {
		t.Fatal("no Rego test ran")
	}
	failed := 0
	for _, r := range res {
		if r.Fail || r.Error != "" {
			failed++
			t.Errorf("%s:%d %s.%s failed %s\n%s", r.File, r.Row, r.Package, r.Name, r.Error, r.Output)
		}
	}
	t.Logf("%d Rego tests, %d failed", len(res), failed)
}

// TestRuleMetadataMatchesCatalog is the meta-test: every rule has a catalog
// entry with the same severity, variant and profile, every metadata field
// is filled, and every catalog id has a rule.
func TestRuleMetadataMatchesCatalog(t *testing.T) {
	eng := loadEngine(t)
	cat := map[string]CatalogEntry{}
	for _, c := range Catalog {
		cat[c.ID] = c
	}
	for _, m := range eng.Rules() {
		c, ok := cat[m.ID]
		if !ok {
			t.Errorf("rule %s is not in the catalog (shared/spec/rules.md)", m.ID)
			continue
		}
		if m.Severity != c.Severity {
			t.Errorf("%s: severity %s, catalog says %s", m.ID, m.Severity, c.Severity)
		}
		if m.Variant != c.Variant {
			t.Errorf("%s: variant %s, catalog says %s", m.ID, m.Variant, c.Variant)
		}
		if !contains(m.Profiles, c.Profile) {
			t.Errorf("%s: profiles %v, catalog says %s", m.ID, m.Profiles, c.Profile)
		}
		for field, v := range map[string]string{
			"title": m.Title, "description": m.Description, "custom.why": m.Why,
			"custom.remediation": m.Remediation, "custom.source": m.Source,
			"custom.doc_url": m.DocURL, "custom.fix": m.Fix,
		} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: METADATA %s is empty", m.ID, field)
			}
		}
		if len(m.Facts) == 0 {
			t.Errorf("%s: METADATA custom.facts is empty", m.ID)
		}
		if !strings.HasPrefix(m.DocURL, "https://learn.microsoft.com/") {
			t.Errorf("%s: doc_url %q is not a learn.microsoft.com page", m.ID, m.DocURL)
		}
		if m.Fix != "manual" && !fixIDs[m.Fix] {
			t.Errorf("%s: fix %q is neither manual nor an id of docs/fix-catalog.md", m.ID, m.Fix)
		}
	}
	for _, c := range Catalog {
		if _, ok := eng.Rule(c.ID); !ok {
			t.Errorf("catalog rule %s has no Rego rule", c.ID)
		}
	}
}

// fixIDs are the fix ids of docs/fix-catalog.md.
var fixIDs = map[string]bool{
	"set-master-config": true, "set-worker-config": true, "import-master-cert": true,
	"trust-worker-cert": true, "trust-master-cert": true, "replace-worker-cert": true,
	"renew-master-cert": true, "bind-master-port": true, "set-schannel-clientauth": true,
	"add-firewall-rule": true, "set-master-account": true, "restart-master": true,
	"start-worker": true, "sql-update-master-address": true, "sql-update-logdb-info": true,
	"sql-alter-logdb-login": true, "sql-create-logdb-login": true, "sql-enable-login": true,
	"sql-create-windows-login": true, "sql-dmk-by-smk": true, "sql-enable-worker-agent": true,
	"sql-enable-clr": true, "manual": true,
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestRulesAreSets guards against the v0 trap: `deny[msg] if {...}` parses
// in v1 but builds an object. Every rule in a rules package must be a
// partial set (`contains`).
func TestRulesAreSets(t *testing.T) {
	eng := loadEngine(t)
	mods, err := Parse(eng.Sources())
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range mods {
		if !strings.HasPrefix(m.Package.Path.String(), RulesPackagePrefix) {
			continue
		}
		for _, r := range m.Rules {
			if len(r.Head.Args) == 0 && r.Head.RuleKind() != ast.MultiValue {
				t.Errorf("%s:%d: rule %s is not a partial set; write `%s contains r if { ... }`", name, r.Location.Row, r.Head.Name, r.Head.Name)
			}
		}
	}
}

func TestCompileErrorsNameTheFile(t *testing.T) {
	_, err := Compile(context.Background(), []Source{{Name: "custom/bad.rego", Text: "package ssis.rules.custom\n\nx contains 1 if {\n"}})
	if err == nil || !strings.Contains(err.Error(), "custom/bad.rego") {
		t.Fatalf("want a parse error naming custom/bad.rego, got %v", err)
	}
	_, err = Compile(context.Background(), []Source{
		{Name: "main.rego", Text: "package ssis.main\n\nresults := [r | some fam, name; some r in data.ssis.rules[fam][name]]\n"},
		{Name: "custom/nometa.rego", Text: "package ssis.rules.custom\n\nsome_rule contains 1 if { true }\n"},
	})
	if err == nil || !strings.Contains(err.Error(), "METADATA") || !strings.Contains(err.Error(), "custom/nometa.rego") {
		t.Fatalf("want a METADATA error naming the file, got %v", err)
	}
}

func TestInProfile(t *testing.T) {
	eng := loadEngine(t)
	for _, m := range eng.Rules() {
		if contains(m.Profiles, ProfileHA) && !InProfile(m, ProfileHA) {
			t.Errorf("%s not in ha", m.ID)
		}
		if m.Severity == "critical" && contains(m.Profiles, ProfileHA) && !InProfile(m, ProfilePreUpgrade) {
			t.Errorf("critical ha rule %s not in pre-upgrade", m.ID)
		}
		if m.Severity != "critical" && !contains(m.Profiles, ProfilePreUpgrade) && InProfile(m, ProfilePreUpgrade) {
			t.Errorf("non-critical ha rule %s in pre-upgrade", m.ID)
		}
	}
}
