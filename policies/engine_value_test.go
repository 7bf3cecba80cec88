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
		S    string            `json:"s"`
		Bad  string            `json:"bad"`
		N    json.Number       `json:"n"`
		F    float64           `json:"f"`
		G    float64           `json:"g"`
		T    time.Time         `json:"t"`
		P    *int              `json:"p"`
		M    map[string]any    `json:"m"`
		BadK map[string]any    `json:"bad_k"`
		BadS map[string]string `json:"bad_s"`
		BadI map[string]int    `json:"bad_i"`
		BadT map[string]Inner  `json:"bad_t"`
		NilM map[string]string `json:"nil_m"`
		NilS []string          `json:"nil_s"`
		Raw  []byte            `json:"raw"`
		IntK map[int]string    `json:"int_k"`
		Omit []int             `json:"omit,omitempty"`
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
		Raw:  []byte("hi"), IntK: map[int]string{3: "c"}, U: 7, x: 1,
	})
}

// decodeResults must decode what encoding/json decodes, on real results
// (every status, fixes with params, numbers in observed values).
func TestDecodeResultsLikeJSON(t *testing.T) {
	ctx := context.Background()
	eng, err := Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, spec := range []*bundlegen.Spec{bundlegen.Synthetic(12, true), bundlegen.Synthetic(2, false)} {
		p := filepath.Join(dir, spec.Name)
		if err := bundlegen.Write(p, spec); err != nil {
			t.Fatal(err)
		}
		b, err := bundle.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := facts.Normalize(b)
		if err != nil {
			t.Fatal(err)
		}
		in, err := InputValue(doc, map[string]any{"profile": "ha", "target_version": ""})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := eng.query.Eval(ctx, rego.EvalParsedInput(in))
		if err != nil {
			t.Fatal(err)
		}
		v := rs[0].Expressions[0].Value // the rego package's conversion
		got, err := eng.eval(WithSerialEvaluation(ctx), in)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var want []rawResult
		if err := json.Unmarshal(js, &want); err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decodeResults differs from encoding/json (%d vs %d results)", spec.Name, len(got), len(want))
			for i := range min(len(got), len(want)) {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("first difference, result %d:\n got %+v\nwant %+v", i, got[i], want[i])
					break
				}
			}
		}
	}
	// values of every kind in observed, expected and fix params (sets,
	// numbers float64 cannot hold, non-string keys) decode as encoding/json
	// decodes the rego package's conversion
	odd := ast.MustParseTerm(`[{"rule": "R", "status": "pass", "observed": {"s": {3, 1, "a"}, "i": 12345678901234567890, "f": 1.5, "k": {1: "x", [1]: true, {"a": 1}: null}}, "expected": [null, false, "\u003c\u003e"], "fix": {"id": "f", "target": "t", "params": {"n": 2, "s": {"b"}}}, "evidence": [{"artifact": "a", "line": 3}], "missing": ["m"], "subject": {"kind": "node", "node": "N"}}]`)
	conv, err := ast.JSON(odd.Value)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(conv)
	if err != nil {
		t.Fatal(err)
	}
	var want []rawResult
	if err := json.Unmarshal(js, &want); err != nil {
		t.Fatal(err)
	}
	got, err := decodeResults(members(nil, odd.Value))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("odd values: decodeResults = %+v, %v\nencoding/json: %+v", got, err, want)
	}
	for _, bad := range []string{
		`["x"]`,
		`[{"rule": 1}]`,
		`[{"evidence": [{"line": 1.5}]}]`,
		`[{"evidence": [{"line": "1"}]}]`,
		`[{"evidence": {"line": 1}}]`,
		`[{"fix": {"params": []}}]`,
		`[{"fix": "f"}]`,
		`[{"missing": [true]}]`,
		`[{"subject": {"node": 1}}]`,
	} {
		if _, err := decodeResults(members(nil, ast.MustParseTerm(bad).Value)); err == nil {
			t.Errorf("decodeResults(%s) accepted", bad)
		}
	}
}

// The parallel evaluation (one query per rule family) gives the results of
// the one entrypoint query.
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
	p := filepath.Join(t.TempDir(), "b")
	if err := bundlegen.Write(p, bundlegen.Synthetic(12, true)); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := facts.Normalize(b)
	if err != nil {
		t.Fatal(err)
	}
	in, err := InputValue(doc, map[string]any{"profile": "ha", "target_version": ""})
	if err != nil {
		t.Fatal(err)
	}
	par, err := eng.Evaluate(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	ser, err := eng.Evaluate(WithSerialEvaluation(ctx), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(par) == 0 || !reflect.DeepEqual(par, ser) {
		t.Fatalf("parallel evaluation: %d results, serial: %d, or they differ", len(par), len(ser))
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
