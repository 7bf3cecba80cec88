package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// jsonResult is the result contract (docs/policy-contract.md) as
// encoding/json decodes it: the reference the AST decoding must match.
type jsonResult struct {
	Rule     string             `json:"rule"`
	Status   string             `json:"status"`
	Subject  reports.Subject    `json:"subject"`
	Message  string             `json:"message"`
	Observed any                `json:"observed"`
	Expected any                `json:"expected"`
	Missing  []string           `json:"missing"`
	Evidence []reports.Evidence `json:"evidence"`
	Fix      *reports.Fix       `json:"fix"`
	Severity string             `json:"severity"`
}

// jsonResults decodes the rego package's conversion of the entrypoint's
// value through JSON text.
func jsonResults(tb testing.TB, v any) []jsonResult {
	tb.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	var out []jsonResult
	if err := json.Unmarshal(js, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// refEvaluate is Evaluate written plainly: the results of the one
// entrypoint query decoded through JSON, joined with the rule metadata,
// stably sorted.
func refEvaluate(tb testing.TB, e *Engine, input ast.Value) []reports.Result {
	tb.Helper()
	rs, err := e.query.Eval(context.Background(), rego.EvalParsedInput(input))
	if err != nil {
		tb.Fatal(err)
	}
	var out []reports.Result
	for _, r := range jsonResults(tb, rs[0].Expressions[0].Value) {
		meta, ok := e.rules[r.Rule]
		if !ok {
			tb.Fatalf("unknown rule %q", r.Rule)
		}
		sev := meta.Severity
		if r.Severity != "" {
			sev = r.Severity
		}
		if r.Evidence == nil {
			r.Evidence = []reports.Evidence{}
		}
		if r.Status != reports.StatusFail {
			r.Fix = nil
		}
		out = append(out, reports.Result{
			Rule: r.Rule, Title: meta.Title, Severity: sev, Status: r.Status,
			Subject: r.Subject, Message: r.Message, Observed: r.Observed, Expected: r.Expected,
			Missing: r.Missing, Evidence: r.Evidence, Fix: r.Fix,
			Source: meta.Source, DocURL: meta.DocURL,
		})
	}
	refSort(out)
	return out
}

// refSort is SortResults written plainly.
func refSort(rs []reports.Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		ka := []any{statusRank(a.Status), SeverityRank(a.Severity), a.Rule, a.Subject.Node, a.Subject.Instance, a.Subject.Object}
		kb := []any{statusRank(b.Status), SeverityRank(b.Severity), b.Rule, b.Subject.Node, b.Subject.Instance, b.Subject.Object}
		for k := range ka {
			switch x := ka[k].(type) {
			case int:
				if x != kb[k].(int) {
					return x < kb[k].(int)
				}
			case string:
				if x != kb[k].(string) {
					return x < kb[k].(string)
				}
			}
		}
		return false
	})
}

// Evaluate, parallel and serial, gives what refEvaluate gives, in the same
// order, on synthetic deployments, healthy and broken.
func TestEvaluateLikeReference(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	ctx := context.Background()
	eng := loadEngine(t)
	// every result set, checked again at the end: the decoders' buffers an
	// evaluation reuses hold nothing of the results handed out before
	type done struct {
		name      string
		got, want []reports.Result
	}
	var all []done
	for _, c := range []struct {
		n      int
		broken bool
	}{{2, false}, {12, true}, {30, false}, {30, true}} {
		in := synthInput(t, c.n, c.broken)
		want := refEvaluate(t, eng, in)
		for _, ctx := range []context.Context{ctx, WithSerialEvaluation(ctx)} {
			got, err := eng.Evaluate(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("nodes=%d broken=%v serial=%v", c.n, c.broken, serial(ctx))
			all = append(all, done{name, got, want})
			if len(got) == 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %d results, reference %d, or they differ", name, len(got), len(want))
				for i := range min(len(got), len(want)) {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Errorf("first difference, result %d:\n got %+v\nwant %+v", i, got[i], want[i])
						break
					}
				}
			}
		}
	}
	for _, d := range all {
		if !reflect.DeepEqual(d.got, d.want) {
			t.Errorf("%s: the results changed after later evaluations", d.name)
		}
	}
}

// SortResults sorts as refSort, results with equal keys in their order.
func TestSortResultsLikeReference(t *testing.T) {
	var rs []reports.Result
	statuses := []string{reports.StatusFail, reports.StatusPass, reports.StatusUnknown, reports.StatusWaived, "other"}
	sevs := append([]string{"bogus"}, reports.Severities...)
	for i := range 3000 {
		rs = append(rs, reports.Result{
			Status: statuses[i*7%len(statuses)], Severity: sevs[i*5%len(sevs)],
			Rule: fmt.Sprint("R", i%3), Subject: reports.Subject{Node: fmt.Sprint("N", i%4), Instance: fmt.Sprint(i % 2), Object: fmt.Sprint(i % 3)},
			Message: fmt.Sprint(i), // tells results with equal keys apart
		})
	}
	for _, n := range []int{0, 1, 2, 17, len(rs)} {
		got := append([]reports.Result(nil), rs[:n]...)
		SortResults(got)
		w := append([]reports.Result(nil), rs[:n]...)
		refSort(w)
		if !reflect.DeepEqual(got, w) {
			t.Errorf("SortResults of %d results differs from the reference", n)
		}
	}
}
