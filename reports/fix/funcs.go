package fix

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/ssis-ha-lint/ssis-ha-lint/internal/connstr"
)

// The escaping functions below are the only way a value from the facts
// reaches a generated script: templates never concatenate quotes around a
// value themselves. Each function either returns text that the target
// language reads back as exactly the given value (data, never code) or fails.

// psSingleQuotes are the characters PowerShell's tokenizer treats as a single
// quote: the ASCII apostrophe and the typographic quotes U+2018..U+201B.
// Inside a single-quoted string each of them must be doubled.
const psSingleQuotes = "'\u2018\u2019\u201a\u201b"

// psq renders s as a PowerShell single-quoted (verbatim) string. Nothing is
// expanded inside one ($, backtick, $(...) are literal), so doubling every
// single-quote character is the whole escaping. NUL cannot be represented and
// is refused.
func psq(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("value is not valid UTF-8")
	}
	if strings.ContainsRune(s, 0) {
		return "", errors.New("value contains a NUL character")
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		if strings.ContainsRune(psSingleQuotes, r) {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String(), nil
}

// sqlstr renders s as a T-SQL Unicode string expression: N'...' with ' doubled.
// Two things cannot stay inside one literal safely and are spliced in as
// separate parts of a concatenation:
//   - the sqlcmd variable marker "$(": sqlcmd substitutes $(name) everywhere,
//     inside string literals too, so "$(" is split into N'$' + N'(';
//   - line breaks and other control characters: sqlcmd and SSMS split batches
//     on a line that reads GO, so a value never carries a raw line break; each
//     control character becomes NCHAR(n).
//
// The result is therefore an expression: use it where an expression is
// allowed (DECLARE ... = , comparisons), and pass it to procedures through a
// variable.
func sqlstr(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("value is not valid UTF-8")
	}
	var parts []string
	var cur strings.Builder
	flush := func() {
		parts = append(parts, "N'"+cur.String()+"'")
		cur.Reset()
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '\'':
			cur.WriteString("''")
		case r == '$' && i+1 < len(rs) && rs[i+1] == '(':
			cur.WriteRune(r)
			flush()
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			if cur.Len() > 0 || len(parts) == 0 {
				flush()
			}
			parts = append(parts, fmt.Sprintf("NCHAR(%d)", r))
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 || len(parts) == 0 {
		flush()
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return "(" + strings.Join(parts, " + ") + ")", nil
}

// sqlid renders s as a bracketed T-SQL identifier: [...] with ] doubled.
// An identifier cannot be split like a string, so values that sqlcmd or the
// batch splitter would rewrite ("$(" and control characters) are refused, as
// are empty names and names longer than sysname (128 characters).
func sqlid(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("value is not valid UTF-8")
	}
	if s == "" {
		return "", errors.New("identifier is empty")
	}
	if utf8.RuneCountInString(s) > 128 {
		return "", errors.New("identifier is longer than 128 characters")
	}
	if strings.Contains(s, "$(") {
		return "", errors.New(`identifier contains "$(", which sqlcmd would substitute`)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return "", fmt.Errorf("identifier contains the control character U+%04X", r)
		}
	}
	return "[" + strings.ReplaceAll(s, "]", "]]") + "]", nil
}

var guidRE = regexp.MustCompile(`^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$`)

// guid validates a GUID (with or without braces) and returns it upper-case
// without braces.
func guid(s string) (string, error) {
	m := guidRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil || (strings.HasPrefix(strings.TrimSpace(s), "{") != strings.HasSuffix(strings.TrimSpace(s), "}")) {
		return "", fmt.Errorf("%q is not a GUID", s)
	}
	return strings.ToUpper(m[1]), nil
}

var hexRE = regexp.MustCompile(`^(?:0[xX])?([0-9A-Fa-f]+)$`)

// hex validates a hexadecimal value (a certificate thumbprint or a SID, with
// or without 0x) and returns the digits upper-case without 0x. The number of
// digits must be even (whole bytes) and at most 170 (an 85-byte SID).
func hex(s string) (string, error) {
	m := hexRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", fmt.Errorf("%q is not hexadecimal", s)
	}
	if len(m[1])%2 != 0 {
		return "", fmt.Errorf("%q has an odd number of hex digits", s)
	}
	if len(m[1]) > 170 {
		return "", fmt.Errorf("%q is too long", s)
	}
	return strings.ToUpper(m[1]), nil
}

var thumbRE = regexp.MustCompile(`^[0-9A-F]{40}$|^[0-9A-F]{64}$`)

// thumb validates a certificate thumbprint (SHA-1, 40 hex digits, or
// SHA-256, 64) and returns it upper-case.
func thumb(s string) (string, error) {
	h, err := hex(s)
	if err != nil {
		return "", err
	}
	if !thumbRE.MatchString(h) {
		return "", fmt.Errorf("%q is not a certificate thumbprint (40 or 64 hex digits)", s)
	}
	return h, nil
}

// intv validates a decimal integer (no sign, no spaces) and returns it.
func intv(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", errors.New("empty number")
	}
	n, err := strconv.ParseUint(t, 10, 31)
	if err != nil {
		return "", fmt.Errorf("%q is not a number", s)
	}
	return strconv.FormatUint(n, 10), nil
}

// port validates a TCP port number (1..65535).
func port(s string) (string, error) {
	v, err := intv(s)
	if err != nil {
		return "", err
	}
	if n, _ := strconv.Atoi(v); n < 1 || n > 65535 {
		return "", fmt.Errorf("%q is not a TCP port", s)
	}
	return v, nil
}

var storeRE = regexp.MustCompile(`^(?i:(?:LocalMachine|Cert:\\LocalMachine)[/\\])?([A-Za-z][A-Za-z0-9]{0,31})$`)

// store validates a LocalMachine certificate store name ("Root", "My",
// "LocalMachine/My", "LocalMachine\My") and returns the bare store name.
func store(s string) (string, error) {
	m := storeRE.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("%q is not a LocalMachine certificate store name", s)
	}
	return m[1], nil
}

// oneLine turns a value into text that cannot leave a single comment line:
// every control character and Unicode line or paragraph separator becomes a
// space, and the result is cut to max runes.
func oneLine(s string, max int) string {
	s = redact(strings.ToValidUTF8(s, "?"))
	var b strings.Builder
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\ufeff' {
			r = ' '
		}
		if n >= max {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// redact hides anything that looks like a password assignment in free text
// (finding messages are written into comments and the README). Rules never
// put secrets into messages; this is the second line of defence.
func redact(s string) string { return connstr.RedactText(s, "<redacted>") }

// pscomment makes s safe as the text of a PowerShell line comment ("# " is
// written by the template): one line, no block-comment delimiters.
func pscomment(s string) string {
	s = oneLine(s, 400)
	for strings.Contains(s, "#>") || strings.Contains(s, "<#") {
		s = strings.ReplaceAll(s, "#>", "# >")
		s = strings.ReplaceAll(s, "<#", "< #")
	}
	return s
}

// sqlcomment makes s safe as the text of a T-SQL line comment ("-- " is
// written by the template): one line, no sqlcmd variable marker (sqlcmd
// substitutes inside comments too), no block-comment delimiters.
func sqlcomment(s string) string {
	s = oneLine(s, 400)
	for _, p := range [][2]string{{"$(", "$ ("}, {"/*", "/ *"}, {"*/", "* /"}} {
		for strings.Contains(s, p[0]) {
			s = strings.ReplaceAll(s, p[0], p[1])
		}
	}
	return s
}

// mdcode renders s as Markdown inline code on one line, with a backtick
// fence longer than any run of backticks inside.
func mdcode(s string) string {
	s = strings.ReplaceAll(oneLine(s, 400), "|", `\|`)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || longest > 0 {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdtext renders s as Markdown text on one line, with the characters that
// start inline Markdown or HTML constructs escaped (and a leading character
// that would start a block construct).
func mdtext(s string) string {
	s = oneLine(s, 600)
	var b strings.Builder
	for i, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~", r) || (i == 0 && strings.ContainsRune("#+-!>", r)) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// connval quotes a value for an ADO.NET / SqlClient connection string: a
// value with ; ' " or surrounding spaces is wrapped in double quotes with "
// doubled, so it cannot add keywords of its own.
func connval(s string) string {
	if s == "" || strings.ContainsAny(s, ";'\"") || strings.TrimSpace(s) != s {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func funcMap() template.FuncMap {
	return template.FuncMap{
		"psq":        psq,
		"sqlstr":     sqlstr,
		"sqlid":      sqlid,
		"guid":       guid,
		"hex":        hex,
		"thumb":      thumb,
		"int":        intv,
		"port":       port,
		"store":      store,
		"dns":        dnsName,
		"pscomment":  pscomment,
		"sqlcomment": sqlcomment,
		"mdcode":     mdcode,
		"mdtext":     mdtext,
		"connval":    connval,
		"join":       strings.Join,
		"line":       func(s string) string { return oneLine(s, 1000) },
		"lower":      strings.ToLower,
	}
}

var dnsRE = regexp.MustCompile(`^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252}[A-Za-z0-9])?$`)

// dnsName validates a DNS host name (it goes into a certificate subject and
// -DnsName, where a comma or an equals sign would change its meaning).
func dnsName(s string) (string, error) {
	if !dnsRE.MatchString(s) || strings.Contains(s, "..") {
		return "", fmt.Errorf("%q is not a DNS host name", s)
	}
	return s, nil
}
