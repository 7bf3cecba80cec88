package policies

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego test rule.
type TestResult struct {
	Package string
	Name    string
	File    string
	Row     int
	Fail    bool
	Error   string
	Skip    bool
	Output  string
}

// RunTests runs the Rego unit tests of the policies (embedded and extra)
// the way `opa test` does, with the same compiler settings as evaluation.
func (e *Engine) RunTests(ctx context.Context) ([]TestResult, error) {
	all := append(append([]Source(nil), e.sources...), e.tests...)
	mods, err := Parse(all)
	if err != nil {
		return nil, err
	}
	store := inmem.New()
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("rego tests: %w", err)
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetCompiler(NewCompiler()).
		SetStore(store).
		SetModules(mods).
		CapturePrintOutput(true).
		SetTimeout(2*time.Minute).
		RunTests(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("rego tests: %w", err)
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{Package: r.Package, Name: r.Name, Fail: r.Fail, Skip: r.Skip, Output: string(r.Output)}
		if r.Location != nil {
			tr.File, tr.Row = r.Location.File, r.Location.Row
		}
		if r.Error != nil {
			tr.Error = r.Error.Error()
		}
		out = append(out, tr)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Row < out[j].Row
	})
	return out, nil
}
