package policies

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// One evaluation of a deployment can use several cores: main.rego's
// entrypoint is the concatenation of every rule document below
// data.ssis.rules (results := [r | some fam, name; some r in
// data.ssis.rules[fam][name]]), so each family data.ssis.rules.<fam> is
// evaluated by its own prepared query, up to GOMAXPROCS at a time, its
// results decoded and their sort keys sorted on the same goroutine, and
// the families' results are merged as the sort of their concatenation in
// the same order would order them (collect). (Per family, not per rule:
// the helpers a family's rules share are computed once per query, and one
// query per rule cost more CPU than the second core gave back.) A fleet
// scan, which already evaluates one deployment per core, asks for the
// single query with WithSerialEvaluation.

// unit is one rule family, prepared on first use.
type unit struct {
	ref   string
	rules int // rule documents in the family (the scheduling weight)
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
// modules that hold rules, sorted as main.rego iterates them, with the
// number of rule documents of each.
func ruleUnits(c *ast.Compiler) []*unit {
	type key struct{ fam, name string }
	seen := map[key]bool{}
	var keys []key
	add := func(fam, name *ast.Term) {
		f, ok1 := fam.Value.(ast.String)
		var n string
		switch x := name.Value.(type) {
		case ast.String:
			n = string(x)
		case ast.Var:
			n = string(x)
		default:
			return
		}
		if !ok1 {
			return
		}
		k := key{string(f), n}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	prefix := ast.MustParseRef(strings.TrimSuffix(RulesPackagePrefix, "."))
	for _, m := range c.Modules {
		path := m.Package.Path
		if !path.HasPrefix(prefix) || len(path) < len(prefix)+1 {
			continue
		}
		fam := path[len(prefix)]
		if len(path) > len(prefix)+1 {
			add(fam, path[len(prefix)+1])
			continue
		}
		for _, r := range m.Rules {
			if len(r.Head.Args) > 0 {
				continue
			}
			add(fam, r.Head.Ref()[0])
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].fam != keys[j].fam {
			return keys[i].fam < keys[j].fam
		}
		return keys[i].name < keys[j].name
	})
	var out []*unit
	for _, k := range keys {
		if s := prefix.Append(ast.StringTerm(k.fam)).String(); len(out) == 0 || out[len(out)-1].ref != s {
			out = append(out, &unit{ref: s})
		}
		out[len(out)-1].rules++
	}
	return out
}

// startOrder is the order in which the units are handed to the workers:
// the families with the most rules first (ties in family order). With one
// queue and a worker per core, starting the big families first keeps one
// core from being left with a big family at the end: measured on the
// 100-node synthetic deployment, the worker family is about half of the
// evaluation and the master family (the most rules) a quarter, so they
// start together on the two cores and the small families fill in behind.
func startOrder(units []*unit) []int {
	order := make([]int, len(units))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return units[order[a]].rules > units[order[b]].rules })
	return order
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
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				parts[i] = e.units[i].evalDecode(ctx, e.compiler, e.joins, input)
			}
		}()
	}
	for _, i := range e.order {
		next <- i
	}
	close(next)
	wg.Wait()
	return parts, nil
}

// errContract prefixes the errors of results that break the contract.
const errContract = "policy results do not match the result contract"

// evalDecode evaluates the unit and decodes its results: the rule
// documents in name order, each rule's results in its document's order.
func (u *unit) evalDecode(ctx context.Context, c *ast.Compiler, joins map[string]*ruleJoin, input ast.Value) part {
	v, err := u.eval(ctx, c, input)
	if err != nil {
		return part{err: fmt.Errorf("evaluate policies: %w", err)}
	}
	return u.decode(v, joins)
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

func (u *unit) eval(ctx context.Context, c *ast.Compiler, input ast.Value) (ast.Value, error) {
	u.once.Do(func() {
		u.q, u.err = rego.New(rego.Query(u.ref), rego.Compiler(c)).PrepareForEval(ctx)
	})
	if u.err != nil {
		return nil, fmt.Errorf("prepare %s: %w", u.ref, u.err)
	}
	rs, err := u.q.Eval(ctx, rego.EvalParsedInput(input), evalKeepAST)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil // undefined: no results
	}
	v, _ := rs[0].Expressions[0].Value.(ast.Value)
	return v, nil
}
