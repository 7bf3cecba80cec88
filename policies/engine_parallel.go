package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// One evaluation of a deployment can use several cores: main.rego's
// entrypoint is the concatenation of every rule document below
// data.ssis.rules (results := [r | some fam, name; some r in
// data.ssis.rules[fam][name]]), so the rule families data.ssis.rules.<fam>
// are split into one group per core (groupUnits), each group evaluated by
// its own prepared query, each family's results decoded and their sort
// keys sorted on the same goroutine, and the families' results are merged
// as the sort of their concatenation in family order would order them
// (collect). A group is a whole number of families: the helpers a family's
// rules share are computed once per query, and so are the helpers that the
// families of one group share (measured on the 100-node synthetic
// deployment: the seven small families cost 9.5 ms of CPU in one query and
// 11.3 ms in seven; one query per rule cost more CPU than the second core
// gave back). A fleet scan, which already evaluates one deployment per
// core, asks for the single query with WithSerialEvaluation.

// unit is one rule family.
type unit struct {
	ref    string
	fam    string
	weight float64 // its estimated cost (familyWeight)
}

// group is the families one query evaluates, prepared on first use.
type group struct {
	units []int // indexes of units, in family order
	once  sync.Once
	q     rego.PreparedEvalQuery
	err   error
}

type serialKey struct{}

// WithSerialEvaluation makes Evaluate use the one entrypoint query on the
// calling goroutine (for callers that run several evaluations in parallel).
func WithSerialEvaluation(ctx context.Context) context.Context {
	return context.WithValue(ctx, serialKey{}, true)
}

func serial(ctx context.Context) bool {
	v, _ := ctx.Value(serialKey{}).(bool)
	return v
}

// ruleUnits lists the families data.ssis.rules.<fam> of the compiled
// modules that hold rule documents (a rule that is not a function, or a
// package below the family), in name order as main.rego iterates them,
// each with its weight (familyWeight).
func ruleUnits(c *ast.Compiler) ([]*unit, error) {
	prefix := ast.MustParseRef(strings.TrimSuffix(RulesPackagePrefix, "."))
	fams := map[string]bool{}
	weights := map[string]float64{}
	as := c.GetAnnotationSet()
	names := slices.Sorted(maps.Keys(c.Modules))
	for _, name := range names {
		m := c.Modules[name]
		path := m.Package.Path
		if !path.HasPrefix(prefix) || len(path) < len(prefix)+1 {
			continue
		}
		f, ok := path[len(prefix)].Value.(ast.String)
		if !ok {
			continue
		}
		if len(path) > len(prefix)+1 || slices.ContainsFunc(m.Rules, func(r *ast.Rule) bool { return len(r.Head.Args) == 0 }) {
			fams[string(f)] = true
		}
		if len(path) == len(prefix)+1 {
			w, ok, err := familyWeight(as.GetPackageScope(m.Package))
			if err != nil {
				return nil, fmt.Errorf("%s: package %s: %w", name, strings.TrimPrefix(path.String(), "data."), err)
			}
			if ok {
				weights[string(f)] = w
			}
		}
	}
	out := make([]*unit, 0, len(fams))
	for _, f := range slices.Sorted(maps.Keys(fams)) {
		w, ok := weights[f]
		if !ok {
			w = 1
		}
		out = append(out, &unit{ref: prefix.Append(ast.StringTerm(f)).String(), fam: f, weight: w})
	}
	return out, nil
}

// familyWeight reads the estimated cost of a family from its package
// METADATA: custom.weight, about its single-core evaluation time in
// milliseconds on the 100-node synthetic deployment (a family without one
// weighs 1). The weights only decide which families share a query: a
// wrong one costs speed, never results; one that is not a positive number
// is an error.
func familyWeight(a *ast.Annotations) (w float64, ok bool, err error) {
	if a == nil || a.Custom == nil {
		return 0, false, nil
	}
	v, set := a.Custom["weight"]
	if !set {
		return 0, false, nil
	}
	switch x := v.(type) {
	case int:
		w = float64(x)
	case float64:
		w = x
	case json.Number:
		w, err = x.Float64()
	default:
		err = fmt.Errorf("got %T", v)
	}
	if err != nil || !(w > 0) || math.IsInf(w, 0) {
		return 0, false, fmt.Errorf("METADATA custom.weight %v: want a positive number (about the family's single-core milliseconds)", v)
	}
	return w, true, nil
}

// groupUnits splits the units into at most n groups of about equal weight
// (longest processing time first: each family, heaviest first, joins the
// lightest group so far; ties to the lower index), and orders the groups
// heaviest first, the order in which they start. Each group lists its
// units in family order.
func groupUnits(units []*unit, n int) [][]int {
	n = max(1, min(n, len(units)))
	order := make([]int, len(units))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return units[order[a]].weight > units[order[b]].weight })
	groups := make([][]int, n)
	load := make([]float64, n)
	for _, i := range order {
		g := 0
		for k := range load {
			if load[k] < load[g] {
				g = k
			}
		}
		groups[g] = append(groups[g], i)
		load[g] += units[i].weight
	}
	idx := make([]int, n)
	for k := range idx {
		idx[k] = k
		sort.Ints(groups[k])
	}
	sort.SliceStable(idx, func(a, b int) bool { return load[idx[a]] > load[idx[b]] })
	out := make([][]int, n)
	for k, g := range idx {
		out[k] = groups[g]
	}
	return out
}

// groups returns the engine's groups for n cores, made on first use.
func (e *Engine) groups(n int) []*group {
	e.groupsMu.Lock()
	defer e.groupsMu.Unlock()
	if gs, ok := e.groupsByN[n]; ok {
		return gs
	}
	var gs []*group
	for _, us := range groupUnits(e.units, n) {
		gs = append(gs, &group{units: us})
	}
	if e.groupsByN == nil {
		e.groupsByN = map[int][]*group{}
	}
	e.groupsByN[n] = gs
	return gs
}

// eval returns the decoded results of the entrypoint for input: from the
// one query, or from the rule documents evaluated in parallel (each decoded
// on the goroutine that evaluated it), in order.
func (e *Engine) eval(ctx context.Context, input ast.Value) ([]part, error) {
	workers := min(runtime.GOMAXPROCS(0), len(e.units))
	if workers < 2 || serial(ctx) {
		rs, err := e.query.Eval(ctx, rego.EvalParsedInput(input), evalKeepAST)
		if err != nil {
			return nil, fmt.Errorf("evaluate policies: %w", err)
		}
		if len(rs) == 0 || len(rs[0].Expressions) == 0 {
			return nil, fmt.Errorf("evaluate policies: %s is undefined", Query)
		}
		v, _ := rs[0].Expressions[0].Value.(ast.Value)
		if _, ok := v.(*ast.Array); !ok {
			return nil, fmt.Errorf("evaluate policies: %s is %s, want an array of results", Query, astKind(v))
		}
		d := newDecoder(e.joins, memberCount(v))
		if err := forMembers(v, d.add); err != nil {
			return nil, fmt.Errorf("%s: %w", errContract, err)
		}
		return []part{d.done()}, nil
	}
	parts := make([]part, len(e.units))
	var wg sync.WaitGroup
	for _, g := range e.groups(workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.evalDecode(ctx, e, input, parts)
		}()
	}
	wg.Wait()
	return parts, nil
}

// errContract prefixes the errors of results that break the contract.
const errContract = "policy results do not match the result contract"

// evalDecode evaluates the group's families with one query and decodes
// each family's results into its part: the rule documents in name order,
// each rule's results in its document's order.
func (g *group) evalDecode(ctx context.Context, e *Engine, input ast.Value, parts []part) {
	g.once.Do(func() {
		elems := make([]string, len(g.units))
		for k, i := range g.units {
			// (a comprehension: an undefined family is an empty array
			// instead of making the whole query undefined)
			elems[k] = "[v | v := " + e.units[i].ref + "]"
		}
		g.q, g.err = rego.New(rego.Query("["+strings.Join(elems, ", ")+"]"), rego.Compiler(e.compiler)).PrepareForEval(ctx)
	})
	fail := func(err error) {
		for _, i := range g.units {
			parts[i] = part{err: err}
		}
	}
	if g.err != nil {
		fail(fmt.Errorf("evaluate policies: prepare %s: %w", g.refs(e), g.err))
		return
	}
	rs, err := g.q.Eval(ctx, rego.EvalParsedInput(input), evalKeepAST)
	if err != nil {
		fail(fmt.Errorf("evaluate policies: %w", err))
		return
	}
	var vals *ast.Array
	if len(rs) > 0 && len(rs[0].Expressions) > 0 {
		vals, _ = rs[0].Expressions[0].Value.(*ast.Array)
	}
	for k, i := range g.units {
		var v ast.Value
		if vals != nil && k < vals.Len() {
			if one, ok := vals.Elem(k).Value.(*ast.Array); ok && one.Len() > 0 {
				v = one.Elem(0).Value
			}
		}
		parts[i] = e.units[i].decode(v, e.joins)
	}
}

func (g *group) refs(e *Engine) string {
	rs := make([]string, len(g.units))
	for k, i := range g.units {
		rs[k] = e.units[i].ref
	}
	return strings.Join(rs, ", ")
}

// decode decodes the unit's value v (rule name -> rule document).
func (u *unit) decode(v ast.Value, joins map[string]*ruleJoin) part {
	docs := members(nil, v)
	n := 0
	for _, doc := range docs {
		n += memberCount(doc)
	}
	d := newDecoder(joins, n)
	for _, doc := range docs {
		if err := forMembers(doc, d.add); err != nil {
			return part{err: fmt.Errorf("%s: %s: %w", errContract, u.ref, err)}
		}
	}
	return d.done()
}
