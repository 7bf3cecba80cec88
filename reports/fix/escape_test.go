package fix

import (
	"strings"
	"testing"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// Hostile values: each must stay data wherever it is written.
var hostile = []string{
	`x'; Remove-Item C:\ -Recurse; '`,
	`]; DROP LOGIN x; --`,
	`a’; Stop-Computer; ‘b`,
	"a\u201a; Stop-Computer; \u201bb",
	`$(Stop-Computer)`,
	"`$(Stop-Computer)`",
	`"; Stop-Computer; "`,
	"x\r\nGO\r\nDROP DATABASE SSISDB\n-- ",
	`x #> Stop-Computer <# y`,
	`N'; DROP DATABASE SSISDB; --'`,
	`$(LogDbPassword)`,
	`'') OR 1=1 --`,
	"tab\there",
}

// --- decoders: read one literal back the way the target language does ---

func isPSQuote(r rune) bool { return strings.ContainsRune(psSingleQuotes, r) }

// decodePSQ reads a PowerShell single-quoted string at the start of s and
// returns its value and the rest of s after it.
func decodePSQ(t *testing.T, s string) (string, string) {
	t.Helper()
	rs := []rune(s)
	if len(rs) == 0 || !isPSQuote(rs[0]) {
		t.Fatalf("not a single-quoted string: %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(rs); i++ {
		if isPSQuote(rs[i]) {
			if i+1 < len(rs) && isPSQuote(rs[i+1]) {
				b.WriteRune(rs[i+1])
				i++
				continue
			}
			return b.String(), string(rs[i+1:])
		}
		b.WriteRune(rs[i])
	}
	t.Fatalf("unterminated string: %q", s)
	return "", ""
}

// decodeSQLExpr evaluates the output of sqlstr: N'...' literals (with ”)
// and NCHAR(n) joined by +, in parentheses when there are several.
func decodeSQLExpr(t *testing.T, s string) string {
	t.Helper()
	if strings.HasPrefix(s, "(") {
		if !strings.HasSuffix(s, ")") {
			t.Fatalf("unbalanced: %q", s)
		}
		s = s[1 : len(s)-1]
	}
	var out strings.Builder
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, "N'"):
			i := 2
			for {
				j := strings.IndexByte(s[i:], '\'')
				if j < 0 {
					t.Fatalf("unterminated: %q", s)
				}
				i += j
				if i+1 < len(s) && s[i+1] == '\'' {
					out.WriteString(s[2:i] + "'") // placeholder, rebuilt below
					s = "N'" + s[i+2:]
					i = 2
					continue
				}
				out.WriteString(s[2:i])
				s = s[i+1:]
				break
			}
		case strings.HasPrefix(s, "NCHAR("):
			j := strings.IndexByte(s, ')')
			n := 0
			for _, c := range s[6:j] {
				n = n*10 + int(c-'0')
			}
			out.WriteRune(rune(n))
			s = s[j+1:]
		default:
			t.Fatalf("unexpected SQL expression text %q", s)
		}
		s = strings.TrimPrefix(s, " + ")
		if strings.Contains(s, "$(") && !strings.HasPrefix(s, "N'") {
			t.Fatalf("sqlcmd marker outside a literal: %q", s)
		}
	}
	return out.String()
}

func TestPSQ(t *testing.T) {
	for _, v := range hostile {
		q, err := psq(v)
		if err != nil {
			t.Fatalf("psq(%q): %v", v, err)
		}
		got, rest := decodePSQ(t, q)
		if got != v || rest != "" {
			t.Errorf("psq(%q) = %s reads back as %q rest %q", v, q, got, rest)
		}
	}
	if _, err := psq("a\x00b"); err == nil {
		t.Errorf("psq accepted NUL")
	}
	if q, _ := psq("it’s"); q != "'it’’s'" {
		t.Errorf("typographic quote not doubled: %s", q)
	}
}

func TestSQLStr(t *testing.T) {
	for _, v := range hostile {
		q, err := sqlstr(v)
		if err != nil {
			t.Fatalf("sqlstr(%q): %v", v, err)
		}
		if strings.ContainsAny(q, "\r\n") {
			t.Errorf("sqlstr(%q) = %s carries a raw line break", v, q)
		}
		if strings.Contains(q, "$(") {
			t.Errorf("sqlstr(%q) = %s carries the sqlcmd marker", v, q)
		}
		if got := decodeSQLExpr(t, q); got != v {
			t.Errorf("sqlstr(%q) = %s reads back as %q", v, q, got)
		}
	}
	if q, _ := sqlstr("plain"); q != "N'plain'" {
		t.Errorf("sqlstr(plain) = %s", q)
	}
	if q, _ := sqlstr("o'brien"); q != "N'o''brien'" {
		t.Errorf("sqlstr(o'brien) = %s", q)
	}
}

func TestSQLID(t *testing.T) {
	cases := map[string]string{
		`]; DROP LOGIN x; --`:    `[]]; DROP LOGIN x; --]`,
		`CONTOSO\svc_ssismaster`: `[CONTOSO\svc_ssismaster]`,
		`a]]b`:                   `[a]]]]b]`,
		`x'; DROP LOGIN y; --`:   `[x'; DROP LOGIN y; --]`,
	}
	for in, want := range cases {
		got, err := sqlid(in)
		if err != nil || got != want {
			t.Errorf("sqlid(%q) = %q, %v; want %q", in, got, err, want)
		}
		// read it back: inside [...] only ]] stands for ]
		inner := got[1 : len(got)-1]
		if strings.Contains(strings.ReplaceAll(inner, "]]", ""), "]") {
			t.Errorf("sqlid(%q) = %q has a lone ]", in, got)
		}
		if strings.ReplaceAll(inner, "]]", "]") != in {
			t.Errorf("sqlid(%q) reads back as %q", in, strings.ReplaceAll(inner, "]]", "]"))
		}
	}
	for _, bad := range []string{"", "$(LogDbPassword)", "a\nGO", strings.Repeat("x", 129), "a\x00"} {
		if got, err := sqlid(bad); err == nil {
			t.Errorf("sqlid(%q) = %q, want an error", bad, got)
		}
	}
}

func TestValidators(t *testing.T) {
	type tc struct {
		fn   func(string) (string, error)
		in   string
		want string // "" = error
	}
	cases := map[string]tc{
		"guid":             {guid, "6583054a-e915-4c2a-80e4-c765e79ef61d", "6583054A-E915-4C2A-80E4-C765E79EF61D"},
		"guid braces":      {guid, "{6583054a-e915-4c2a-80e4-c765e79ef61d}", "6583054A-E915-4C2A-80E4-C765E79EF61D"},
		"guid injection":   {guid, "6583054a-e915-4c2a-80e4-c765e79ef61d'; DROP TABLE x; --", ""},
		"guid short":       {guid, "6583054a-e915-4c2a-80e4", ""},
		"guid one brace":   {guid, "6583054a-e915-4c2a-80e4-c765e79ef61d}", ""},
		"hex":              {hex, "0x5a1b", "5A1B"},
		"hex odd":          {hex, "0x5a1", ""},
		"hex injection":    {hex, "5A1B; DROP LOGIN x", ""},
		"hex empty":        {hex, "", ""},
		"thumb":            {thumb, strings.ToLower(masterThumb), masterThumb},
		"thumb short":      {thumb, "3C2A", ""},
		"thumb injection":  {thumb, masterThumb + "'", ""},
		"thumb spaces":     {thumb, "3c 2a 5b", ""},
		"int":              {intv, "8391", "8391"},
		"int injection":    {intv, "8391; Stop-Computer", ""},
		"int negative":     {intv, "-1", ""},
		"int huge":         {intv, "99999999999999999999", ""},
		"port":             {port, "443", "443"},
		"port zero":        {port, "0", ""},
		"port big":         {port, "65536", ""},
		"dns":              {dnsName, "ssismaster.contoso.com", "ssismaster.contoso.com"},
		"dns comma":        {dnsName, "ssismaster, O=Evil", ""},
		"dns quote":        {dnsName, "a'b", ""},
		"dns dots":         {dnsName, "a..b", ""},
		"store":            {store, "Root", "Root"},
		"store with loc":   {store, "LocalMachine/My", "My"},
		"store backslash":  {store, `LocalMachine\My`, "My"},
		"store user":       {store, "CurrentUser/My", ""},
		"store traversal":  {store, `Root\..\My`, ""},
		"store injection":  {store, "Root'; Stop-Computer", ""},
		"guid typographic": {guid, "6583054a-e915-4c2a-80e4-c765e79ef61’", ""},
	}
	for name, c := range cases {
		got, err := c.fn(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("%s: %q accepted as %q", name, c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, c.want)
		}
	}
}

func TestComments(t *testing.T) {
	for _, v := range hostile {
		for name, f := range map[string]func(string) string{"pscomment": pscomment, "sqlcomment": sqlcomment} {
			got := f(v)
			if strings.ContainsAny(got, "\r\n\u2028\u2029\u0085") {
				t.Errorf("%s(%q) = %q keeps a line break", name, v, got)
			}
			if name == "pscomment" && (strings.Contains(got, "#>") || strings.Contains(got, "<#")) {
				t.Errorf("pscomment(%q) = %q keeps a block-comment delimiter", v, got)
			}
			if name == "sqlcomment" && (strings.Contains(got, "$(") || strings.Contains(got, "*/")) {
				t.Errorf("sqlcomment(%q) = %q keeps $( or */", v, got)
			}
		}
		if got := mdcode(v); strings.ContainsAny(got, "\r\n") {
			t.Errorf("mdcode(%q) = %q keeps a line break", v, got)
		}
	}
	if got := mdcode("a`b"); got != "`` a`b ``" {
		t.Errorf("mdcode fence: %q", got)
	}
}

func TestConnVal(t *testing.T) {
	cases := map[string]string{
		"aglsn.contoso.com,1433":     "aglsn.contoso.com,1433",
		"x;Integrated Security=true": `"x;Integrated Security=true"`,
		`a"b;c`:                      `"a""b;c"`,
	}
	for in, want := range cases {
		if got := connval(in); got != want {
			t.Errorf("connval(%q) = %q, want %q", in, got, want)
		}
	}
}

// hostileReport puts hostile values into every string param the templates
// write (node names, paths, keys, values, services, accounts, logins,
// addresses); validated params (thumbprints, GUIDs, ports) stay valid.
func hostileReport() *reports.Report {
	h := func(i int) string { return hostile[i%len(hostile)] }
	evilNode := `x'; Remove-Item C:\ -Recurse; '`
	evilLogin := `]; DROP LOGIN x; --'`
	r := sampleReport()
	r.Deployment.Name = h(8)
	r.Bundle.Path = h(4)
	r.Results = []reports.Result{
		fail("RULE-1", "high", evilNode, "", h(7),
			fx("set-master-config", evilNode, map[string]any{"path": h(0), "key": h(2), "value": h(5)})),
		fail("RULE-2", "high", evilNode, "", h(8),
			fx("set-worker-config", evilNode, map[string]any{"path": h(3), "key": h(6), "value": h(9), "service": h(1)})),
		fail("RULE-3", "high", evilNode, "", h(0),
			fx("import-master-cert", evilNode, map[string]any{"thumbprint": masterThumb, "source_node": h(4)})),
		fail("RULE-4", "high", evilNode, "", h(2),
			fx("trust-worker-cert", evilNode, map[string]any{"thumbprint": wrk2Thumb, "worker": h(6)})),
		fail("RULE-5", "high", evilNode, "", h(3),
			fx("trust-worker-cert", evilNode, map[string]any{"thumbprint": masterThumb, "worker": h(1), "cer_path": h(0)})),
		fail("RULE-6", "high", h(5), "", h(4),
			fx("trust-master-cert", h(5), map[string]any{"thumbprint": masterThumb, "source_node": evilNode})),
		fail("RULE-7", "high", evilNode, "", h(9),
			fx("add-firewall-rule", evilNode, map[string]any{"port": "8391", "display_name": h(6)})),
		fail("RULE-8", "high", evilNode, "", h(10),
			fx("set-master-account", evilNode, map[string]any{"service": h(2), "account": h(0)})),
		fail("RULE-9", "high", evilNode, "", h(11),
			fx("restart-master", evilNode, map[string]any{"resource": h(0), "service": h(3)})),
		fail("RULE-10", "high", h(5), "", h(12),
			fx("start-worker", h(5), map[string]any{"service": h(0)})),
		fail("RULE-11", "high", h(5), "", h(1),
			fx("replace-worker-cert", h(5), map[string]any{"worker": "wrk.contoso.com", "service": h(6)})),
		fail("RULE-12", "high", evilNode, "", h(2),
			fx("renew-master-cert", evilNode, map[string]any{"dns_name": "m.contoso.com", "port": "8391", "path": h(7)})),
		fail("RULE-13", "high", evilNode, "", h(3),
			fx("bind-master-port", evilNode, map[string]any{"port": "8391", "thumbprint": masterThumb})),
		failInst("RULE-20", "high", evilLogin, h(7),
			fx("sql-update-master-address", evilLogin, map[string]any{"address": h(7)})),
		failInst("RULE-21", "high", evilLogin, h(4),
			fx("sql-update-logdb-info", evilLogin, map[string]any{"server_name": h(9), "login": h(10)})),
		failInst("RULE-22", "high", evilLogin, h(0),
			fx("sql-alter-logdb-login", evilLogin, map[string]any{"login": evilLogin})),
		failInst("RULE-23", "high", evilLogin, h(1),
			fx("sql-create-logdb-login", evilLogin, map[string]any{"login": h(9), "sid": logSID})),
		failInst("RULE-24", "high", evilLogin, h(2),
			fx("sql-enable-login", evilLogin, map[string]any{"login": h(11)})),
		failInst("RULE-25", "high", evilLogin, h(3),
			fx("sql-create-windows-login", evilLogin, map[string]any{"login": h(2)})),
		failInst("RULE-26", "high", evilLogin, h(8),
			fx("sql-enable-worker-agent", evilLogin, map[string]any{"agent_id": agentWRK1})),
		fail("RULE-27", "high", evilNode, "", h(7),
			fx("manual", evilNode, map[string]any{"steps": []any{h(7), h(0)}})),
		fail("RULE-28", "high", evilNode, "", h(5),
			fx(h(1), evilNode, map[string]any{"x": h(7)})),
	}
	return r
}

// needles are fragments of the hostile values that would be code if they
// ever left a literal.
var needles = []string{"Remove-Item", "Stop-Computer", "DROP LOGIN", "DROP DATABASE", "OR 1=1"}

// psSpans classifies a .ps1: for every byte offset, whether it lies in a
// single-quoted string, a comment, or code (double-quoted strings count as
// code: a value must never be in one).
func psSpans(s string) []byte {
	cls := make([]byte, len(s)) // 'c' code, 's' string, '#' comment
	for i := range cls {
		cls[i] = 'c'
	}
	i := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "<#"):
			j := strings.Index(s[i+2:], "#>")
			end := len(s)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			for k := i; k < end; k++ {
				cls[k] = '#'
			}
			i = end
		case s[i] == '#':
			j := strings.IndexAny(s[i:], "\r\n")
			end := len(s)
			if j >= 0 {
				end = i + j
			}
			for k := i; k < end; k++ {
				cls[k] = '#'
			}
			i = end
		default:
			r, size := decodeRune(s[i:])
			if isPSQuote(r) {
				start := i
				i += size
				for i < len(s) {
					r2, n2 := decodeRune(s[i:])
					if isPSQuote(r2) {
						r3, n3 := decodeRune(s[i+n2:])
						if i+n2 < len(s) && isPSQuote(r3) {
							i += n2 + n3
							continue
						}
						i += n2
						break
					}
					i += n2
				}
				for k := start; k < i; k++ {
					cls[k] = 's'
				}
				continue
			}
			i += size
		}
	}
	return cls
}

// sqlSpans classifies a .sql the same way: 's' string literals, 'i'
// bracketed identifiers, '#' comments, 'c' code.
func sqlSpans(s string) []byte {
	cls := make([]byte, len(s))
	for i := range cls {
		cls[i] = 'c'
	}
	mark := func(a, b int, c byte) {
		for k := a; k < b && k < len(s); k++ {
			cls[k] = c
		}
	}
	i := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexAny(s[i:], "\r\n")
			end := len(s)
			if j >= 0 {
				end = i + j
			}
			mark(i, end, '#')
			i = end
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			end := len(s)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			mark(i, end, '#')
			i = end
		case s[i] == '\'' || s[i] == '[':
			closeCh := byte('\'')
			c := byte('s')
			if s[i] == '[' {
				closeCh, c = ']', 'i'
			}
			start := i
			i++
			for i < len(s) {
				if s[i] == closeCh {
					if i+1 < len(s) && s[i+1] == closeCh {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			mark(start, i, c)
		default:
			i++
		}
	}
	return cls
}

func decodeRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 1
}

func TestHostileValuesStayData(t *testing.T) {
	dir, _ := writeTo(t, hostileReport())
	files := readAll(t, dir)
	var ps, sqls int
	for name, s := range files {
		var cls []byte
		allowed := ""
		switch {
		case strings.HasSuffix(name, ".ps1"):
			cls, allowed = psSpans(s), "s#"
			ps++
		case strings.HasSuffix(name, ".sql"):
			cls, allowed = sqlSpans(s), "si#"
			sqls++
			// sqlcmd substitutes $(...) anywhere: only our variables may appear.
			for _, m := range regexpAll(`\$\(([^)]*)\)?`, s) {
				if m != "$(LogDbPassword)" && m != "$(SsisdbMasterKeyPassword)" {
					t.Errorf("%s: sqlcmd marker %q", name, m)
				}
			}
			// no string literal or identifier spans a line break (GO splitting)
			for i, c := range cls {
				if (c == 's' || c == 'i') && (s[i] == '\n' || s[i] == '\r') {
					t.Errorf("%s: a literal spans a line break at %d", name, i)
					break
				}
			}
		default:
			continue
		}
		for _, n := range needles {
			off := 0
			for {
				j := strings.Index(s[off:], n)
				if j < 0 {
					break
				}
				at := off + j
				for k := at; k < at+len(n); k++ {
					if !strings.ContainsRune(allowed, rune(cls[k])) {
						line := strings.Count(s[:at], "\n") + 1
						t.Errorf("%s:%d: %q is code (class %c)", name, line, n, cls[k])
						break
					}
				}
				off = at + len(n)
			}
		}
	}
	if ps == 0 || sqls == 0 {
		t.Fatalf("hostile report wrote %d .ps1 and %d .sql", ps, sqls)
	}
	checkNoSecret(t, files)
}

func regexpAll(re, s string) []string {
	return mustRE(re).FindAllString(s, -1)
}
