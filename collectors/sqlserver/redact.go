package sqlserver

import (
	"net/url"
	"strings"
)

// scrub removes every form of secret from s (plain, URL query-escaped and
// path-escaped), as a last line of defence before a message is stored or
// returned. Secrets shorter than 3 characters are not scrubbed (they would
// mangle every message and are not worth protecting by substring).
func scrub(s string, secrets ...string) string {
	for _, p := range secrets {
		if len(p) < 3 {
			continue
		}
		for _, form := range []string{p, url.QueryEscape(p), url.PathEscape(p), url.UserPassword("x", p).String()[2:]} {
			if form != "" {
				s = strings.ReplaceAll(s, form, "***")
			}
		}
	}
	return s
}

// connStringPair is one key=value of an ADO.NET-style connection string.
type connStringPair struct {
	key, value string
	start, end int // byte range of the value in the original (incl. quotes)
}

// parseConnString splits an ADO.NET/OLE DB connection string into pairs,
// honouring values quoted with "..." or '...' (doubled quote escapes) and
// {...} (ODBC style). It never fails: malformed parts end the parse.
func parseConnString(s string) []connStringPair {
	var out []connStringPair
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ';' || s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			break
		}
		key := strings.TrimSpace(s[i : i+eq])
		i += eq + 1
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		start := i
		var val string
		if i < len(s) && (s[i] == '"' || s[i] == '\'' || s[i] == '{') {
			q := s[i]
			closer := q
			if q == '{' {
				closer = '}'
			}
			i++
			var b strings.Builder
			for i < len(s) {
				if s[i] == closer {
					if i+1 < len(s) && s[i+1] == closer {
						b.WriteByte(closer)
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			val = b.String()
			end := i
			for i < len(s) && s[i] != ';' {
				i++
			}
			out = append(out, connStringPair{key: key, value: val, start: start, end: end})
			continue
		}
		semi := strings.IndexByte(s[i:], ';')
		if semi < 0 {
			semi = len(s) - i
		}
		val = strings.TrimSpace(s[i : i+semi])
		out = append(out, connStringPair{key: key, value: val, start: start, end: start + len(strings.TrimRight(s[i:i+semi], " \t"))})
		i += semi
	}
	return out
}

func isPasswordKey(k string) bool {
	switch strings.ToLower(strings.Join(strings.Fields(k), " ")) {
	case "password", "pwd":
		return true
	}
	return false
}

// redactConnString replaces every Password/Pwd value with *** and returns
// the redacted string, the password (for the in-memory PWDCOMPARE only), the
// user id and whether the string uses integrated security.
func redactConnString(s string) (redacted, password, user string, integrated bool) {
	pairs := parseConnString(s)
	var b strings.Builder
	last := 0
	for _, p := range pairs {
		k := strings.ToLower(strings.Join(strings.Fields(p.key), " "))
		switch {
		case isPasswordKey(p.key):
			password = p.value
			b.WriteString(s[last:p.start])
			b.WriteString("***")
			last = p.end
		case k == "user id" || k == "uid" || k == "user" || k == "username" || k == "user name":
			user = p.value
		case k == "integrated security" || k == "trusted_connection" || k == "trusted connection":
			v := strings.ToLower(p.value)
			integrated = v == "sspi" || v == "true" || v == "yes"
		}
	}
	b.WriteString(s[last:])
	redacted = b.String()
	if password != "" {
		redacted = scrub(redacted, password) // belt and braces: a malformed string
	} else if l := strings.ToLower(s); strings.Contains(l, "password") || strings.Contains(l, "pwd") {
		// a password key we could not parse: withhold the whole string
		redacted = "*** (connection string withheld: it mentions a password that could not be parsed)"
	}
	return
}
