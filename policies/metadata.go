package policies

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// RuleName is the Rego rule name of a rule id: MASTER-CERT-CN-DNS →
// master_cert_cn_dns.
func RuleName(id string) string {
	return strings.ReplaceAll(strings.ToLower(id), "-", "_")
}

// ruleMetadata reads the METADATA annotation of every rule in a
// data.ssis.rules.* package and checks the contract: each rule has an id
// that matches its name, a known severity and variant.
func ruleMetadata(c *ast.Compiler) (map[string]reports.RuleMeta, error) {
	as := c.GetAnnotationSet()
	type key struct{ pkg, name string }
	annotated := map[key]*ast.Annotations{}
	where := map[key]string{}
	var order []key
	names := make([]string, 0, len(c.Modules))
	for n := range c.Modules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := c.Modules[n]
		pkg := m.Package.Path.String()
		if !strings.HasPrefix(pkg, RulesPackagePrefix) {
			continue
		}
		for _, r := range m.Rules {
			if len(r.Head.Args) > 0 {
				continue // a helper function: not part of the data document
			}
			k := key{pkg, r.Head.Name.String()}
			if r.Head.Name == "" {
				k.name = r.Head.Ref().String()
			}
			if _, seen := where[k]; !seen {
				order = append(order, k)
				where[k] = fmt.Sprintf("%s:%d", n, r.Location.Row)
			}
			for _, a := range as.GetRuleScope(r) {
				if a.Custom != nil && a.Custom["id"] != nil {
					if prev, dup := annotated[k]; dup && prev != a {
						return nil, fmt.Errorf("%s: rule %s has more than one METADATA block with an id", where[k], k.name)
					}
					annotated[k] = a
				}
			}
		}
	}
	out := map[string]reports.RuleMeta{}
	for _, k := range order {
		a, ok := annotated[k]
		if !ok {
			return nil, fmt.Errorf("%s: rule %s.%s has no METADATA block with custom.id (every rule in %s* needs one; put helpers in ssis.lib.*)",
				where[k], strings.TrimPrefix(k.pkg, "data."), k.name, strings.TrimPrefix(RulesPackagePrefix, "data."))
		}
		m, err := metaFrom(a, k.pkg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where[k], err)
		}
		if RuleName(m.ID) != k.name {
			return nil, fmt.Errorf("%s: rule %s carries id %s; name it %s", where[k], k.name, m.ID, RuleName(m.ID))
		}
		if _, dup := out[m.ID]; dup {
			return nil, fmt.Errorf("%s: rule id %s is defined twice", where[k], m.ID)
		}
		out[m.ID] = m
	}
	return out, nil
}

func metaFrom(a *ast.Annotations, pkg string) (reports.RuleMeta, error) {
	str := func(k string) string {
		if v, ok := a.Custom[k].(string); ok {
			return strings.TrimSpace(v)
		}
		return ""
	}
	list := func(k string) []string {
		var out []string
		switch v := a.Custom[k].(type) {
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok && strings.TrimSpace(s) != "" {
					out = append(out, strings.TrimSpace(s))
				}
			}
		case string:
			if strings.TrimSpace(v) != "" {
				out = append(out, strings.TrimSpace(v))
			}
		}
		return out
	}
	m := reports.RuleMeta{
		ID:          strings.ToUpper(str("id")),
		Title:       strings.TrimSpace(a.Title),
		Description: strings.TrimSpace(a.Description),
		Severity:    strings.ToLower(str("severity")),
		Variant:     strings.ToLower(str("variant")),
		Profiles:    list("profiles"),
		Family:      pkg[strings.LastIndex(pkg, ".")+1:],
		Why:         str("why"),
		Facts:       list("facts"),
		Remediation: str("remediation"),
		Source:      str("source"),
		DocURL:      str("doc_url"),
		Fix:         str("fix"),
		Tags:        list("tags"),
	}
	if m.ID == "" {
		return m, fmt.Errorf("METADATA custom.id is empty")
	}
	if SeverityRank(m.Severity) >= len(reports.Severities) {
		return m, fmt.Errorf("rule %s: METADATA custom.severity %q, want one of %s", m.ID, m.Severity, strings.Join(reports.Severities, ", "))
	}
	switch m.Variant {
	case "ag", "fci", "both":
	case "":
		m.Variant = "both"
	default:
		return m, fmt.Errorf("rule %s: METADATA custom.variant %q, want ag, fci or both", m.ID, m.Variant)
	}
	if len(m.Profiles) == 0 {
		m.Profiles = []string{"ha"}
	}
	for _, p := range m.Profiles {
		if p != ProfileHA && p != ProfilePreUpgrade {
			return m, fmt.Errorf("rule %s: METADATA custom.profiles has %q, want %s or %s", m.ID, p, ProfileHA, ProfilePreUpgrade)
		}
	}
	if m.Fix == "" {
		m.Fix = "manual"
	}
	return m, nil
}

// Profiles.
const (
	ProfileHA         = "ha"
	ProfilePreUpgrade = "pre-upgrade"
)

// InProfile tells whether a rule runs in a profile: its own profiles, and
// for pre-upgrade also the ha profile's critical rules.
func InProfile(m reports.RuleMeta, profile string) bool {
	for _, p := range m.Profiles {
		if p == profile {
			return true
		}
	}
	if profile == ProfilePreUpgrade && m.Severity == "critical" {
		for _, p := range m.Profiles {
			if p == ProfileHA {
				return true
			}
		}
	}
	return false
}

// AppliesTo tells whether a rule applies to a deployment variant.
func AppliesTo(m reports.RuleMeta, variant string) bool {
	return m.Variant == "both" || m.Variant == variant
}
