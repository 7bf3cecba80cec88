package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundlegen"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/facts"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// InputValue builds the AST value directly; it must equal the value the
// facts' JSON encoding gives, on every example bundle and on synthetic ones.
func TestInputValueDirect(t *testing.T) {
	params := map[string]any{"profile": "ha", "target_version": ""}
	check := func(name string, doc any) {
		t.Helper()
		got, err := InputValue(doc, params)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := inputValueJSON(doc, params)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Compare(want) != 0 {
			t.Errorf("%s: direct conversion differs from the JSON round trip:\n got %.2000v\nwant %.2000v", name, got, want)
		}
	}
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "bundles", "*"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	for _, spec := range []*bundlegen.Spec{bundlegen.Synthetic(2, true), bundlegen.Synthetic(12, true)} {
		p := filepath.Join(tmp, spec.Name)
		if err := bundlegen.Write(p, spec); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, p)
	}
	n := 0
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			continue
		}
		b, err := bundle.Open(d)
		if err != nil {
			continue // malformed examples are not facts
		}
		doc, err := facts.Normalize(b)
		if err != nil {
			continue
		}
		check(d, doc)
		n++
	}
	if n < 3 {
		t.Fatalf("only %d bundles checked", n)
	}
	// The shapes the walker handles itself or hands to encoding/json.
	type Inner struct {
		A int    `json:"a,omitempty"`
		B string `json:"-"`
	}
	type Embedded struct {
		E string `json:"e"`
	}
	check("shapes", struct {
		Embedded
		*Inner
		S    string              `json:"s"`
		Bad  string              `json:"bad"`
		N    json.Number         `json:"n"`
		F    float64             `json:"f"`
		G    float64             `json:"g"`
		T    time.Time           `json:"t"`
		P    *int                `json:"p"`
		M    map[string]any      `json:"m"`
		BadK map[string]any      `json:"bad_k"`
		BadS map[string]string   `json:"bad_s"`
		BadI map[string]int      `json:"bad_i"`
		BadT map[string]Inner    `json:"bad_t"`
		NilM map[string]string   `json:"nil_m"`
		SS   map[string][]string `json:"ss"`
		BadL map[string][]string `json:"bad_l"`
		NilS []string            `json:"nil_s"`
		Raw  []byte              `json:"raw"`
		IntK map[int]string      `json:"int_k"`
		Omit []int               `json:"omit,omitempty"`
		U    uint8
		x    int
	}{
		Embedded: Embedded{"e"}, Inner: &Inner{A: 1}, S: "s", Bad: "a\xffb", N: "70.0", F: 1e-7, G: 70,
		T: time.Date(2026, 11, 27, 10, 0, 0, 5, time.UTC), M: map[string]any{"x": []any{1.5, "y", nil, true, map[string]any{"a\xffb": 1.0, "a\xfeb": 2.0}}},
		// Keys that are the same once invalid UTF-8 is coerced: the last
		// in sorted order wins, as in the JSON round trip.
		BadK: map[string]any{"a\xffb": 1.0, "a\xfeb": "x", "a\xfdb": nil, "ok": -0.0},
		BadS: map[string]string{"a\xffb": "1", "a\xfeb": "2", "z": "\xff"},
		BadI: map[string]int{"a\xffb": 1, "a\xfeb": 2, "big": 1 << 40},
		BadT: map[string]Inner{"a\xffb": {A: 1}, "a\xfeb": {A: 2}, "c": {}},
		SS:   map[string][]string{"worker": {"B", "a\xffb"}, "none": nil, "empty": {}},
		BadL: map[string][]string{"a\xffb": {"1"}, "a\xfeb": {"2"}},
		Raw:  []byte("hi"), IntK: map[int]string{3: "c"}, U: 7, x: 1,
	})
}

// decodeAll decodes the results v (an array) as Evaluate does, without
// the metadata join.
func decodeAll(v ast.Value) ([]jsonResult, error) {
	d := newDecoder(nil, 0)
	var out []jsonResult
	err := forMembers(v, func(x ast.Value) error {
		var r reports.Result
		if err := d.decode(x, &r); err != nil {
			return fmt.Errorf("result %d: %w", len(out), err)
		}
		out = append(out, jsonResult{
			Rule: r.Rule, Status: r.Status, Subject: r.Subject, Message: r.Message, Observed: r.Observed,
			Expected: r.Expected, Missing: r.Missing, Evidence: r.Evidence, Fix: r.Fix, Severity: r.Severity,
		})
		return nil
	})
	return out, err
}

// The decoder must decode what encoding/json decodes, on real results
// (every status, fixes with params, numbers in observed values).
func TestDecodeResultsLikeJSON(t *testing.T) {
	ctx := context.Background()
	eng, err := Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []*bundlegen.Spec{bundlegen.Synthetic(12, true), bundlegen.Synthetic(2, false)} {
		in := specInput(t, spec)
		rs, err := eng.query.Eval(ctx, rego.EvalParsedInput(in))
		if err != nil {
			t.Fatal(err)
		}
		want := jsonResults(t, rs[0].Expressions[0].Value) // the rego package's conversion
		rs, err = eng.query.Eval(ctx, rego.EvalParsedInput(in), evalKeepAST)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeAll(rs[0].Expressions[0].Value.(ast.Value))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the decoder differs from encoding/json (%d vs %d results)", spec.Name, len(got), len(want))
			for i := range min(len(got), len(want)) {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("first difference, result %d:\n got %+v\nwant %+v", i, got[i], want[i])
					break
				}
			}
		}
	}
	// values of every kind in observed, expected and fix params (sets,
	// numbers float64 cannot hold, non-string keys, nested objects and
	// arrays) decode as encoding/json decodes the rego package's conversion
	for _, odd := range []string{
		`[{"rule": "R", "status": "pass", "observed": {"s": {3, 1, "a"}, "i": 12345678901234567890, "f": 1.5, "k": {1: "x", [1]: true, {"a": 1}: null}}, "expected": [null, false, "\u003c\u003e"], "fix": {"id": "f", "target": "t", "params": {"n": 2, "s": {"b"}}}, "evidence": [{"artifact": "a", "line": 3}], "missing": ["m"], "subject": {"kind": "node", "node": "N"}}]`,
		`[{"observed": {"a": {"b": {"c": [{"d": 1}, {"e": {"f": "g"}}]}, "h": 2}, "i": [[], {}, [{}]]}, "expected": {}, "evidence": [], "missing": []}, null, {"observed": [{"x": 1}, {"y": [2]}], "expected": {"1": 1, 1: 2}, "evidence": [null, {"key": "k"}], "missing": [null, "m"], "fix": {"params": {"p": {"q": 1.0}}}}]`,
		`[{"evidence": {{"artifact": "b"}, {"artifact": "a", "line": 1}}, "missing": {"y", "x"}, "subject": {"kind": "k", "node": "n", "instance": "i", "object": "o", 1: 2, "other": 3}, "other": 4, 5: 6}]`,
	} {
		v := ast.MustParseTerm(odd).Value
		conv, err := ast.JSON(v)
		if err != nil {
			t.Fatal(err)
		}
		want := jsonResults(t, conv)
		got, err := decodeAll(v)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoder = %+v, %v\nencoding/json: %+v", odd, got, err, want)
		}
	}
	for _, bad := range []string{
		`["x"]`,
		`[{"rule": 1}]`,
		`[{"evidence": [{"line": 1.5}]}]`,
		`[{"evidence": [{"line": "1"}]}]`,
		`[{"evidence": {"line": 1}}]`,
		`[{"evidence": [{}, "x"]}]`,
		`[{"evidence": [{"artifact": 1}]}]`,
		`[{"evidence": [{"key": false}]}]`,
		`[{"fix": {"params": []}}]`,
		`[{"fix": {"id": 1}}]`,
		`[{"fix": {"target": 1}}]`,
		`[{"fix": "f"}]`,
		`[{"missing": [true]}]`,
		`[{"missing": "m"}]`,
		`[{"subject": {"node": 1}}]`,
		`[{"subject": "s"}]`,
		`[{"status": 1}, {"message": 1}]`,
		`[{"severity": []}]`,
	} {
		if _, err := decodeAll(ast.MustParseTerm(bad).Value); err == nil {
			t.Errorf("decoder accepted %s", bad)
		}
	}
}

// The errors of values the decoder rejects, word for word.
func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`[{"rule": "R"}, "x"]`, "result 1: got a string, want an object"},
		{`[{"rule": 1}]`, "result 0: rule: got a number, want a string"},
		{`[{"status": true}]`, "result 0: status: got a boolean, want a string"},
		{`[{"message": {}}]`, "result 0: message: got an object, want a string"},
		{`[{"severity": {1}}]`, "result 0: severity: got an array, want a string"},
		{`[{"rule": 1, "status": 2}]`, "result 0: rule: got a number, want a string"},
		{`[{"subject": {"kind": 1}}]`, "result 0: subject.kind: got a number, want a string"},
		{`[{"subject": {"instance": 1}}]`, "result 0: subject.instance: got a number, want a string"},
		{`[{"subject": {"object": 1}}]`, "result 0: subject.object: got a number, want a string"},
		{`[{"subject": 1}]`, "result 0: subject: got a number, want an object"},
		{`[{"missing": ["a", 1]}]`, "result 0: missing[1]: got a number, want a string"},
		{`[{"missing": {}}]`, "result 0: missing: got an object, want an array of strings"},
		{`[{"evidence": [{}, 1]}]`, "result 0: evidence[1]: got a number, want an object"},
		{`[{"evidence": "e"}]`, "result 0: evidence: got a string, want an array"},
		{`[{"evidence": [{"artifact": 1}]}]`, "result 0: evidence.artifact: got a number, want a string"},
		{`[{"evidence": [{"key": 1}]}]`, "result 0: evidence.key: got a number, want a string"},
		{`[{"evidence": [{"line": 1.5}]}]`, "result 0: evidence.line: 1.5 is not an integer"},
		{`[{"evidence": [{"line": "1"}]}]`, "result 0: evidence.line: got a string, want a number"},
		{`[{"fix": []}]`, "result 0: fix: got an array, want an object"},
		{`[{"fix": {"id": 1}}]`, "result 0: fix.id: got a number, want a string"},
		{`[{"fix": {"target": 1}}]`, "result 0: fix.target: got a number, want a string"},
		{`[{"fix": {"params": 1}}]`, "result 0: fix.params: got a number, want an object"},
		{`[{"subject": {"node": 1}, "missing": [1]}]`, "result 0: subject.node: got a number, want a string"},
		{`[{"observed": {"a": {"b": x}}}]`, "result 0: var in a result"},
		{`[{"observed": [1, {"a": [x]}], "expected": x}]`, "result 0: var in a result"},
		{`[{"fix": {"params": {"a": {"b": x}}}}]`, "result 0: var in a result"},
	} {
		_, err := decodeAll(ast.MustParseTerm(c.in).Value)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: got error %v, want %q", c.in, err, c.want)
		}
	}
	// after an error in a value, the next values decode (the decoder's state
	// is reset)
	d := newDecoder(nil, 0)
	if _, err := d.plain(ast.MustParseTerm(`{"a": {"b": x}, "c": 1}`).Value); err == nil {
		t.Fatal("var accepted")
	}
	got, err := d.plain(ast.MustParseTerm(`{"a": {"b": 1}, "c": [{"d": 2}]}`).Value)
	want := map[string]any{"a": map[string]any{"b": 1.0}, "c": []any{map[string]any{"d": 2.0}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after an error: %v, %v", got, err)
	}
}

// The parallel evaluation (the rule families in one group per core) gives
// the results of the one entrypoint query, for any number of cores.
func TestParallelEvaluationLikeSerial(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	ctx := context.Background()
	eng, err := Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(eng.units) < 2 {
		t.Fatalf("rule families: %v", eng.units)
	}
	in := synthInput(t, 12, true)
	ser, err := eng.Evaluate(WithSerialEvaluation(ctx), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, procs := range []int{2, 3, 4, len(eng.units), len(eng.units) + 3} {
		runtime.GOMAXPROCS(procs)
		par, err := eng.Evaluate(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(par) == 0 || !reflect.DeepEqual(par, ser) {
			t.Fatalf("GOMAXPROCS %d: parallel evaluation: %d results, serial: %d, or they differ", procs, len(par), len(ser))
		}
		if got := len(eng.groups(procs)); got != min(procs, len(eng.units)) {
			t.Errorf("GOMAXPROCS %d: %d groups", procs, got)
		}
	}
}

// inputValueJSON is the reference conversion InputValue must agree with:
// the facts through JSON text.
func inputValueJSON(facts any, params map[string]any) (ast.Value, error) {
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
