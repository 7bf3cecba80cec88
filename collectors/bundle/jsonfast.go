package bundle

import (
	"encoding/json"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The evidence is mostly small JSON artifacts decoded into an any. The
// parser below does that in one pass over the text, with strings sliced
// from one copy of the text instead of allocated one by one. It gives
// exactly what encoding/json gives, or gives up (ok false) and lets
// encoding/json decode the text and word the error: it handles valid JSON
// within the limits only, and every doubt (invalid JSON, a limit exceeded,
// a number out of range) is giving up. TestFastJSONMatches and
// FuzzFastJSON compare the two.

// fastJSON is the state of one parse.
type fastJSON struct {
	s         string // the text
	i         int    // read offset
	depth     int
	maxDepth  int
	maxString int // 0: no limit
}

// decodeAnyFast parses UTF-8 text that holds exactly one JSON value (with
// white space around it) into the value encoding/json decodes into an any
// (objects map[string]any, arrays []any, numbers float64), refusing
// (ok false) nesting deeper than maxDepth and strings longer than
// maxString bytes as written, as CheckJSONLimits does.
func decodeAnyFast(text []byte, maxDepth, maxString int) (v any, ok bool) {
	p := &fastJSON{s: string(text), maxDepth: maxDepth, maxString: maxString}
	p.skipSpace()
	v, ok = p.value()
	if !ok {
		return nil, false
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, false
	}
	return v, true
}

func (p *fastJSON) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastJSON) value() (any, bool) {
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		return s, true
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		lit, ok := p.number()
		if !ok {
			return nil, false
		}
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, false // encoding/json: UnmarshalTypeError
		}
		return f, true
	}
	return nil, false
}

func (p *fastJSON) literal(word string) bool {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *fastJSON) enter() bool {
	p.depth++
	return p.depth <= p.maxDepth
}

func (p *fastJSON) object() (any, bool) {
	if !p.enter() {
		return nil, false
	}
	p.i++ // '{'
	m := make(map[string]any)
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return m, true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.skipSpace()
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		m[k] = v
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case '}':
			p.i++
			p.depth--
			return m, true
		default:
			return nil, false
		}
	}
}

func (p *fastJSON) array() (any, bool) {
	if !p.enter() {
		return nil, false
	}
	p.i++ // '['
	a := make([]any, 0)
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return a, true
	}
	for {
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case ']':
			p.i++
			p.depth--
			return a, true
		default:
			return nil, false
		}
	}
}

// number reads a number as the JSON grammar spells it.
func (p *fastJSON) number() (string, bool) {
	s, start, i := p.s, p.i, p.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	default:
		return "", false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", false
		}
	}
	p.i = i
	return s[start:i], true
}

// str reads a string at p.i (on its opening quote) and returns it
// unquoted as encoding/json does (the text is valid UTF-8).
func (p *fastJSON) str() (string, bool) {
	s := p.s
	start := p.i + 1
	i := start
	escaped := false
	for {
		if i >= len(s) {
			return "", false
		}
		c := s[i]
		if c == '"' {
			break
		}
		if c < ' ' {
			return "", false
		}
		if c == '\\' {
			escaped = true
			i++
			if i >= len(s) {
				return "", false
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if len(s)-i < 5 || hex4(s[i+1:i+5]) < 0 {
					return "", false
				}
				i += 5
			default:
				return "", false
			}
			continue
		}
		i++
	}
	if p.maxString > 0 && i-start > p.maxString {
		return "", false
	}
	p.i = i + 1
	if !escaped {
		return s[start:i], true
	}
	return unescape(s[start:i]), true
}

// hex4 is the value of four hex digits, or -1.
func hex4(s string) rune {
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// u4 is the \uXXXX escape at the start of s, or -1 (encoding/json getu4).
func u4(s string) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	return hex4(s[2:6])
}

// unescape decodes the escapes of a string's content, already checked to
// be valid, as encoding/json's unquote does (a lone surrogate becomes
// U+FFFD).
func unescape(s string) string {
	b := make([]byte, 0, len(s))
	for r := 0; r < len(s); {
		c := s[r]
		if c != '\\' {
			b = append(b, c)
			r++
			continue
		}
		r++
		switch s[r] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r--
			rr := u4(s[r:])
			r += 6
			if utf16.IsSurrogate(rr) {
				rr1 := u4(s[r:])
				if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
					r += 6
					b = utf8.AppendRune(b, dec)
					continue
				}
				rr = unicode.ReplacementChar
			}
			b = utf8.AppendRune(b, rr)
			continue
		default: // '"', '\\', '/'
			b = append(b, s[r])
		}
		r++
	}
	return string(b)
}

// JSONMember is one member of a flat JSON object (FlatJSONObject).
type JSONMember struct {
	Key string
	// KeyEnd is the offset just after the key's closing quote (where
	// encoding/json's Decoder.InputOffset is after reading the key).
	KeyEnd int
	// Value is a string, a bool, nil or a json.Number.
	Value any
}

// FlatJSONObject parses UTF-8 text that holds exactly one JSON object
// whose values are strings, numbers, booleans or null (a settings file),
// keeping the members in order, duplicates included. ok is false for
// anything else (invalid JSON, nested values): the caller then reads the
// text the thorough way, which words the error.
func FlatJSONObject(text []byte) (members []JSONMember, ok bool) {
	p := &fastJSON{s: string(text)}
	p.skipSpace()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, false
	}
	p.i++
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
	} else {
		for {
			if p.i >= len(p.s) || p.s[p.i] != '"' {
				return nil, false
			}
			k, ok := p.str()
			if !ok {
				return nil, false
			}
			m := JSONMember{Key: k, KeyEnd: p.i}
			p.skipSpace()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, false
			}
			p.i++
			p.skipSpace()
			if p.i >= len(p.s) {
				return nil, false
			}
			switch c := p.s[p.i]; {
			case c == '"':
				if m.Value, ok = p.str(); !ok {
					return nil, false
				}
			case c == 't':
				m.Value, ok = true, p.literal("true")
			case c == 'f':
				m.Value, ok = false, p.literal("false")
			case c == 'n':
				m.Value, ok = nil, p.literal("null")
			case c == '-' || '0' <= c && c <= '9':
				var lit string
				lit, ok = p.number()
				m.Value = json.Number(lit)
			default:
				return nil, false
			}
			if !ok {
				return nil, false
			}
			members = append(members, m)
			p.skipSpace()
			if p.i >= len(p.s) {
				return nil, false
			}
			if p.s[p.i] == '}' {
				p.i++
				break
			}
			if p.s[p.i] != ',' {
				return nil, false
			}
			p.i++
			p.skipSpace()
		}
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, false
	}
	return members, true
}
