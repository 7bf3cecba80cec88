// Package policies embeds the Rego rules, compiles them once and evaluates
// them against a facts document through one prepared query.
package policies

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

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
	sources  []Source
	tests    []Source
	digest   string
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
	for _, d := range extraDirs {
		more, err := ReadDir(d)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, more...)
	}
	return Compile(ctx, srcs)
}

// Parse parses sources with METADATA annotations kept.
func Parse(srcs []Source) (map[string]*ast.Module, error) {
	mods := make(map[string]*ast.Module, len(srcs))
	for _, s := range srcs {
		m, err := ast.ParseModuleWithOpts(s.Name, s.Text, ast.ParserOptions{
			ProcessAnnotation: true,
			RegoVersion:       ast.RegoV1,
		})
		if err != nil {
			return nil, fmt.Errorf("parse policy %s: %w", s.Name, err)
		}
		if _, dup := mods[s.Name]; dup {
			return nil, fmt.Errorf("policy %s: loaded twice", s.Name)
		}
		mods[s.Name] = m
	}
	return mods, nil
}

// NewCompiler returns the compiler configuration used everywhere.
func NewCompiler() *ast.Compiler {
	return ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(false)
}

// Compile compiles policy sources (test files are kept aside for RunTests).
func Compile(ctx context.Context, srcs []Source) (*Engine, error) {
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
	q, err := rego.New(rego.Query(Query), rego.Compiler(c)).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", Query, err)
	}
	e.query = q
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
// the evaluation parameters to an AST value, once.
func InputValue(facts any, params map[string]any) (ast.Value, error) {
	b, err := json.Marshal(facts)
	if err != nil {
		return nil, fmt.Errorf("encode facts: %w", err)
	}
	var doc map[string]any
	if err := util.UnmarshalJSON(b, &doc); err != nil {
		return nil, fmt.Errorf("decode facts: %w", err)
	}
	if doc == nil {
		return nil, fmt.Errorf("facts: not a JSON object")
	}
	doc["params"] = params
	v, err := ast.InterfaceToValue(doc)
	if err != nil {
		return nil, fmt.Errorf("convert facts: %w", err)
	}
	return v, nil
}

// rawResult is the shape a rule yields (docs/policy-contract.md).
type rawResult struct {
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

// Evaluate runs the prepared query on an input value and returns the
// results with their metadata joined, sorted.
func (e *Engine) Evaluate(ctx context.Context, input ast.Value) ([]reports.Result, error) {
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("evaluate policies: %w", err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, fmt.Errorf("evaluate policies: %s is undefined", Query)
	}
	b, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		return nil, fmt.Errorf("encode results: %w", err)
	}
	var raws []rawResult
	if err := json.Unmarshal(b, &raws); err != nil {
		return nil, fmt.Errorf("policy results do not match the result contract: %w", err)
	}
	out := make([]reports.Result, 0, len(raws))
	for _, r := range raws {
		meta, ok := e.rules[r.Rule]
		if !ok {
			return nil, fmt.Errorf("policy result names rule %q, which has no METADATA annotation", r.Rule)
		}
		switch r.Status {
		case reports.StatusFail, reports.StatusPass, reports.StatusUnknown:
		default:
			return nil, fmt.Errorf("rule %s: result status %q, want fail, pass or unknown", r.Rule, r.Status)
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
	SortResults(out)
	return out, nil
}

// SortResults orders results by status (fail, unknown, pass), severity,
// rule, node, instance and object.
func SortResults(rs []reports.Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if x, y := statusRank(a.Status), statusRank(b.Status); x != y {
			return x < y
		}
		if x, y := SeverityRank(a.Severity), SeverityRank(b.Severity); x != y {
			return x < y
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Subject.Node != b.Subject.Node {
			return a.Subject.Node < b.Subject.Node
		}
		if a.Subject.Instance != b.Subject.Instance {
			return a.Subject.Instance < b.Subject.Instance
		}
		return a.Subject.Object < b.Subject.Object
	})
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
