package policies

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundlegen"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/facts"
	"github.com/ssis-ha-lint/ssis-ha-lint/internal/cputime"
)

// synthInput is the input value of the n-node synthetic deployment.
func synthInput(tb testing.TB, n int, broken bool) ast.Value {
	tb.Helper()
	return specInput(tb, bundlegen.Synthetic(n, broken))
}

// specInput writes the deployment spec as a bundle, normalizes it and
// returns its input value (profile ha).
func specInput(tb testing.TB, spec *bundlegen.Spec) ast.Value {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "b")
	if err := bundlegen.Write(p, spec); err != nil {
		tb.Fatal(err)
	}
	b, err := bundle.Open(p)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := facts.Normalize(b)
	if err != nil {
		tb.Fatal(err)
	}
	in, err := InputValue(doc, map[string]any{"profile": "ha", "target_version": ""})
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

// BenchmarkDecode measures the Go side of one parallel evaluation only:
// the rule families' values are computed once, then decoded, joined with
// the rule metadata and sorted on every iteration (on one goroutine). The
// sets' own sort (OPA's, on their first iteration) is not included.
func BenchmarkDecode(b *testing.B) {
	ctx := context.Background()
	eng := loadEngine(b)
	for _, n := range []int{100} {
		for _, broken := range []bool{false, true} {
			b.Run(fmt.Sprintf("nodes=%d/broken=%v", n, broken), func(b *testing.B) {
				in := synthInput(b, n, broken)
				vals := make([]ast.Value, len(eng.units))
				for i, u := range eng.units {
					v, err := evalFamily(ctx, eng.compiler, u.ref, in)
					if err != nil {
						b.Fatal(err)
					}
					vals[i] = v
				}
				b.ReportAllocs()
				start, n := cputime.Process(), 0
				for b.Loop() {
					n++
					parts := make([]part, len(vals))
					for i, v := range vals {
						parts[i] = eng.units[i].decode(v, eng.joins)
					}
					if _, err := collect(parts); err != nil {
						b.Fatal(err)
					}
					for _, p := range parts {
						p.dec.release()
					}
				}
				b.ReportMetric(float64(cputime.Process()-start)/float64(n)/1e6, "cpu-ms/op")
			})
		}
	}
}

// BenchmarkFamily measures each rule family alone, in one query, on the
// 100-node synthetic deployment, with the binary's GC setting (TuneGC):
// the numbers the families' package METADATA weights are
// taken from (go test -run '^$' -bench Family -cpu 1 ./policies, on a quiet
// machine). It reports the weight each family declares beside its time.
func BenchmarkFamily(b *testing.B) {
	TuneGC()
	ctx := context.Background()
	eng := loadEngine(b)
	in := synthInput(b, 100, false)
	for _, u := range eng.units {
		b.Run(u.fam, func(b *testing.B) {
			q, err := rego.New(rego.Query(u.ref), rego.Compiler(eng.compiler)).PrepareForEval(ctx)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := q.Eval(ctx, rego.EvalParsedInput(in), evalKeepAST); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(u.weight, "weight")
		})
	}
}

// evalFamily is the value of one rule family (ref) for input.
func evalFamily(ctx context.Context, c *ast.Compiler, ref string, input ast.Value) (ast.Value, error) {
	q, err := rego.New(rego.Query(ref), rego.Compiler(c)).PrepareForEval(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input), evalKeepAST)
	if err != nil || len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, err
	}
	v, _ := rs[0].Expressions[0].Value.(ast.Value)
	return v, nil
}
