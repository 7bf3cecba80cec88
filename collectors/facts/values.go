package facts

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// NormalizeThumbprint returns a certificate thumbprint in the form used
// everywhere in the facts: upper case, without spaces, colons, and the
// invisible characters (U+200E, U+200F, zero-width and other format or
// control characters) that copying from the Windows certificate dialog adds.
// Other characters are kept, so that a wrong value stays visibly wrong.
func NormalizeThumbprint(s string) string {
	// ASCII, the usual case: no format characters, the ASCII white space
	// and control characters are the bytes up to ' ' and DEL.
	keep := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return normalizeThumbprintUnicode(s)
		}
		if c <= ' ' || c == 0x7f || c == ':' || 'a' <= c && c <= 'z' {
			keep = false
		}
	}
	if keep {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c <= ' ' || c == 0x7f || c == ':':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

func normalizeThumbprintUnicode(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ':' || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.IsControl(r):
			continue
		case r == unicode.ReplacementChar:
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

var sqlPortRE = regexp.MustCompile(`^[0-9]{1,5}$`)

// ParseSQLEndpoint parses a SQL Server address as written in a connection
// string or SqlServerName: "name", "name,port", "name:port",
// "name\instance", "name\instance,port", with an optional "tcp:" prefix and
// "[ipv6]" hosts. A missing port means 1433 (HasPort false). The host is
// lower-cased; an unparsable port gives Port 0 with HasPort true.
func ParseSQLEndpoint(s string) Endpoint {
	e := Endpoint{Raw: s, Port: 1433}
	v := strings.TrimSpace(s)
	if len(v) >= 4 && strings.EqualFold(v[:4], "tcp:") {
		v = strings.TrimSpace(v[4:])
	}
	hostPart, portPart := v, ""
	switch {
	case strings.Contains(v, ","):
		i := strings.LastIndexByte(v, ',')
		hostPart, portPart = v[:i], v[i+1:]
		e.HasPort = true
	case strings.HasPrefix(v, "["):
		if i := strings.IndexByte(v, ']'); i > 0 {
			hostPart = v[1:i]
			rest := v[i+1:]
			if strings.HasPrefix(rest, ":") {
				portPart = rest[1:]
				e.HasPort = true
			} else if strings.HasPrefix(rest, `\`) {
				hostPart = v[1:i] + rest
			}
		}
	case strings.Count(v, ":") == 1:
		i := strings.IndexByte(v, ':')
		hostPart, portPart = v[:i], v[i+1:]
		e.HasPort = true
	}
	hostPart = strings.TrimSpace(hostPart)
	if i := strings.IndexByte(hostPart, '\\'); i >= 0 {
		e.Instance = strings.TrimSpace(hostPart[i+1:])
		hostPart = strings.TrimSpace(hostPart[:i])
	}
	e.Host = strings.ToLower(strings.TrimSuffix(hostPart, "."))
	if e.HasPort {
		portPart = strings.TrimSpace(portPart)
		e.Port = 0
		if sqlPortRE.MatchString(portPart) {
			if p, err := strconv.Atoi(portPart); err == nil && p > 0 && p <= 65535 {
				e.Port = p
			}
		}
	}
	return e
}

// ParseURL parses a master endpoint URL. Valid requires an https scheme and
// a host; Port is 0 when the URL has none.
func ParseURL(s string) *URLFacts {
	f := &URLFacts{Raw: s}
	v := strings.TrimSpace(s)
	if v == "" {
		f.Error = "empty URL"
		return f
	}
	u, err := url.Parse(v)
	if err != nil {
		f.Error = err.Error()
		return f
	}
	f.Scheme = strings.ToLower(u.Scheme)
	f.Host = strings.ToLower(u.Hostname())
	f.Path = u.Path
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			f.Error = fmt.Sprintf("invalid port %q", p)
			return f
		}
		f.Port = n
	}
	switch {
	case f.Scheme != "https":
		f.Error = fmt.Sprintf("scheme %q, want https", u.Scheme)
	case f.Host == "":
		f.Error = "no host name"
	default:
		f.Valid = true
	}
	return f
}

// ParseTimeSpan parses a .NET TimeSpan in "hh:mm:ss" or "d.hh:mm:ss" form
// (seconds may have a fraction) and returns whole seconds.
func ParseTimeSpan(s string) (int, bool) {
	v := strings.TrimSpace(s)
	neg := strings.HasPrefix(v, "-")
	v = strings.TrimPrefix(v, "-")
	days := 0
	parts := strings.Split(v, ":")
	if len(parts) != 3 {
		return 0, false
	}
	if i := strings.IndexByte(parts[0], '.'); i >= 0 {
		d, err := strconv.Atoi(parts[0][:i])
		if err != nil || d < 0 {
			return 0, false
		}
		days = d
		parts[0] = parts[0][i+1:]
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec >= 60 || math.IsNaN(sec) {
		return 0, false
	}
	if days > 1e6 {
		return 0, false
	}
	total := days*86400 + h*3600 + m*60 + int(sec)
	if neg {
		total = -total
	}
	return total, true
}

// parseTime parses an RFC 3339 time (or PowerShell's "/Date(ms)/") and
// returns it in RFC 3339 UTC with its Unix nanoseconds. ok is false when the
// value is empty or not a time.
func parseTime(s string) (string, int64, bool) {
	v := strings.TrimSpace(s)
	if v == "" {
		return "", 0, false
	}
	if strings.HasPrefix(v, "/Date(") && strings.HasSuffix(v, ")/") {
		inner := strings.TrimSuffix(strings.TrimPrefix(v, "/Date("), ")/")
		if i := strings.IndexAny(inner[min(1, len(inner)):], "+-"); i >= 0 {
			inner = inner[:i+min(1, len(inner))]
		}
		ms, err := strconv.ParseInt(inner, 10, 64)
		if err != nil {
			return "", 0, false
		}
		t := time.UnixMilli(ms).UTC()
		return t.Format(time.RFC3339Nano), unixNano(t), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02 15:04:05.9999999 -07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			return t.Format(time.RFC3339Nano), unixNano(t), true
		}
	}
	return "", 0, false
}

// unixNano is t.UnixNano clamped to the int64 range: UnixNano is undefined
// outside 1678..2262 and would wrap (.NET's DateTime.MaxValue, 9999-12-31,
// must stay in the far future, not become a date in 1816).
func unixNano(t time.Time) int64 {
	switch {
	case t.Year() >= 2262:
		return math.MaxInt64
	case t.Year() < 1678:
		return math.MinInt64
	}
	return t.UnixNano()
}

// asString returns a JSON value as a string ("" for null; numbers and
// booleans in their JSON form).
func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case json.Number:
		return x.String()
	case map[string]any:
		// PowerShell objects serialized whole: take their Name.
		if n, ok := x["Name"]; ok {
			return asString(n)
		}
	}
	return ""
}

// asInt returns a JSON number or numeric string as an int.
func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x), true
		}
	case int:
		return x, true
	case int64:
		return int(x), true
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return int(n), true
		}
		if f, err := x.Float64(); err == nil {
			return asInt(f)
		}
	case string:
		s := strings.TrimSpace(x)
		if n, err := strconv.Atoi(s); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) {
			return asInt(f)
		}
	}
	return 0, false
}

// asBool accepts booleans, 0/1 numbers, "0"/"1" and "true"/"false" (any
// case). ok is false for anything else.
func asBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case float64:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case int:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case int64:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case json.Number:
		if n, err := x.Int64(); err == nil && (n == 0 || n == 1) {
			return n == 1, true
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "1", "true":
			return true, true
		case "0", "false":
			return false, true
		}
	}
	return false, false
}

// asStrings accepts a string, a number or an array of them (PowerShell
// writes a one-element array as its element).
func asStrings(v any) []string {
	out := []string{}
	switch x := v.(type) {
	case nil:
	case []any:
		for _, e := range x {
			if s := asString(e); s != "" {
				out = append(out, s)
			}
		}
	default:
		if s := asString(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}
