package policies

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

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
		_ = x.Iter(func(t *ast.Term) error { out = append(out, t.Value); return nil })
	case ast.Object:
		keys := x.Keys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].Value.Compare(keys[j].Value) < 0 })
		for _, k := range keys {
			out = append(out, x.Get(k).Value)
		}
	}
	return out
}

// decodeResults turns the entrypoint's results into rawResults with the
// semantics of encoding/json on the result contract (null leaves a field
// empty; a value of the wrong type is an error; numbers in observed,
// expected and fix params become float64).
func decodeResults(vs []ast.Value) ([]rawResult, error) {
	out := make([]rawResult, len(vs))
	for i, x := range vs {
		if _, null := x.(ast.Null); null {
			continue
		}
		m, ok := x.(ast.Object)
		if !ok {
			return nil, fmt.Errorf("result %d: got %s, want an object", i, astKind(x))
		}
		r := &out[i]
		f := fields(m, "rule", "status", "message", "severity", "subject", "missing", "evidence", "fix", "observed", "expected")
		var err error
		str := func(v ast.Value, key string, dst *string) {
			if err == nil {
				*dst, err = astString(v, key)
			}
		}
		str(f[0], "rule", &r.Rule)
		str(f[1], "status", &r.Status)
		str(f[2], "message", &r.Message)
		str(f[3], "severity", &r.Severity)
		if err == nil {
			r.Subject, err = astSubject(f[4])
		}
		if err == nil {
			r.Missing, err = astStrings(f[5], "missing")
		}
		if err == nil {
			r.Evidence, err = astEvidence(f[6])
		}
		if err == nil {
			r.Fix, err = astFix(f[7])
		}
		if err == nil {
			r.Observed, err = plain(f[8])
		}
		if err == nil {
			r.Expected, err = plain(f[9])
		}
		if err != nil {
			return nil, fmt.Errorf("result %d: %w", i, err)
		}
	}
	return out, nil
}

// fields returns the values of the named keys of o (nil when absent) in
// one pass over o, without hashing a key per lookup.
func fields(o ast.Object, names ...string) []ast.Value {
	out := make([]ast.Value, len(names))
	o.Foreach(func(k, v *ast.Term) {
		ks, ok := k.Value.(ast.String)
		if !ok {
			return
		}
		for i, n := range names {
			if string(ks) == n {
				out[i] = v.Value
				return
			}
		}
	})
	return out
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
	if isNull(v) {
		return "", nil
	}
	if s, ok := v.(ast.String); ok {
		return string(s), nil
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
	elems := members(nil, v)
	out := make([]string, len(elems))
	for i, x := range elems {
		s, ok := x.(ast.String)
		if !ok && !isNull(x) {
			// (the element's name only for the error)
			_, err := astString(x, fmt.Sprintf("%s[%d]", key, i))
			return nil, err
		}
		out[i] = string(s)
	}
	return out, nil
}

func astSubject(v ast.Value) (reports.Subject, error) {
	var s reports.Subject
	if isNull(v) {
		return s, nil
	}
	m, ok := v.(ast.Object)
	if !ok {
		return s, fmt.Errorf("subject: got %s, want an object", astKind(v))
	}
	f := fields(m, "kind", "node", "instance", "object")
	var err error
	for i, dst := range []*string{&s.Kind, &s.Node, &s.Instance, &s.Object} {
		if *dst, err = astString(f[i], subjectKeys[i]); err != nil {
			return s, err
		}
	}
	return s, nil
}

var subjectKeys = []string{"subject.kind", "subject.node", "subject.instance", "subject.object"}

func astEvidence(v ast.Value) ([]reports.Evidence, error) {
	if isNull(v) {
		return nil, nil
	}
	if _, ok := v.(*ast.Array); !ok {
		if _, set := v.(ast.Set); !set {
			return nil, fmt.Errorf("evidence: got %s, want an array", astKind(v))
		}
	}
	elems := members(nil, v)
	out := make([]reports.Evidence, len(elems))
	for i, x := range elems {
		if isNull(x) {
			continue
		}
		m, ok := x.(ast.Object)
		if !ok {
			return nil, fmt.Errorf("evidence[%d]: got %s, want an object", i, astKind(x))
		}
		f := fields(m, "artifact", "key", "line")
		var err error
		if out[i].Artifact, err = astString(f[0], "evidence.artifact"); err != nil {
			return nil, err
		}
		if out[i].Key, err = astString(f[1], "evidence.key"); err != nil {
			return nil, err
		}
		switch n := f[2].(type) {
		case nil, ast.Null:
		case ast.Number:
			line, err := strconv.Atoi(string(n))
			if err != nil {
				return nil, fmt.Errorf("evidence.line: %s is not an integer", n)
			}
			out[i].Line = line
		default:
			return nil, fmt.Errorf("evidence.line: got %s, want a number", astKind(n))
		}
	}
	return out, nil
}

func astFix(v ast.Value) (*reports.Fix, error) {
	if isNull(v) {
		return nil, nil
	}
	m, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("fix: got %s, want an object", astKind(v))
	}
	ff := fields(m, "id", "target", "params")
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
		x, err := plain(p)
		if err != nil {
			return nil, err
		}
		f.Params = x.(map[string]any)
	default:
		return nil, fmt.Errorf("fix.params: got %s, want an object", astKind(p))
	}
	return f, nil
}

// plain is v as encoding/json decodes the rego package's conversion of it
// into an any: numbers become float64 (a number float64 cannot hold stays
// its text), sets become arrays in the set's order, and an object key that
// is not a string becomes its JSON text.
func plain(v ast.Value) (any, error) {
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
		elems := members(nil, v)
		out := make([]any, len(elems))
		for i, e := range elems {
			var err error
			if out[i], err = plain(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case ast.Object:
		out := make(map[string]any, x.Len())
		err := x.Iter(func(k, e *ast.Term) error {
			key, ok := k.Value.(ast.String)
			if !ok {
				// as the rego package's conversion: the key's JSON text
				j, err := ast.JSON(k.Value)
				if err != nil {
					return err
				}
				ks, err := jsonText(j)
				if err != nil {
					return err
				}
				key = ast.String(ks)
			}
			pv, err := plain(e.Value)
			if err != nil {
				return err
			}
			out[string(key)] = pv
			return nil
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s in a result", ast.TypeName(v))
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
