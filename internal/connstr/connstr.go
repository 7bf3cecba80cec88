// Package connstr is the one parser and redactor of ADO.NET / OLE DB / ODBC
// connection strings ("Data Source=x;Password=y") and of password
// assignments quoted in free text. The collectors (before a connection string
// is stored), the facts (again, where a bundle is read) and the fix-script
// writer (finding messages) all redact through it, so that there is one
// place to get a secret-handling parser right.
package connstr

import (
	"regexp"
	"strings"
)

// Marker replaces a secret value.
const Marker = "***"

// Withheld replaces a whole connection string that holds a password Redact
// cannot tell apart from the rest.
const Withheld = Marker + " (connection string withheld: it holds a password that could not be parsed)"

// Pair is one key=value of a connection string.
type Pair struct {
	// Key is the key in lower case with its blanks trimmed and folded to
	// one space ("user id", "password").
	Key string
	// Value is the value unquoted: "...", '...' (a doubled quote escapes
	// it) and {...} (ODBC; "}}" escapes "}") lose their quotes, an unquoted
	// value its surrounding blanks. An unclosed quote runs to the end of s.
	Value string
	// Start and End bound the raw value in s: what stands between the '='
	// and the ';' (or the end of s) that ends the pair, without the blanks
	// at either end (quotes, and anything after the closing quote,
	// included). Start == End for an empty value.
	Start, End int
}

// Parse splits s into its key=value pairs. It never fails: a segment
// without '=' is passed over. ok is false when a password may be hidden
// where the pairs do not show it, so that redacting the pairs is not enough:
// a segment without '=' that mentions a password, an unclosed quote in a
// password's value, or an unclosed quote in any value when the text it
// swallows mentions a password.
func Parse(s string) (pairs []Pair, ok bool) {
	ok = true
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ';' || isSpace(s[i])) {
			i++
		}
		if i >= len(s) {
			break
		}
		eq := strings.IndexByte(s[i:], '=')
		semi := strings.IndexByte(s[i:], ';')
		if eq < 0 || (semi >= 0 && semi < eq) {
			end := len(s)
			if semi >= 0 {
				end = i + semi
			}
			if MentionsPassword(s[i:end]) {
				ok = false
			}
			i = end
			continue
		}
		key := NormKey(s[i : i+eq])
		i += eq + 1
		vs := i
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		start := i
		var val string
		if i < len(s) && (s[i] == '"' || s[i] == '\'' || s[i] == '{') {
			closer := s[i]
			if closer == '{' {
				closer = '}'
			}
			i++
			var b strings.Builder
			closed := false
			for i < len(s) {
				if s[i] == closer {
					if i+1 < len(s) && s[i+1] == closer {
						b.WriteByte(closer)
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(s[i])
				i++
			}
			val = b.String()
			// An unclosed quote swallows the rest of the string: a
			// password written after it would be read as part of this
			// value.
			if !closed && (IsPasswordKey(key) || MentionsPassword(s[vs:])) {
				ok = false
			}
			for i < len(s) && s[i] != ';' {
				i++
			}
		} else {
			for i < len(s) && s[i] != ';' {
				i++
			}
			val = strings.TrimSpace(s[start:i])
		}
		end := i
		for end > start && isSpace(s[end-1]) {
			end--
		}
		pairs = append(pairs, Pair{Key: key, Value: val, Start: start, End: end})
	}
	return pairs, ok
}

// Redact returns s with the value of every Password or Pwd key replaced by
// Marker (an empty value stays empty), or Withheld when Parse cannot tell
// every password apart. It is idempotent.
func Redact(s string) string {
	pairs, ok := Parse(s)
	if !ok {
		return Withheld
	}
	var b strings.Builder
	last := 0
	for _, p := range pairs {
		if IsPasswordKey(p.Key) && p.End > p.Start {
			b.WriteString(s[last:p.Start])
			b.WriteString(Marker)
			last = p.End
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// NormKey is a key as Pair.Key holds it: lower case, blanks trimmed and
// folded to one space.
func NormKey(k string) string {
	return strings.ToLower(strings.Join(strings.Fields(k), " "))
}

// IsPasswordKey tells whether a connection-string key names the password.
func IsPasswordKey(k string) bool {
	switch NormKey(k) {
	case "password", "pwd":
		return true
	}
	return false
}

// MentionsPassword tells whether s holds a password or pwd key name
// anywhere (in any case).
func MentionsPassword(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "password") || strings.Contains(l, "pwd")
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// passwordInTextRE is a password assignment in free text: the key, the
// separator ('=' or ':') and the value, quoted like a connection-string or
// T-SQL value ("...", '...', N'...', {...}; a doubled quote inside; an
// unclosed quote runs to the end of the text) or else up to the next ';',
// blank, or comma that does not continue the value ("PASSWORD = x, SID =").
var passwordInTextRE = regexp.MustCompile(`(?i)\b(password|pwd)(\s*[=:]\s*)("(?:[^"]|"")*(?:"|$)|N?'(?:[^']|'')*(?:'|$)|\{(?:[^}]|\}\})*(?:\}|$)|[^;\s,]*(?:,+[^;\s,]+)*)`)

// RedactText replaces the value of every Password=value, Pwd=value,
// password: value ... in free text (an error or finding message that quotes
// a connection string) with marker.
func RedactText(s, marker string) string {
	if !strings.ContainsAny(s, "pP") {
		return s
	}
	return passwordInTextRE.ReplaceAllString(s, "${1}${2}"+strings.ReplaceAll(marker, "$", "$$"))
}
