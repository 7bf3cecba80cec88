package facts

import (
	"regexp"
	"strings"
)

// Redacted replaces a secret value in the facts.
const Redacted = "***"

// RedactConnString returns the ADO.NET / ODBC connection string s with the
// value of every Password or Pwd key replaced by ***. Collectors redact
// already; the facts redact again where the value is read, so that a bundle
// written by hand (or by an older collector) never carries a password into
// facts, reports or fix scripts. Values may be quoted with "...", '...' (a
// doubled quote escapes it) or {...} (ODBC). When a password key remains that
// cannot be told apart, the whole string is withheld.
func RedactConnString(s string) string {
	out, ok := redactConnString(s)
	if !ok {
		return Redacted + " (connection string withheld: it holds a password that could not be parsed)"
	}
	return out
}

func redactConnString(s string) (string, bool) {
	var b strings.Builder
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && (s[j] == ';' || isConnSpace(s[j])) {
			j++
		}
		b.WriteString(s[i:j])
		i = j
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
			if isPasswordKey(s[i:end]) {
				return "", false
			}
			b.WriteString(s[i:end])
			i = end
			continue
		}
		key := s[i : i+eq]
		b.WriteString(s[i : i+eq+1])
		i += eq + 1
		vs := i
		for i < len(s) && isConnSpace(s[i]) {
			i++
		}
		if i < len(s) && (s[i] == '"' || s[i] == '\'' || s[i] == '{') {
			closer := s[i]
			if closer == '{' {
				closer = '}'
			}
			i++
			closed := false
			for i < len(s) {
				if s[i] == closer {
					if i+1 < len(s) && s[i+1] == closer {
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				i++
			}
			// An unclosed quote swallows the rest of the string: a
			// password written after it would be copied as part of
			// this value.
			if !closed && (isPasswordKey(key) || mentionsPassword(s[vs:])) {
				return "", false
			}
		}
		for i < len(s) && s[i] != ';' {
			i++
		}
		if isPasswordKey(key) {
			if strings.TrimSpace(s[vs:i]) != "" {
				b.WriteString(Redacted)
			}
		} else {
			b.WriteString(s[vs:i])
		}
	}
	return b.String(), true
}

func isConnSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isPasswordKey tells whether a connection-string key names the password.
func isPasswordKey(k string) bool {
	switch strings.ToLower(strings.Join(strings.Fields(k), " ")) {
	case "password", "pwd":
		return true
	}
	return false
}

// mentionsPassword tells whether s holds a password or pwd key name.
func mentionsPassword(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "password") || strings.Contains(l, "pwd")
}

// isConnStringColumn tells whether a result-set column holds a connection
// string (logdb_connection.connection_string).
func isConnStringColumn(c string) bool {
	c = strings.ToLower(strings.NewReplacer("_", "", " ", "").Replace(c))
	return strings.Contains(c, "connectionstring") || c == "connstr"
}

var passwordInTextRE = regexp.MustCompile(`(?i)\b(password|pwd)(\s*=\s*)("[^"]*"|'[^']*'|\{[^}]*\}|[^;\s"']+)`)

// RedactText replaces Password=value / Pwd=value pairs in free text (an
// error message that quotes a connection string) with Password=***.
func RedactText(s string) string {
	if !strings.Contains(strings.ToLower(s), "p") {
		return s
	}
	return passwordInTextRE.ReplaceAllString(s, "${1}${2}"+Redacted)
}
