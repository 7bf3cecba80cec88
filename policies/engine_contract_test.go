package policies

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// contractRule is a rule family with one rule, id id, whose results are
// the Rego set expression body.
func contractRule(fam, id, body string) Source {
	return Source{Name: "custom/" + fam + ".rego", Text: fmt.Sprintf(`package ssis.rules.%s

# METADATA
# title: T %[2]s
# description: D
# custom:
#   id: %[2]s
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: S
#   doc_url: https://learn.microsoft.com/x
#   fix: manual
#   why: W
#   facts: [f]
#   remediation: R
%[3]s contains r if {
	some r in %[4]s
}
`, fam, id, RuleName(id), body)}
}

// The errors of results that break the contract, or name an unknown rule
// or status: a contract violation in any family comes before an unknown
// rule or status; among those of a kind, the first family's (in family
// order), and in a family the first result's; serial and parallel
// evaluation report the same one (but for the family name).
func TestContractErrors(t *testing.T) {
	main := Source{Name: "main.rego", Text: "package ssis.main\n\nresults := [r | some fam, name; some r in data.ssis.rules[fam][name]]\n"}
	ok := `{"rule": "%s", "status": "pass", "subject": {"kind": "node", "node": "N"}}`
	for _, c := range []struct {
		name             string
		aa, bb, cc       string // the result sets of families aa, bb and cc
		parallel, serial string // the errors, "" for none
	}{
		{
			name: "ok",
			aa:   fmt.Sprintf("[%s]", fmt.Sprintf(ok, "AA-R")), bb: "[]", cc: "[]",
		},
		{
			name: "unknown rule before a contract violation",
			aa:   `[{"rule": "NOPE", "status": "pass"}]`, bb: `[{"rule": 1}]`, cc: `[{"rule": "CC-R", "status": "bad"}]`,
			parallel: "policy results do not match the result contract: data.ssis.rules.bb: result 0: rule: got a number, want a string",
			serial:   "policy results do not match the result contract: result 1: rule: got a number, want a string",
		},
		{
			name: "unknown status in the first family",
			aa:   `[{"rule": "AA-R", "status": "bad"}]`, bb: `[{"rule": "NOPE", "status": "pass"}]`, cc: "[]",
			parallel: "rule AA-R: result status \"bad\", want fail, pass or unknown",
			serial:   "rule AA-R: result status \"bad\", want fail, pass or unknown",
		},
		{
			name: "unknown rule in the second family",
			aa:   fmt.Sprintf("[%s]", fmt.Sprintf(ok, "AA-R")), bb: `[{"rule": "NOPE", "status": "pass"}]`, cc: `[{"rule": "CC-R", "status": "waived"}]`,
			parallel: "policy result names rule \"NOPE\", which has no METADATA annotation",
			serial:   "policy result names rule \"NOPE\", which has no METADATA annotation",
		},
		{
			name: "in one family, a contract violation after an unknown status",
			aa:   `[{"rule": "AA-R", "status": "pass", "subject": {"node": 1}}, {"rule": "AA-R", "status": "bad"}, {"rule": "NOPE", "status": "pass"}]`, bb: "[]", cc: "[]",
			parallel: "policy results do not match the result contract: data.ssis.rules.aa: result 1: subject.node: got a number, want a string",
			serial:   "policy results do not match the result contract: result 1: subject.node: got a number, want a string",
		},
		{
			name: "in one family, the first result's unknown status before the next's unknown rule",
			aa:   `[{"rule": "AA-R", "status": "bad"}, {"rule": "NOPE", "status": "pass"}]`, bb: "[]", cc: "[]",
			parallel: "rule AA-R: result status \"bad\", want fail, pass or unknown",
			serial:   "rule AA-R: result status \"bad\", want fail, pass or unknown",
		},
		{
			name: "in the serial order, a contract violation after an unknown rule",
			aa:   `[{"rule": "NOPE", "status": "pass"}]`, bb: "[]", cc: `[{"rule": "CC-R", "status": "pass", "evidence": [{"line": "1"}]}]`,
			parallel: "policy results do not match the result contract: data.ssis.rules.cc: result 0: evidence.line: got a string, want a number",
			serial:   "policy results do not match the result contract: result 1: evidence.line: got a string, want a number",
		},
		{
			name: "two contract violations",
			aa:   fmt.Sprintf("[%s]", fmt.Sprintf(ok, "AA-R")), bb: `[{"rule": "BB-R", "fix": "f"}, {"rule": "BB-R", "subject": {"node": 1}}]`, cc: `[{"missing": [true]}]`,
			parallel: "policy results do not match the result contract: data.ssis.rules.bb: result 0: fix: got a string, want an object",
			serial:   "policy results do not match the result contract: result 1: fix: got a string, want an object",
		},
		{
			name: "null result",
			aa:   `[null]`, bb: "[]", cc: "[]",
			parallel: "policy result names rule \"\", which has no METADATA annotation",
			serial:   "policy result names rule \"\", which has no METADATA annotation",
		},
		{
			name: "status and rule of one result",
			aa:   `[{"rule": "NOPE", "status": "bad"}]`, bb: "[]", cc: "[]",
			parallel: "policy result names rule \"NOPE\", which has no METADATA annotation",
			serial:   "policy result names rule \"NOPE\", which has no METADATA annotation",
		},
		{
			name: "null subject, missing, evidence and fix",
			aa:   `[{"rule": "AA-R", "status": "fail", "subject": null, "missing": null, "evidence": null, "fix": null, "observed": null}]`, bb: "[]", cc: "[]",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			eng, err := Compile(context.Background(), []Source{main,
				contractRule("aa", "AA-R", c.aa), contractRule("bb", "BB-R", c.bb), contractRule("cc", "CC-R", c.cc)})
			if err != nil {
				t.Fatal(err)
			}
			for _, parallel := range []bool{true, false} {
				ctx := context.Background()
				if !parallel {
					ctx = WithSerialEvaluation(ctx)
				}
				prev := runtime.GOMAXPROCS(2)
				rs, err := eng.Evaluate(ctx, ast.NewObject())
				runtime.GOMAXPROCS(prev)
				got := ""
				if err != nil {
					got = err.Error()
				}
				t.Logf("parallel=%v: %q (%d results)", parallel, got, len(rs))
				want := c.serial
				if parallel {
					want = c.parallel
				}
				if got != want {
					t.Errorf("parallel=%v: got error %q, want %q", parallel, got, want)
				}
				if err == nil && len(rs) != strings.Count(c.aa+c.bb+c.cc, `"rule"`) {
					t.Errorf("parallel=%v: %d results", parallel, len(rs))
				}
			}
		})
	}
}

// Results equal in every sort key keep their order: family order, then
// each family's rule documents in name order, then each set's order, with
// results of one rule coming from several families and rule documents.
func TestEvaluateTies(t *testing.T) {
	main := Source{Name: "main.rego", Text: "package ssis.main\n\nresults := [r | some fam, name; some r in data.ssis.rules[fam][name]]\n"}
	res := func(rule, status, node, msg string) string {
		return fmt.Sprintf(`{"rule": %q, "status": %q, "subject": {"kind": "node", "node": %q}, "message": %q, "observed": {"m": %q}}`, rule, status, node, msg, msg)
	}
	set := func(rs ...string) string { return "{" + strings.Join(rs, ", ") + "}" }
	srcs := []Source{main,
		contractRule("aa", "AA-R", set(res("BB-R", "pass", "N", "aa 1"), res("BB-R", "pass", "N", "aa 2"), res("AA-R", "fail", "M", "aa 3"), res("BB-R", "fail", "N", "aa 4"))),
		contractRule("bb", "BB-R", set(res("BB-R", "pass", "N", "bb 1"), res("AA-R", "fail", "M", "bb 2"), res("BB-R", "pass", "A", "bb 3"))),
		contractRule("cc", "CC-R", set(res("BB-R", "pass", "N", "cc 1"), res("AA-R", "fail", "M", "cc 2"), res("BB-R", "unknown", "N", "cc 3"))),
		contractRule("cc", "CC-S", set(res("BB-R", "pass", "N", "cc-s 1"), res("AA-R", "fail", "M", "cc-s 2"))),
	}
	srcs[len(srcs)-1].Name = "custom/cc_s.rego"
	eng, err := Compile(context.Background(), srcs)
	if err != nil {
		t.Fatal(err)
	}
	in := ast.NewObject()
	want := refEvaluate(t, eng, in)
	var msgs []string
	for _, r := range want {
		msgs = append(msgs, r.Message)
	}
	t.Logf("order: %s", strings.Join(msgs, ", "))
	if len(want) != 12 {
		t.Fatalf("%d results", len(want))
	}
	for _, parallel := range []bool{true, false} {
		ctx := context.Background()
		if !parallel {
			ctx = WithSerialEvaluation(ctx)
		}
		prev := runtime.GOMAXPROCS(2)
		got, err := eng.Evaluate(ctx, in)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			var gm []string
			for _, r := range got {
				gm = append(gm, r.Message)
			}
			t.Errorf("parallel=%v: order %s", parallel, strings.Join(gm, ", "))
		}
	}
}
