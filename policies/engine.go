// Package policies embeds the Rego rules, compiles them once and evaluates
// them against a facts document through one prepared query.
package policies

import (
	"cmp"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

//go:embed main.rego lib rules
var embedded embed.FS

// Query is the one entrypoint every rule is reached through.
const Query = "data.ssis.main.results"

// RulesPackagePrefix is the package path every rule family lives under.
const RulesPackagePrefix = "data.ssis.rules."

// Source is one Rego file: its name (for error messages) and text.
type Source struct {
	Name string
	Text string
}

// Engine holds the compiled policies and the prepared entrypoint.
type Engine struct {
	compiler *ast.Compiler
	query    rego.PreparedEvalQuery
	rules    map[string]reports.RuleMeta
	joins    map[string]*ruleJoin // what results take from rules, by rule id
	sources  []Source
	tests    []Source
	digest   string
	// units are the rule families below data.ssis.rules; on several cores
	// they are evaluated in groups, one query per group (groups).
	units     []*unit
	groupsMu  sync.Mutex
	groupsByN map[int][]*group // groupUnits for n cores, by n
}

// Embedded returns the embedded policy files, tests included.
func Embedded() ([]Source, error) {
	var out []Source
	err := fs.WalkDir(embedded, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read embedded %s: %w", p, err)
		}
		out = append(out, Source{Name: "policies/" + p, Text: string(b)})
		return nil
	})
	return out, err
}

// ReadDir reads the .rego files of a user policy directory (recursively).
func ReadDir(dir string) ([]Source, error) {
	var out []Source
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read policy directory %s: %w", dir, err)
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read policy %s: %w", p, err)
		}
		out = append(out, Source{Name: filepath.ToSlash(p), Text: string(b)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("policy directory %s: no .rego files", dir)
	}
	return out, nil
}

// IsTest reports whether a file holds Rego unit tests.
func IsTest(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// Load compiles the embedded policies plus the .rego files of extra
// directories and prepares the entrypoint. It is meant to run once per
// process.
func Load(ctx context.Context, extraDirs ...string) (*Engine, error) {
	srcs, err := Embedded()
	if err != nil {
		return nil, err
	}
	if len(extraDirs) == 0 {
		// The embedded set alone was verified with every check (strict
		// mode, types, conflicts, recursion) by this package's tests
		// (RunTests compiles it with NewCompiler): skip those stages here.
		return compile(ctx, srcs, verifiedSkipStages)
	}
	for _, d := range extraDirs {
		more, err := ReadDir(d)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, more...)
	}
	return Compile(ctx, srcs)
}

// verifiedSkipStages are the compiler stages that only check policies
// (they do not rewrite or index them), skipped when compiling the embedded
// set, whose checks the tests run: about half of the compile time at every
// start of the CLI. The type checker is the largest.
var verifiedSkipStages = []ast.StageID{
	ast.StageCheckTypes,
	ast.StageCheckUnusedImports,
	ast.StageCheckDuplicateImports,
	ast.StageCheckKeywordOverrides,
	ast.StageCheckRuleConflicts,
	ast.StageCheckUndefinedFuncs,
	ast.StageCheckRecursion,
	ast.StageCheckVoidCalls,
	ast.StageCheckUnsafeBuiltins,
	ast.StageCheckDeprecatedBuiltins,
	ast.StageBuildRequiredCapabilities,
}

// Parse parses sources with METADATA annotations kept.
// The files are parsed on up to GOMAXPROCS goroutines (parsing is a fifth
// of the start-up compile).
func Parse(srcs []Source) (map[string]*ast.Module, error) {
	parsed := make([]*ast.Module, len(srcs))
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(srcs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				parsed[i], errs[i] = ast.ParseModuleWithOpts(srcs[i].Name, srcs[i].Text, ast.ParserOptions{
					ProcessAnnotation: true,
					RegoVersion:       ast.RegoV1,
				})
			}
		}()
	}
	for i := range srcs {
		next <- i
	}
	close(next)
	wg.Wait()
	mods := make(map[string]*ast.Module, len(srcs))
	for i, s := range srcs {
		if errs[i] != nil {
			return nil, fmt.Errorf("parse policy %s: %w", s.Name, errs[i])
		}
		if _, dup := mods[s.Name]; dup {
			return nil, fmt.Errorf("policy %s: loaded twice", s.Name)
		}
		mods[s.Name] = parsed[i]
	}
	return mods, nil
}

// NewCompiler returns the compiler configuration used everywhere.
func NewCompiler() *ast.Compiler {
	return ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(false)
}

// Compile compiles policy sources (test files are kept aside for RunTests)
// with every compiler check.
func Compile(ctx context.Context, srcs []Source) (*Engine, error) {
	return compile(ctx, srcs, nil)
}

func compile(ctx context.Context, srcs []Source, skip []ast.StageID) (*Engine, error) {
	e := &Engine{}
	h := sha256.New()
	sorted := append([]Source(nil), srcs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, s := range sorted {
		if IsTest(s.Name) {
			e.tests = append(e.tests, s)
			continue
		}
		e.sources = append(e.sources, s)
		fmt.Fprintf(h, "%s\x00%s\x00", s.Name, s.Text)
	}
	e.digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	mods, err := Parse(e.sources)
	if err != nil {
		return nil, err
	}
	c := NewCompiler()
	if len(skip) > 0 {
		c = c.WithSkipStages(skip...)
	}
	c.Compile(mods)
	if c.Failed() {
		return nil, fmt.Errorf("compile policies: %w", c.Errors)
	}
	e.compiler = c
	rules, err := ruleMetadata(c)
	if err != nil {
		return nil, err
	}
	e.rules = rules
	e.joins = ruleJoins(rules)
	q, err := rego.New(rego.Query(Query), rego.Compiler(c)).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", Query, err)
	}
	e.query = q
	if e.units, err = ruleUnits(c); err != nil {
		return nil, err
	}
	return e, nil
}

// Digest identifies the policy set (sha256 over the non-test sources).
func (e *Engine) Digest() string { return e.digest }

// Sources returns the non-test policy sources.
func (e *Engine) Sources() []Source { return e.sources }

// Tests returns the test sources.
func (e *Engine) Tests() []Source { return e.tests }

// Rule returns one rule's metadata.
func (e *Engine) Rule(id string) (reports.RuleMeta, bool) {
	m, ok := e.rules[strings.ToUpper(id)]
	return m, ok
}

// Rules returns every rule's metadata, sorted by id.
func (e *Engine) Rules() []reports.RuleMeta {
	out := make([]reports.RuleMeta, 0, len(e.rules))
	for _, m := range e.rules {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// InputValue converts a facts document (any JSON-marshalable value) plus
// the evaluation parameters to an AST value, once. The value is the one
// the document's JSON encoding would give, built without the JSON text.
func InputValue(facts any, params map[string]any) (ast.Value, error) {
	v, err := toValue(reflect.ValueOf(facts))
	if err != nil {
		return nil, fmt.Errorf("convert facts: %w", err)
	}
	doc, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("facts: not a JSON object")
	}
	var p ast.Value = ast.NewObject()
	if params != nil {
		if p, err = toValue(reflect.ValueOf(params)); err != nil {
			return nil, fmt.Errorf("convert params: %w", err)
		}
	}
	doc.Insert(ast.StringTerm("params"), ast.NewTerm(p))
	return doc, nil
}

// ruleJoin is what a result takes from its rule's metadata, and the
// rule's position in id order (SortResults's rule key, as a number).
type ruleJoin struct {
	title, severity, source, docURL string
	ord                             int
}

func ruleJoins(rules map[string]reports.RuleMeta) map[string]*ruleJoin {
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make(map[string]*ruleJoin, len(ids))
	for i, id := range ids {
		m := rules[id]
		out[id] = &ruleJoin{title: m.Title, severity: m.Severity, source: m.Source, docURL: m.DocURL, ord: i}
	}
	return out
}

// Evaluate runs the prepared query on an input value and returns the
// results with their metadata joined, sorted.
func (e *Engine) Evaluate(ctx context.Context, input ast.Value) ([]reports.Result, error) {
	parts, err := e.eval(ctx, input)
	if err != nil {
		return nil, err
	}
	out, err := collect(parts)
	for i := range parts {
		if parts[i].dec != nil {
			parts[i].dec.release()
		}
	}
	return out, err
}

// part is what the results of one query decode to (decoder).
type part struct {
	results []reports.Result
	keys    []sortKey
	err     error    // the query failed, or one of its results breaks the contract
	joinErr error    // the first result with an unknown rule or status
	dec     *decoder // whose buffers results and keys are
}

// collect returns the results of the parts, sorted as SortResults sorts
// their concatenation, moved once: each part's keys are sorted (on the
// goroutine that decoded it), and merged here, a tie going to the earlier
// part. The error is the first part's that failed or has a result that
// breaks the contract, else the first part's result with an unknown rule
// or status.
func collect(parts []part) ([]reports.Result, error) {
	n := 0
	for i := range parts {
		if parts[i].err != nil {
			return nil, parts[i].err
		}
		n += len(parts[i].keys)
	}
	for i := range parts {
		if parts[i].joinErr != nil {
			return nil, parts[i].joinErr
		}
	}
	out := make([]reports.Result, n)
	// runs are the parts' keys not merged yet, the empty ones dropped (in
	// part order).
	runs := make([][]sortKey, 0, len(parts))
	for i := range parts {
		if len(parts[i].keys) > 0 {
			runs = append(runs, parts[i].keys)
		}
	}
	for i := range out {
		best := 0
		for r := 1; r < len(runs); r++ {
			if compareKeys(&runs[r][0], &runs[best][0]) < 0 {
				best = r
			}
		}
		out[i] = *runs[best][0].r
		if runs[best] = runs[best][1:]; len(runs[best]) == 0 {
			runs = slices.Delete(runs, best, best+1)
		}
	}
	return out, nil
}

// sortKey is a result's sort key: rank (status, severity and, when known,
// the rule's position in id order), then the rule id and the subject's
// node, instance and object (r), then pos, its position before the sort.
type sortKey struct {
	rank uint64
	pos  int
	r    *reports.Result
}

// rank is the leading part of a result's sort key: its status rank,
// severity rank and the rule's position in id order (ord; 0 for all rules
// when it is not known, which leaves the order of rules to the rule ids).
func rank(status, severity string, ord int) uint64 {
	return uint64(statusRank(status))<<40 | uint64(SeverityRank(severity))<<32 | uint64(uint32(ord))
}

// compareKeys compares two keys but for their positions.
func compareKeys(a, b *sortKey) int {
	if a.rank != b.rank {
		return cmp.Compare(a.rank, b.rank)
	}
	if c := strings.Compare(a.r.Rule, b.r.Rule); c != 0 {
		return c
	}
	if c := strings.Compare(a.r.Subject.Node, b.r.Subject.Node); c != 0 {
		return c
	}
	if c := strings.Compare(a.r.Subject.Instance, b.r.Subject.Instance); c != 0 {
		return c
	}
	return strings.Compare(a.r.Subject.Object, b.r.Subject.Object)
}

func sortKeys(keys []sortKey) {
	slices.SortFunc(keys, func(a, b sortKey) int {
		if c := compareKeys(&a, &b); c != 0 {
			return c
		}
		return cmp.Compare(a.pos, b.pos) // stable
	})
}

// SortResults orders results by status (fail, unknown, pass), severity,
// rule, node, instance and object; results equal in all of those keep
// their order. (The keys are sorted, with the ranks computed once, and the
// results are moved once, in place, along the cycles of the permutation:
// sorting the results themselves copied two Result structs per comparison
// and moved them on every swap, several milliseconds for the ~1,500
// results of a 100-node deployment.)
func SortResults(rs []reports.Result) {
	keys := make([]sortKey, len(rs))
	for i := range rs {
		keys[i] = sortKey{rank(rs[i].Status, rs[i].Severity, 0), i, &rs[i]}
	}
	sortKeys(keys)
	// rs[k] is to become the result at keys[k].pos; done: keys[k].pos = k.
	for i := range keys {
		if keys[i].pos == i {
			continue
		}
		first := rs[i]
		j := i
		for {
			from := keys[j].pos
			keys[j].pos = j
			if from == i {
				rs[j] = first
				break
			}
			rs[j] = rs[from]
			j = from
		}
	}
}

func statusRank(s string) int {
	switch s {
	case reports.StatusFail:
		return 0
	case reports.StatusWaived:
		return 1
	case reports.StatusUnknown:
		return 2
	}
	return 3
}

// SeverityRank is 0 for critical … 4 for info, 5 for anything else.
func SeverityRank(s string) int {
	for i, v := range reports.Severities {
		if v == s {
			return i
		}
	}
	return len(reports.Severities)
}
