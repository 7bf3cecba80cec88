package policies

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// The queries hand back their values as AST (keepAST instead of the rego
// package's conversion to map[string]any with json.Number), and the results
// are decoded from the AST directly: the result objects, subjects and
// evidence never become Go maps, and observed, expected and fix params are
// converted once, to what encoding/json would decode (float64 numbers).

// keepAST is the rego.EvalGenerateJSON converter that keeps the value.
func keepAST(t *ast.Term, _ *rego.EvalContext) (any, error) { return t.Value, nil }

var evalKeepAST = rego.EvalGenerateJSON(keepAST)

// members appends what "some r in v" enumerates: the elements of an array
// or a set (in the set's own order, as the rego package converts it), the
// values of an object in key order; nothing for a scalar or nil.
func members(out []ast.Value, v ast.Value) []ast.Value {
	switch x := v.(type) {
	case *ast.Array:
		for i := range x.Len() {
			out = append(out, x.Elem(i).Value)
		}
	case ast.Set:
		for _, t := range x.Slice() {
			out = append(out, t.Value)
		}
	case ast.Object:
		keys := x.Keys()
		slices.SortFunc(keys, func(a, b *ast.Term) int { return a.Value.Compare(b.Value) })
		for _, k := range keys {
			out = append(out, x.Get(k).Value)
		}
	}
	return out
}

// forMembers calls f on each of members(nil, v) in order, until f returns
// an error; the members of an array or a set are not collected first.
func forMembers(v ast.Value, f func(ast.Value) error) error {
	switch x := v.(type) {
	case *ast.Array:
		for i := range x.Len() {
			if err := f(x.Elem(i).Value); err != nil {
				return err
			}
		}
		return nil
	case ast.Set:
		// Slice is the set's sorted elements themselves (as Iter's), not
		// a copy: only read.
		for _, t := range x.Slice() {
			if err := f(t.Value); err != nil {
				return err
			}
		}
		return nil
	}
	for _, m := range members(nil, v) {
		if err := f(m); err != nil {
			return err
		}
	}
	return nil
}

// memberCount is len(members(nil, v)).
func memberCount(v ast.Value) int {
	switch x := v.(type) {
	case *ast.Array:
		return x.Len()
	case ast.Set:
		return x.Len()
	case ast.Object:
		return x.Len()
	}
	return 0
}

// The fields of a result object, in the order they are decoded (the first
// error is reported).
const (
	fRule = iota
	fStatus
	fMessage
	fSeverity
	fSubject
	fMissing
	fEvidence
	fFix
	fObserved
	fExpected
	nResultFields
)

// decoder decodes the results of one query into reports.Result with the
// semantics of encoding/json on the result contract (null leaves a field
// empty; a value of the wrong type is an error; numbers in observed,
// expected and fix params become float64) and joins each with its rule's
// metadata. A decoder is used by one goroutine.
type decoder struct {
	rules map[string]*ruleJoin
	// The results decoded, the sort key of each (pos: the index in
	// results; r: set by done, which sorts them), and the first result
	// whose rule or status is unknown: it is reported only if no result
	// of any query breaks the contract.
	results []reports.Result
	keys    []sortKey
	joinErr error
	// The functions that visit an object's keys, bound once: Foreach
	// takes a func, and a closure made for each object would be allocated
	// for each object. Each stores the values of the keys it knows in its
	// array (nil for an absent key), or, for plain objects, into pm.
	resultFn, subjectFn, evidenceFn, fixFn, plainFn func(k, v *ast.Term)
	rf                                              [nResultFields]ast.Value
	sf                                              [4]ast.Value
	ef, ff                                          [3]ast.Value
	pm                                              map[string]any
	perr                                            error
	// evidence is the block the results' evidence slices are cut from.
	evidence []reports.Evidence
}

// decoders are the decoders not in use: an evaluation's results are
// copied out of its decoders (collect), whose buffers the next evaluation
// reuses.
var decoders = sync.Pool{New: func() any {
	d := &decoder{}
	d.resultFn = d.visitResult
	d.subjectFn = d.visitSubject
	d.evidenceFn = d.visitEvidence
	d.fixFn = d.visitFix
	d.plainFn = d.visitPlain
	return d
}}

// newDecoder returns a decoder for n results (a capacity, not a limit).
func newDecoder(rules map[string]*ruleJoin, n int) *decoder {
	d := decoders.Get().(*decoder)
	d.rules = rules
	if cap(d.results) < n {
		d.results, d.keys = make([]reports.Result, 0, n), make([]sortKey, 0, n)
	}
	return d
}

// release clears d's results and fields (which hold values of an
// evaluation) and returns it to decoders. The block of evidence is kept:
// its unused end is cut into the next results' evidence, apart from what
// earlier results hold.
func (d *decoder) release() {
	clear(d.results)
	d.results, d.keys = d.results[:0], d.keys[:0]
	d.rules, d.joinErr = nil, nil
	d.rf, d.sf, d.ef, d.ff = [nResultFields]ast.Value{}, [4]ast.Value{}, [3]ast.Value{}, [3]ast.Value{}
	decoders.Put(d)
}

// add decodes the result x, the next one, and joins it with its rule's
// metadata. Its error (a result that breaks the contract) names the
// result's index.
func (d *decoder) add(x ast.Value) error {
	i := len(d.results)
	d.results = append(d.results, reports.Result{})
	r := &d.results[i]
	if err := d.decode(x, r); err != nil {
		return fmt.Errorf("result %d: %w", i, err)
	}
	d.keys = append(d.keys, sortKey{rank: d.join(r), pos: i})
	return nil
}

// done returns the part decoded: the results and their sort keys, sorted.
func (d *decoder) done() part {
	for i := range d.keys {
		d.keys[i].r = &d.results[i]
	}
	sortKeys(d.keys)
	return part{results: d.results, keys: d.keys, joinErr: d.joinErr, dec: d}
}

// join fills in r's metadata (title, severity unless the result has its
// own, source, doc URL), an empty evidence list for none, no fix unless r
// fails; it returns r's sort rank. A rule or status that is not known is
// recorded in joinErr (the first one).
func (d *decoder) join(r *reports.Result) uint64 {
	j, ok := d.rules[r.Rule]
	if !ok {
		if d.joinErr == nil {
			d.joinErr = fmt.Errorf("policy result names rule %q, which has no METADATA annotation", r.Rule)
		}
		return 0
	}
	switch r.Status {
	case reports.StatusFail, reports.StatusPass, reports.StatusUnknown:
	default:
		if d.joinErr == nil {
			d.joinErr = fmt.Errorf("rule %s: result status %q, want fail, pass or unknown", r.Rule, r.Status)
		}
		return 0
	}
	r.Title, r.Source, r.DocURL = j.title, j.source, j.docURL
	if r.Severity == "" {
		r.Severity = j.severity
	}
	if r.Evidence == nil {
		r.Evidence = []reports.Evidence{}
	}
	if r.Status != reports.StatusFail {
		r.Fix = nil
	}
	return rank(r.Status, r.Severity, j.ord)
}

// decode decodes one result (contract fields only; r.Severity is the
// result's own).
func (d *decoder) decode(x ast.Value, r *reports.Result) error {
	if _, null := x.(ast.Null); null {
		return nil
	}
	m, ok := x.(ast.Object)
	if !ok {
		return fmt.Errorf("got %s, want an object", astKind(x))
	}
	d.rf = [nResultFields]ast.Value{}
	m.Foreach(d.resultFn)
	f := &d.rf
	var err error
	if r.Rule, err = astString(f[fRule], "rule"); err != nil {
		return err
	}
	if r.Status, err = astString(f[fStatus], "status"); err != nil {
		return err
	}
	if r.Message, err = astString(f[fMessage], "message"); err != nil {
		return err
	}
	if r.Severity, err = astString(f[fSeverity], "severity"); err != nil {
		return err
	}
	if err = d.subject(f[fSubject], &r.Subject); err != nil {
		return err
	}
	if r.Missing, err = astStrings(f[fMissing], "missing"); err != nil {
		return err
	}
	if r.Evidence, err = d.evidenceList(f[fEvidence]); err != nil {
		return err
	}
	if r.Fix, err = d.fix(f[fFix]); err != nil {
		return err
	}
	if r.Observed, err = d.plain(f[fObserved]); err != nil {
		return err
	}
	r.Expected, err = d.plain(f[fExpected])
	return err
}

func (d *decoder) visitResult(k, v *ast.Term) {
	ks, ok := k.Value.(ast.String)
	if !ok {
		return
	}
	i := -1
	switch ks {
	case "rule":
		i = fRule
	case "status":
		i = fStatus
	case "message":
		i = fMessage
	case "severity":
		i = fSeverity
	case "subject":
		i = fSubject
	case "missing":
		i = fMissing
	case "evidence":
		i = fEvidence
	case "fix":
		i = fFix
	case "observed":
		i = fObserved
	case "expected":
		i = fExpected
	default:
		return
	}
	d.rf[i] = v.Value
}

func astKind(v ast.Value) string {
	switch v.(type) {
	case nil, ast.Null:
		return "null"
	case ast.String:
		return "a string"
	case ast.Boolean:
		return "a boolean"
	case ast.Number:
		return "a number"
	case *ast.Array, ast.Set:
		return "an array"
	case ast.Object:
		return "an object"
	}
	return ast.TypeName(v)
}

func isNull(v ast.Value) bool {
	switch v.(type) {
	case nil, ast.Null:
		return true
	}
	return false
}

func astString(v ast.Value, key string) (string, error) {
	if s, ok := v.(ast.String); ok {
		return string(s), nil
	}
	if isNull(v) {
		return "", nil
	}
	return "", fmt.Errorf("%s: got %s, want a string", key, astKind(v))
}

func astStrings(v ast.Value, key string) ([]string, error) {
	if isNull(v) {
		return nil, nil
	}
	if _, ok := v.(*ast.Array); !ok {
		if _, set := v.(ast.Set); !set {
			return nil, fmt.Errorf("%s: got %s, want an array of strings", key, astKind(v))
		}
	}
	n := memberCount(v)
	if n == 0 {
		return []string{}, nil
	}
	out := make([]string, 0, n)
	err := forMembers(v, func(x ast.Value) error {
		s, ok := x.(ast.String)
		if !ok && !isNull(x) {
			// (the element's name only for the error)
			_, err := astString(x, fmt.Sprintf("%s[%d]", key, len(out)))
			return err
		}
		out = append(out, string(s))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (d *decoder) subject(v ast.Value, s *reports.Subject) error {
	if isNull(v) {
		return nil
	}
	m, ok := v.(ast.Object)
	if !ok {
		return fmt.Errorf("subject: got %s, want an object", astKind(v))
	}
	d.sf = [4]ast.Value{}
	m.Foreach(d.subjectFn)
	var err error
	if s.Kind, err = astString(d.sf[0], "subject.kind"); err != nil {
		return err
	}
	if s.Node, err = astString(d.sf[1], "subject.node"); err != nil {
		return err
	}
	if s.Instance, err = astString(d.sf[2], "subject.instance"); err != nil {
		return err
	}
	s.Object, err = astString(d.sf[3], "subject.object")
	return err
}

func (d *decoder) visitSubject(k, v *ast.Term) {
	ks, ok := k.Value.(ast.String)
	if !ok {
		return
	}
	switch ks {
	case "kind":
		d.sf[0] = v.Value
	case "node":
		d.sf[1] = v.Value
	case "instance":
		d.sf[2] = v.Value
	case "object":
		d.sf[3] = v.Value
	}
}

// evidenceBlock is the number of Evidence allocated at once.
const evidenceBlock = 256

func (d *decoder) evidenceList(v ast.Value) ([]reports.Evidence, error) {
	if isNull(v) {
		return nil, nil
	}
	if _, ok := v.(*ast.Array); !ok {
		if _, set := v.(ast.Set); !set {
			return nil, fmt.Errorf("evidence: got %s, want an array", astKind(v))
		}
	}
	n := memberCount(v)
	if n == 0 {
		return []reports.Evidence{}, nil
	}
	// out is cut from the block with its capacity limited to its length,
	// so that an append to it cannot write into another result's.
	if cap(d.evidence)-len(d.evidence) < n {
		d.evidence = make([]reports.Evidence, 0, max(n, evidenceBlock))
	}
	l := len(d.evidence)
	out := d.evidence[l : l+n : l+n]
	d.evidence = d.evidence[:l+n]
	next := 0
	err := forMembers(v, func(x ast.Value) error {
		i := next
		next++
		if isNull(x) {
			return nil
		}
		m, ok := x.(ast.Object)
		if !ok {
			return fmt.Errorf("evidence[%d]: got %s, want an object", i, astKind(x))
		}
		d.ef = [3]ast.Value{}
		m.Foreach(d.evidenceFn)
		var err error
		if out[i].Artifact, err = astString(d.ef[0], "evidence.artifact"); err != nil {
			return err
		}
		if out[i].Key, err = astString(d.ef[1], "evidence.key"); err != nil {
			return err
		}
		switch n := d.ef[2].(type) {
		case nil, ast.Null:
		case ast.Number:
			line, err := strconv.Atoi(string(n))
			if err != nil {
				return fmt.Errorf("evidence.line: %s is not an integer", n)
			}
			out[i].Line = line
		default:
			return fmt.Errorf("evidence.line: got %s, want a number", astKind(n))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (d *decoder) visitEvidence(k, v *ast.Term) {
	ks, ok := k.Value.(ast.String)
	if !ok {
		return
	}
	switch ks {
	case "artifact":
		d.ef[0] = v.Value
	case "key":
		d.ef[1] = v.Value
	case "line":
		d.ef[2] = v.Value
	}
}

func (d *decoder) fix(v ast.Value) (*reports.Fix, error) {
	if isNull(v) {
		return nil, nil
	}
	m, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("fix: got %s, want an object", astKind(v))
	}
	d.ff = [3]ast.Value{}
	m.Foreach(d.fixFn)
	ff := d.ff
	f := &reports.Fix{}
	var err error
	if f.ID, err = astString(ff[0], "fix.id"); err != nil {
		return nil, err
	}
	if f.Target, err = astString(ff[1], "fix.target"); err != nil {
		return nil, err
	}
	switch p := ff[2].(type) {
	case nil, ast.Null:
	case ast.Object:
		x, err := d.plain(p)
		if err != nil {
			return nil, err
		}
		f.Params = x.(map[string]any)
	default:
		return nil, fmt.Errorf("fix.params: got %s, want an object", astKind(p))
	}
	return f, nil
}

func (d *decoder) visitFix(k, v *ast.Term) {
	ks, ok := k.Value.(ast.String)
	if !ok {
		return
	}
	switch ks {
	case "id":
		d.ff[0] = v.Value
	case "target":
		d.ff[1] = v.Value
	case "params":
		d.ff[2] = v.Value
	}
}

// plain is v as encoding/json decodes the rego package's conversion of it
// into an any: numbers become float64 (a number float64 cannot hold stays
// its text), sets become arrays in the set's order, and an object key that
// is not a string becomes its JSON text.
func (d *decoder) plain(v ast.Value) (any, error) {
	switch x := v.(type) {
	case nil, ast.Null:
		return nil, nil
	case ast.Boolean:
		return bool(x), nil
	case ast.String:
		return string(x), nil
	case ast.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return string(x), nil
		}
		return f, nil
	case *ast.Array, ast.Set:
		out := make([]any, 0, memberCount(v))
		err := forMembers(v, func(e ast.Value) error {
			p, err := d.plain(e)
			out = append(out, p)
			return err
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	case ast.Object:
		// visitPlain fills d.pm, and records its first error in d.perr
		// (both nil before: a nested object is reached through
		// visitPlain, which calls plain only while d.perr is nil).
		outer := d.pm
		out := make(map[string]any, x.Len())
		d.pm = out
		x.Foreach(d.plainFn)
		err := d.perr
		d.pm, d.perr = outer, nil
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s in a result", ast.TypeName(v))
}

// visitPlain stores one key and value of an object into d.pm; after an
// error (recorded in d.perr) it does nothing.
func (d *decoder) visitPlain(k, e *ast.Term) {
	if d.perr != nil {
		return
	}
	key, ok := k.Value.(ast.String)
	if !ok {
		// as the rego package's conversion: the key's JSON text
		j, err := ast.JSON(k.Value)
		if err == nil {
			var ks string
			ks, err = jsonText(j)
			key = ast.String(ks)
		}
		if err != nil {
			d.perr = err
			return
		}
	}
	m := d.pm
	pv, err := d.plain(e.Value)
	if err != nil {
		d.perr = err
		return
	}
	m[string(key)] = pv
}

// jsonText is the JSON text of v as an encoding/json Encoder writes it
// (the rego package's form of a non-string object key).
func jsonText(v any) (string, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}
