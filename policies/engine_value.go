package policies

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// toValue converts a Go value to the AST value that encoding/json followed
// by ast.InterfaceToValue would give (json tags, omitempty, embedded
// structs, nil slices and maps as null, invalid UTF-8 coerced), without the
// JSON text in between: the facts of a 100-node deployment are megabytes.
// Types with their own MarshalJSON or MarshalText (and anything this
// walker does not know) go through encoding/json, so the result is the
// same either way; TestInputValueDirect compares the two on every example.
func toValue(v reflect.Value) (ast.Value, error) {
	c := &converter{}
	return c.value(v)
}

// converter holds what one conversion reuses: terms are carved from slabs
// (one allocation for many terms; they all live as long as the value), the
// pairs of the objects being built share one stack, and the keys of the
// maps are boxed once per distinct key.
type converter struct {
	terms []ast.Term
	slab  int
	pairs [][2]*ast.Term
	keys  map[string]*ast.Term
	strs  map[string]*ast.Term // short string values, shared like keys
}

func (c *converter) term(v ast.Value) *ast.Term {
	if len(c.terms) == 0 {
		c.slab = min(max(2*c.slab, 64), 1024)
		c.terms = make([]ast.Term, c.slab)
	}
	t := &c.terms[0]
	c.terms = c.terms[1:]
	t.Value = v
	return t
}

// key is the term of a map key (valid UTF-8), one per distinct key and
// conversion: terms of the input are never modified, so objects can share
// their key terms (as they share OPA's interned terms).
func (c *converter) key(k string) *ast.Term {
	if t, ok := c.keys[k]; ok {
		return t
	}
	if c.keys == nil {
		c.keys = map[string]*ast.Term{}
	}
	t := c.term(ast.String(k))
	c.keys[k] = t
	return t
}

// stringTerm is the term of a string value; a short one is made once per
// conversion (node names, states, thumbprints repeat).
func (c *converter) stringTerm(s string) *ast.Term {
	if s == "" {
		return ast.InternedEmptyString
	}
	if len(s) > 64 {
		return c.term(stringValue(s))
	}
	if t, ok := c.strs[s]; ok {
		return t
	}
	if c.strs == nil {
		c.strs = map[string]*ast.Term{}
	}
	t := c.term(stringValue(s))
	c.strs[s] = t
	return t
}

// intTerm is the term of an integer: OPA's interned term when small.
func (c *converter) intTerm(i int64) *ast.Term {
	if ast.HasInternedIntNumberTerm(int(i)) && i == int64(int(i)) {
		return ast.InternedTerm(int(i))
	}
	return c.term(intValue(i))
}

// valueTerm is the term of a value: OPA's interned term for null and the
// booleans, else a new one.
func (c *converter) valueTerm(v ast.Value) *ast.Term {
	switch x := v.(type) {
	case ast.Null:
		return ast.InternedNullTerm
	case ast.Boolean:
		return ast.InternedTerm(bool(x))
	}
	return c.term(v)
}

// object builds the object of the pairs pushed since base and pops them.
func (c *converter) object(base int) ast.Value {
	obj := ast.NewObject(c.pairs[base:]...)
	clear(c.pairs[base:])
	c.pairs = c.pairs[:base]
	return obj
}

// typeInfo is what value needs to know of a type, worked out once.
type typeInfo struct {
	marshaler bool          // hasMarshaler: encoding/json converts it
	fields    []structField // a struct's JSON fields
}

type structField struct {
	field
	key *ast.Term // shared by every object of the type (never modified)
	// kind is the field's kind when it is a string, bool or int type
	// without a marshaler (converted in place), else reflect.Invalid.
	kind reflect.Kind
}

var typeInfos sync.Map // reflect.Type -> *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{marshaler: hasMarshaler(t)}
	if t.Kind() == reflect.Struct {
		for _, f := range structFields(t) {
			sf := structField{field: f, key: ast.StringTerm(f.name)}
			if ft := t.FieldByIndex(f.index).Type; !hasMarshaler(ft) && ft != jsonNumber {
				switch k := ft.Kind(); k {
				case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
					sf.kind = k
				}
			}
			ti.fields = append(ti.fields, sf)
		}
	}
	typeInfos.Store(t, ti)
	return ti
}

func (c *converter) value(v reflect.Value) (ast.Value, error) {
	switch v.Kind() {
	case reflect.Invalid:
		return ast.Null{}, nil
	case reflect.Interface:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if v.CanInterface() {
			return c.dynamic(v.Interface(), v.Elem())
		}
		return c.value(v.Elem())
	case reflect.Pointer:
		if v.IsNil() {
			return ast.Null{}, nil
		}
	}
	ti := infoOf(v.Type())
	if ti.marshaler {
		return viaJSON(v)
	}
	switch v.Kind() {
	case reflect.Pointer:
		return c.value(v.Elem())
	case reflect.String:
		if v.Type() == jsonNumber {
			return numberValue(json.Number(v.String())), nil
		}
		return stringValue(v.String()), nil
	case reflect.Bool:
		return ast.InternedValue(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intValue(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := v.Uint(); u < 1<<31 {
			return intValue(int64(u)), nil
		}
		return ast.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		if v.Type().Bits() == 64 {
			if x, ok := floatValue(v.Float()); ok {
				return x, nil
			}
		} else if n, ok := jsonFloat(v.Float(), 32); ok {
			return ast.Number(n), nil
		}
		return viaJSON(v)
	case reflect.Slice:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return viaJSON(v) // []byte: base64
		}
		fallthrough
	case reflect.Array:
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			x, err := c.value(v.Index(i))
			if err != nil {
				return nil, err
			}
			terms[i] = c.valueTerm(x)
		}
		return ast.NewArray(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return viaJSON(v)
		}
		if v.CanInterface() {
			// The maps of plain values, without reflection.
			switch m := v.Interface().(type) {
			case map[string]any:
				return c.dynamic(m, reflect.Value{})
			case map[string]string:
				if !validMapKeys(m) {
					return c.mapSorted(v)
				}
				base := len(c.pairs)
				for k, x := range m {
					c.pairs = append(c.pairs, [2]*ast.Term{c.key(k), c.stringTerm(x)})
				}
				return c.object(base), nil
			case map[string]int:
				if !validMapKeys(m) {
					return c.mapSorted(v)
				}
				base := len(c.pairs)
				for k, x := range m {
					c.pairs = append(c.pairs, [2]*ast.Term{c.key(k), c.intTerm(int64(x))})
				}
				return c.object(base), nil
			case map[string][]string: // e.g. a node's service_kinds
				if !validMapKeys(m) {
					return c.mapSorted(v)
				}
				base := len(c.pairs)
				for k, xs := range m {
					var x ast.Value = ast.Null{}
					if xs != nil {
						terms := make([]*ast.Term, len(xs))
						for i, e := range xs {
							terms[i] = c.stringTerm(e)
						}
						x = ast.NewArray(terms...)
					}
					c.pairs = append(c.pairs, [2]*ast.Term{c.key(k), c.valueTerm(x)})
				}
				return c.object(base), nil
			}
		}
		key := reflect.New(v.Type().Key()).Elem() // one key for the loops: Key() allocates each
		if !validKeys(v, key) {
			return c.mapSorted(v)
		}
		base := len(c.pairs)
		it := v.MapRange()
		for it.Next() {
			x, err := c.value(it.Value())
			if err != nil {
				return nil, err
			}
			key.SetIterKey(it)
			c.pairs = append(c.pairs, [2]*ast.Term{c.key(key.String()), c.valueTerm(x)})
		}
		return c.object(base), nil
	case reflect.Struct:
		base := len(c.pairs)
		for _, f := range ti.fields {
			fv, ok := fieldByIndex(v, f.index)
			if !ok || (f.omitEmpty && isEmptyValue(fv)) {
				continue
			}
			var t *ast.Term
			switch f.kind {
			case reflect.String:
				t = c.stringTerm(fv.String())
			case reflect.Bool:
				t = ast.InternedTerm(fv.Bool())
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				t = c.intTerm(fv.Int())
			default:
				x, err := c.value(fv)
				if err != nil {
					return nil, err
				}
				t = c.valueTerm(x)
			}
			c.pairs = append(c.pairs, [2]*ast.Term{f.key, t})
		}
		return c.object(base), nil
	}
	return viaJSON(v)
}

// dynamic converts the content x of an interface (e its reflect.Value):
// the types JSON decoding gives are converted without reflection.
func (c *converter) dynamic(x any, e reflect.Value) (ast.Value, error) {
	switch x := x.(type) {
	case string:
		return stringValue(x), nil
	case bool:
		return ast.InternedValue(x), nil
	case float64:
		if v, ok := floatValue(x); ok {
			return v, nil
		}
	case int:
		return intValue(int64(x)), nil
	case int64:
		return intValue(x), nil
	case json.Number:
		return numberValue(x), nil
	case []any:
		if x == nil {
			return ast.Null{}, nil
		}
		terms := make([]*ast.Term, len(x))
		for i, el := range x {
			t, err := c.dynamicTerm(el)
			if err != nil {
				return nil, err
			}
			terms[i] = t
		}
		return ast.NewArray(terms...), nil
	case map[string]any:
		if x == nil {
			return ast.Null{}, nil
		}
		if !validMapKeys(x) {
			return c.mapSorted(reflect.ValueOf(x))
		}
		base := len(c.pairs)
		for k, el := range x {
			t, err := c.dynamicTerm(el)
			if err != nil {
				return nil, err
			}
			c.pairs = append(c.pairs, [2]*ast.Term{c.key(k), t})
		}
		return c.object(base), nil
	}
	if !e.IsValid() {
		e = reflect.ValueOf(x)
	}
	return c.value(e)
}

// dynamicTerm is the term of an element of a []any or map[string]any.
func (c *converter) dynamicTerm(el any) (*ast.Term, error) {
	switch x := el.(type) {
	case nil:
		return ast.InternedNullTerm, nil
	case string:
		return c.stringTerm(x), nil
	}
	v, err := c.dynamic(el, reflect.Value{})
	if err != nil {
		return nil, err
	}
	return c.valueTerm(v), nil
}

// validKeys tells whether every key of a map with string keys is valid
// UTF-8 (then no two keys are the same string once coerced).
func validKeys(v, key reflect.Value) bool {
	it := v.MapRange()
	for it.Next() {
		key.SetIterKey(it)
		if !utf8.ValidString(key.String()) {
			return false
		}
	}
	return true
}

// validMapKeys is validKeys for a map of a known type.
func validMapKeys[V any](m map[string]V) bool {
	for k := range m {
		if !utf8.ValidString(k) {
			return false
		}
	}
	return true
}

// mapSorted converts a map whose keys are not all valid UTF-8 as the JSON
// round trip does: keys in sorted order, coerced, the last of equal
// coerced keys wins.
func (c *converter) mapSorted(v reflect.Value) (ast.Value, error) {
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	obj := ast.NewObjectWithCapacity(len(keys))
	for _, k := range keys {
		x, err := c.value(v.MapIndex(k))
		if err != nil {
			return nil, err
		}
		obj.Insert(ast.StringTerm(jsonString(k.String())), c.valueTerm(x))
	}
	return obj, nil
}

func stringValue(s string) ast.Value {
	if s == "" {
		return ast.InternedEmptyStringValue
	}
	return ast.String(jsonString(s))
}

// intValue is the number as encoding/json writes it, interned when small.
func intValue(i int64) ast.Value {
	if ast.HasInternedIntNumberTerm(int(i)) && i == int64(int(i)) {
		return ast.InternedValue(int(i))
	}
	return ast.Number(strconv.FormatInt(i, 10))
}

// floatValue is a float64 as encoding/json writes it; false for NaN and
// ±Inf (which encoding/json refuses).
func floatValue(f float64) (ast.Value, bool) {
	if f == math.Trunc(f) && f >= -1 && f < 1<<20 && !(f == 0 && math.Signbit(f)) && ast.HasInternedIntNumberTerm(int(f)) {
		return ast.InternedValue(int(f)), true // written as an integer
	}
	n, ok := jsonFloat(f, 64)
	if !ok {
		return nil, false
	}
	return ast.Number(n), true
}

// numberValue is a json.Number as encoding/json writes it.
func numberValue(n json.Number) ast.Value {
	if n == "" {
		return ast.Number("0")
	}
	return ast.Number(n)
}

// jsonFloat formats a float as encoding/json does; false for NaN and ±Inf.
func jsonFloat(f float64, bits int) (string, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b := strconv.AppendFloat(nil, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b), true
}

var (
	jsonNumber    = reflect.TypeFor[json.Number]()
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

func hasMarshaler(t reflect.Type) bool {
	return t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		reflect.PointerTo(t).Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(textMarshaler)
}

// viaJSON is the slow path: encode, decode, convert.
func viaJSON(v reflect.Value) (ast.Value, error) {
	var x any
	if v.CanInterface() {
		x = v.Interface()
	}
	if v.CanAddr() {
		x = v.Addr().Interface() // pointer-receiver marshalers, as encoding/json does
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	var out any
	if err := util.UnmarshalJSON(b, &out); err != nil {
		return nil, err
	}
	return ast.InterfaceToValue(out)
}

// jsonString is s as encoding/json writes it (invalid UTF-8 bytes become
// U+FFFD, each).
func jsonString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

type field struct {
	name      string
	index     []int
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type -> []field

// structFields lists the JSON fields of a struct type the way encoding/json
// does for the cases the facts use: exported fields, json tag names and
// "-", omitempty, embedded structs without a tag promoted (shallower
// fields win; equal depth conflicts drop both unless one is tagged).
func structFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	type cand struct {
		field
		depth  int
		tagged bool
	}
	var cands []cand
	var walk func(t reflect.Type, index []int, depth int)
	walk = func(t reflect.Type, index []int, depth int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			if sf.Anonymous && name == "" {
				ft := sf.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft, idx, depth+1)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			tagged := name != ""
			if name == "" {
				name = sf.Name
			}
			omit := false
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "omitempty":
					omit = true
				case "string", "omitzero":
					omit = omit || o == "omitzero"
				}
			}
			cands = append(cands, cand{field{name, idx, omit}, depth, tagged})
		}
	}
	walk(t, nil, 0)
	byName := map[string][]cand{}
	var order []string
	for _, c := range cands {
		if _, ok := byName[c.name]; !ok {
			order = append(order, c.name)
		}
		byName[c.name] = append(byName[c.name], c)
	}
	var out []field
	for _, n := range order {
		cs := byName[n]
		best := cs[0]
		ok := true
		for _, c := range cs[1:] {
			switch {
			case c.depth < best.depth || (c.depth == best.depth && c.tagged && !best.tagged):
				best = c
				ok = true
			case c.depth == best.depth && c.tagged == best.tagged:
				ok = false
			}
		}
		if ok {
			out = append(out, best.field)
		}
	}
	fieldCache.Store(t, out)
	return out
}

// fieldByIndex follows an index path; false when it crosses a nil embedded
// pointer (encoding/json skips such fields).
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
