package connstr

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in    string
		pairs []Pair
		ok    bool
	}{
		{"Data Source=a; User  ID = u ;Password=abc", []Pair{
			{Key: "data source", Value: "a", Start: 12, End: 13},
			{Key: "user id", Value: "u", Start: 26, End: 27},
			{Key: "password", Value: "abc", Start: 38, End: 41},
		}, true},
		{`PWD="a;b=""c"x ;k='d''e'`, []Pair{
			{Key: "pwd", Value: `a;b="c`, Start: 4, End: 14},
			{Key: "k", Value: "d'e", Start: 18, End: 24},
		}, true},
		{"pwd={p}};w}}};Password=", []Pair{
			{Key: "pwd", Value: "p};w}", Start: 4, End: 13},
			{Key: "password", Value: "", Start: 23, End: 23},
		}, true},
		{"foo;x=1", []Pair{{Key: "x", Value: "1", Start: 6, End: 7}}, true},
		{"", nil, true},
		{"x;pwd;Pl4nted", nil, false},
		{"Data Source=a;Password Pl4nted", []Pair{{Key: "data source", Value: "a", Start: 12, End: 13}}, false},
		{`Password="abc`, []Pair{{Key: "password", Value: "abc", Start: 9, End: 13}}, false},
		{`Data Source="a;Pwd=x`, []Pair{{Key: "data source", Value: "a;Pwd=x", Start: 12, End: 20}}, false},
		{`Data Source="a;b=c`, []Pair{{Key: "data source", Value: "a;b=c", Start: 12, End: 18}}, true},
	} {
		pairs, ok := Parse(c.in)
		if !reflect.DeepEqual(pairs, c.pairs) || ok != c.ok {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", c.in, pairs, ok, c.pairs, c.ok)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Data Source=a;User Id=u;Password=Pl4nted;", "Data Source=a;User Id=u;Password=***;"},
		{"Data Source=a;pwd = Pl4nted", "Data Source=a;pwd = ***"},
		{"PASSWORD=Pl4nted;Initial Catalog=SSISDB", "PASSWORD=***;Initial Catalog=SSISDB"},
		{`Password="Pl4;nted""x";Data Source=a`, `Password=***;Data Source=a`},
		{`Password='Pl4;nted';Data Source=a`, `Password=***;Data Source=a`},
		{`Pwd={Pl4;nted}}x};Data Source=a`, `Pwd=***;Data Source=a`},
		{`server=x;user id=u; password = {p}};w}}};x=1`, `server=x;user id=u; password = ***;x=1`},
		{`Password="Pl4"nted ;x=1`, `Password=*** ;x=1`}, // text after the closing quote is part of the value
		{"Data Source=a;Password=***;", "Data Source=a;Password=***;"},
		{"Data Source=a;Integrated Security=SSPI", "Data Source=a;Integrated Security=SSPI"},
		{"Data Source=a;Password=;", "Data Source=a;Password=;"},
		{"Data Source=a;Password= \t;", "Data Source=a;Password= \t;"},
		{"foo;Password=Pl4nted", "foo;Password=***"},
		{"Password=last", "Password=***"},
		{"", ""},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, in := range []string{
		`Password="Pl4nted`, "Data Source=a;Password", "x;pwd;Pl4nted", `Data Source="a;Password=Pl4nted;`, `Data Source={a;Pwd=Pl4nted`,
		"Data Source=a;Password Pl4nted", "Data Source=a;Password:Pl4nted", "garbage with password Pl4nted",
	} {
		if got := Redact(in); got != Withheld {
			t.Errorf("Redact(%q) = %q, want it withheld", in, got)
		}
	}
}

func TestRedactText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`login failed (connection "Data Source=a;Password=Pl4nted;") and PWD='Pl4nted x'`, `login failed (connection "Data Source=a;Password=***;") and PWD=***`},
		{"logging uses pwd: 'Pl4nted' on SQLN1", "logging uses pwd: *** on SQLN1"},
		{"set PASSWORD = Pl4nted there", "set PASSWORD = *** there"},
		{`Pwd={Pl4;nted}}x} and more`, `Pwd=*** and more`},
		{`Password="Pl4""nted" and more`, `Password=*** and more`},
		{`Password='Pl4''nted' and more`, `Password=*** and more`},
		{`x Password="Pl4nted and more`, `x Password=***`},
		{`Password=Pl4,,nted"x) and more`, `Password=*** and more`},
		{"CREATE LOGIN [x] WITH PASSWORD = N'Pl4''nted', SID = 0x01; ALTER LOGIN [x] WITH PASSWORD = N'Pl4nted' UNLOCK",
			"CREATE LOGIN [x] WITH PASSWORD = ***, SID = 0x01; ALTER LOGIN [x] WITH PASSWORD = *** UNLOCK"},
		{"password=Pl4nted, user=u", "password=***, user=u"},
		{"Password=", "Password=***"},
		{"SqlPassword=x", "SqlPassword=x"},
		{"access is denied", "access is denied"},
		{"Password did not match", "Password did not match"},
	} {
		if got := RedactText(c.in, Marker); got != c.want {
			t.Errorf("RedactText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := RedactText("pwd=x", "$1<redacted>"); got != "pwd=$1<redacted>" {
		t.Errorf("marker expanded: %q", got)
	}
}

// FuzzRedact: redacting keeps every pair but the passwords' values, leaves
// no password value behind and is idempotent; or the string is withheld.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"Data Source=aglsn,1433;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=Pl4nted;",
		`PWD="a;b""c";x=1`, `password = {p};w}}};`, `Password='x'y ;z=1`, "foo;Password=abc", `Data Source="a;b`, "x;pwd;y", "Password= ;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Redact(s)
		if out == Withheld {
			return
		}
		in, _ := Parse(s)
		got, ok := Parse(out)
		if !ok || len(got) != len(in) {
			t.Fatalf("Redact(%q) = %q parses to %+v, %v; want the pairs of %+v", s, out, got, ok, in)
		}
		for i := range in {
			want := in[i].Value
			if IsPasswordKey(in[i].Key) && in[i].End > in[i].Start {
				want = Marker
			}
			if got[i].Key != in[i].Key || got[i].Value != want {
				t.Fatalf("Redact(%q) = %q: pair %d is %+v, want %q=%q", s, out, i, got[i], in[i].Key, want)
			}
		}
		if again := Redact(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}

// FuzzRedactText: a password written in any connection-string quoting
// after a Password= or pwd: in free text never survives.
func FuzzRedactText(f *testing.F) {
	f.Add("login failed: (", "Pl4nted-Secret-1", ") at x")
	f.Add("", `a"b'c}d`, "")
	f.Add("Data Source=a;", "x y", `";`)
	f.Fuzz(func(t *testing.T, prefix, password, suffix string) {
		if len(password) < 3 || MentionsPassword(prefix) || strings.Contains(password, "*") {
			return // a key in the prefix may open a quote that ends inside the value
		}
		forms := []string{
			`"` + strings.ReplaceAll(password, `"`, `""`) + `"`,
			`'` + strings.ReplaceAll(password, `'`, `''`) + `'`,
			`{` + strings.ReplaceAll(password, `}`, `}}`) + `}`,
		}
		if !strings.ContainsAny(password, "; \t\r\n\f") && !strings.ContainsAny(password[:1], `"'{`) {
			forms = append(forms, password)
		}
		for _, form := range forms {
			for _, key := range []string{" Password=", " pwd: ", " PWD = "} {
				in := prefix + key + form + suffix
				if strings.Contains(prefix+key, password) || strings.Contains(suffix, password) {
					continue // the password is part of the text around it
				}
				if out := RedactText(in, Marker); strings.Contains(out, password) {
					t.Fatalf("RedactText(%q) = %q keeps the password", in, out)
				}
			}
		}
	})
}
