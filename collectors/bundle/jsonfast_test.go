package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var fastJSONSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e3`, `-12.25E-2`, `1e400`, `1e-400`, `123456789012345678901234567890`,
	`"plain"`, `"esc \" \\ \/ \b \f \n \r \t"`, `"\u00e9\u0041"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`,
	`"\ud83d\u0041"`, `"\uD83D\uDE00"`, `"é – ✓ 😀"`, `"C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn"`,
	` {"a": 1, "a": 2, "b": [1, "x", null, true, {"c": {}}], "d": []} `,
	"{\"k\":\n\t\"v\"\r\n}", `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `[01]`, `[1.]`, `[.5]`, `[1e]`, `[-]`, `[+1]`,
	`"tab	inside"`, `"\x"`, `"\u12"`, `"\u12g4"`, `{"a":1} x`, `{"a":1}{}`, `[1 2]`, `nul`, `truex`, `[[[[[[]]]]]]`,
	`{"Name":"SSISScaleOutMaster160","State":"Running","ProcessId":1234,"ProcessStartUtc":"2024-01-01T00:00:00Z"}`,
	`"` + strings.Repeat("x", 40) + `"`, `{"` + strings.Repeat("k", 40) + `":1}`,
}

// slowDecode is DecodeJSON's thorough path for an any.
func slowDecode(text []byte, maxDepth, maxString int) (any, bool) {
	if err := CheckJSONLimits(text, maxDepth, maxString); err != nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return v, true
}

func checkFastJSON(t *testing.T, text []byte, maxDepth, maxString int) {
	t.Helper()
	if !utf8.Valid(text) {
		return
	}
	fast, ok := decodeAnyFast(text, maxDepth, maxString)
	slow, slowOK := slowDecode(text, maxDepth, maxString)
	if ok && !slowOK {
		t.Fatalf("%q: the fast parser accepts what encoding/json refuses: %#v", text, fast)
	}
	if ok && !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q: fast %#v, encoding/json %#v", text, fast, slow)
	}
	members, ok := FlatJSONObject(text)
	ref, refOK := slowFlat(text)
	if ok && !refOK {
		t.Fatalf("%q: FlatJSONObject accepts what encoding/json refuses: %#v", text, members)
	}
	if ok && !reflect.DeepEqual(members, ref) {
		t.Fatalf("%q: FlatJSONObject %#v, encoding/json %#v", text, members, ref)
	}
}

// slowFlat reads a flat object with encoding/json's tokens, as the
// settings reader did.
func slowFlat(text []byte) ([]JSONMember, bool) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var out []JSONMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, ok := tok.(string)
		if !ok {
			return nil, false
		}
		end := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		t := bytes.TrimSpace(raw)
		if len(t) == 0 || t[0] == '{' || t[0] == '[' {
			return nil, false
		}
		d := json.NewDecoder(bytes.NewReader(t))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, JSONMember{Key: key, KeyEnd: end, Value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return out, true
}

func TestFastJSONMatches(t *testing.T) {
	for _, s := range fastJSONSeeds {
		checkFastJSON(t, []byte(s), MaxJSONDepth, MaxJSONString)
		checkFastJSON(t, []byte(s), 3, 8)
	}
	// Every seed the fast parser should take, it takes.
	for _, s := range []string{`{"a":[1,{"b":"\u00e9"}]}`, `"C:\\x"`, `-1.5e-3`, `[]`} {
		if _, ok := decodeAnyFast([]byte(s), MaxJSONDepth, MaxJSONString); !ok {
			t.Errorf("%s: the fast parser gives up", s)
		}
	}
	if _, ok := FlatJSONObject([]byte(`{"a": "x", "b": 1.5, "c": null, "d": true, "a": -2}`)); !ok {
		t.Error("FlatJSONObject gives up on a flat object")
	}
}

func FuzzFastJSON(f *testing.F) {
	for _, s := range fastJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastJSON(t, data, MaxJSONDepth, MaxJSONString)
		checkFastJSON(t, data, 4, 16)
	})
}
