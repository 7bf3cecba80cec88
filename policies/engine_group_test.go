package policies

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestGroupUnits(t *testing.T) {
	us := func(ws ...float64) []*unit {
		out := make([]*unit, len(ws))
		for i, w := range ws {
			out[i] = &unit{weight: w}
		}
		return out
	}
	tests := []struct {
		name    string
		weights []float64
		n       int
		want    [][]int
	}{
		{"one core", []float64{1, 2, 3}, 1, [][]int{{0, 1, 2}}},
		{"no cores asked", []float64{1, 2}, 0, [][]int{{0, 1}}},
		{"a core per family", []float64{1, 5, 3}, 3, [][]int{{1}, {2}, {0}}},
		{"more cores than families", []float64{1, 5}, 8, [][]int{{1}, {0}}},
		// heaviest first, each family into the lightest group at that
		// moment; the groups heaviest first
		{"two cores", []float64{2.3, 1.4, 1.5, 2.3, 0.2, 3.4, 11, 0.2, 18}, 2, [][]int{{0, 1, 3, 5, 6}, {2, 4, 7, 8}}},
		{"equal weights, ties to the lower index", []float64{1, 1, 1, 1}, 2, [][]int{{0, 2}, {1, 3}}},
		{"three cores", []float64{10, 1, 1, 9, 8}, 3, [][]int{{0}, {2, 3}, {1, 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := groupUnits(us(tt.weights...), tt.n); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("groupUnits(%v, %d) = %v, want %v", tt.weights, tt.n, got, tt.want)
			}
		})
	}
}

// The embedded families declare their weights; a family without one weighs 1.
func TestFamilyWeights(t *testing.T) {
	eng, err := Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range eng.units {
		if u.weight <= 0 {
			t.Errorf("%s: weight %v", u.ref, u.weight)
		}
		if u.fam == "worker" && u.weight <= 1 {
			t.Errorf("%s: weight %v, want its package METADATA custom.weight", u.ref, u.weight)
		}
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"heavy.rego": "# METADATA\n# scope: package\n# custom:\n#   weight: 7.5\n" + oneRuleModule("zheavy", "ZHEAVY-ONE"),
		"light.rego": oneRuleModule("zlight", "ZLIGHT-ONE"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	eng, err = Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, u := range eng.units {
		got[u.fam] = u.weight
	}
	if got["zheavy"] != 7.5 || got["zlight"] != 1 {
		t.Errorf("weights of custom families: %v, want zheavy 7.5 and zlight 1", got)
	}
}

// oneRuleModule is a rules package data.ssis.rules.<fam> with one rule, id.
func oneRuleModule(fam, id string) string {
	return "package ssis.rules." + fam + "\n\n" +
		"# METADATA\n# title: t\n# description: d\n# custom:\n#   id: " + id + "\n#   severity: low\n#   variant: both\n" +
		"#   profiles: [ha]\n#   source: s\n#   doc_url: https://example.com\n#   fix: manual\n#   why: w\n#   facts: [f]\n" +
		"#   remediation: r\n#   tags: [t]\n" + RuleName(id) + " contains 1 if false\n"
}

// A weight that is not a positive number stops the load with the file, the
// package and what was expected.
func TestFamilyWeightInvalid(t *testing.T) {
	for _, w := range []string{"heavy", "0", "-2", "[1]", ".inf"} {
		t.Run(w, func(t *testing.T) {
			dir := t.TempDir()
			text := "# METADATA\n# scope: package\n# custom:\n#   weight: " + w + "\n" + oneRuleModule("zbad", "ZBAD-ONE")
			if err := os.WriteFile(filepath.Join(dir, "bad.rego"), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(context.Background(), dir)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, want := range []string{"bad.rego", "ssis.rules.zbad", "custom.weight", "want a positive number"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}
}
