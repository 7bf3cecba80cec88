package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"unicode/utf16"
	"unicode/utf8"
)

// DecodeText returns data as UTF-8 text: a UTF-8 byte order mark is removed
// and UTF-16 (with a byte order mark, or recognizable by the zero bytes of
// ASCII text) is converted. PowerShell 5.1 writes both. It does not check
// that the result is valid UTF-8.
func DecodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(data[2:], true)
	case len(data) >= 4 && data[0] != 0 && data[1] == 0 && data[2] != 0 && data[3] == 0:
		return decodeUTF16(data, false)
	case len(data) >= 4 && data[0] == 0 && data[1] != 0 && data[2] == 0 && data[3] != 0:
		return decodeUTF16(data, true)
	}
	return data, nil
}

func decodeUTF16(data []byte, bigEndian bool) ([]byte, error) {
	if len(data)%2 != 0 {
		return nil, fmt.Errorf("UTF-16 text has an odd number of bytes (%d)", len(data))
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u >= 0xD800 && u < 0xDC00:
			if i+1 >= len(units) || units[i+1] < 0xDC00 || units[i+1] >= 0xE000 {
				return nil, fmt.Errorf("invalid UTF-16: unpaired surrogate at byte offset %d", 2*i)
			}
			i++
		case u >= 0xDC00 && u < 0xE000:
			return nil, fmt.Errorf("invalid UTF-16: unpaired surrogate at byte offset %d", 2*i)
		}
	}
	runes := utf16.Decode(units)
	out := make([]byte, 0, len(runes))
	for _, r := range runes {
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// CheckJSONDepth returns an error when the JSON text nests arrays and
// objects deeper than max. It does not validate the JSON otherwise.
func CheckJSONDepth(data []byte, max int) error {
	return CheckJSONLimits(data, max, 0)
}

// CheckJSONLimits returns an error when the JSON text nests arrays and
// objects deeper than maxDepth, or holds a string (key or value) longer than
// maxString bytes as written (0: no limit). It does not validate the JSON
// otherwise.
func CheckJSONLimits(data []byte, maxDepth, maxString int) error {
	depth := 0
	inString := false
	escaped := false
	start := 0
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			if inString && maxString > 0 && i-start > maxString {
				return fmt.Errorf("JSON string at offset %d is longer than the limit of %d bytes", start, maxString)
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			start = i
		case '[', '{':
			depth++
			if depth > maxDepth {
				return fmt.Errorf("JSON nested more than %d levels deep at offset %d", maxDepth, i)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

// LineCol returns the 1-based line and column of a byte offset.
func LineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset < 0 {
		offset = 0
	}
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// DecodeJSON decodes the bundle file name (used in errors) into v, after
// DecodeText and CheckJSONLimits (MaxJSONDepth, MaxJSONString). Errors name the file, the position or the
// key, and what was expected.
func DecodeJSON(name string, data []byte, v any) error {
	text, err := DecodeText(data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return fmt.Errorf("%s: empty file, want JSON", name)
	}
	if !utf8.Valid(text) {
		off := invalidUTF8Offset(text)
		return fmt.Errorf("%s: invalid UTF-8 at offset %d, want UTF-8 or UTF-16 JSON", name, off)
	}
	// The common case, an any or a map[string]any to fill, takes the fast
	// parser (decodeAnyFast); whatever it gives up on is decoded below.
	switch p := v.(type) {
	case *any:
		if p != nil && *p == nil {
			if x, ok := decodeAnyFast(text, MaxJSONDepth, MaxJSONString); ok {
				*p = x
				return nil
			}
		}
	case *map[string]any:
		if p != nil && *p == nil {
			if x, ok := decodeAnyFast(text, MaxJSONDepth, MaxJSONString); ok {
				switch m := x.(type) {
				case nil:
					return nil
				case map[string]any:
					*p = m
					return nil
				}
			}
		}
	}
	if err := CheckJSONLimits(text, MaxJSONDepth, MaxJSONString); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, describeJSONError(text, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		off := dec.InputOffset()
		line, col := LineCol(text, off)
		return fmt.Errorf("%s: invalid JSON at line %d, column %d (offset %d): data after the top-level value", name, line, col, off)
	}
	return nil
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// describeJSONError turns an encoding/json error into a message with a
// position or key and what was expected.
func describeJSONError(text []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := LineCol(text, se.Offset)
		return fmt.Errorf("invalid JSON at line %d, column %d (offset %d): %s", line, col, se.Offset, se.Error())
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "top-level value"
		}
		return fmt.Errorf("%s: got %s, want %s", field, jsonKind(te.Value), goKind(te.Type))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("invalid JSON at offset %d: unexpected end of file (truncated?)", len(text))
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func jsonKind(v string) string {
	switch v {
	case "bool":
		return "a boolean"
	case "":
		return "a value"
	}
	if len(v) > 6 && v[:6] == "number" {
		return "a number (" + v[7:] + ")"
	}
	switch v {
	case "number":
		return "a number"
	case "string":
		return "a string"
	case "array":
		return "an array"
	case "object":
		return "an object"
	}
	return v
}

func goKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}
