package facts

import (
	"math"
	"strings"
	"testing"
)

func TestRedactConnString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Data Source=a;User Id=u;Password=Pl4nted;", "Data Source=a;User Id=u;Password=***;"},
		{"Data Source=a;pwd = Pl4nted", "Data Source=a;pwd = ***"},
		{`Data Source=a;Password="Pl4nted"x ;y=1`, `Data Source=a;Password=*** ;y=1`},
		{"PASSWORD=Pl4nted;Initial Catalog=SSISDB", "PASSWORD=***;Initial Catalog=SSISDB"},
		{`Password="Pl4;nted""x";Data Source=a`, `Password=***;Data Source=a`},
		{`Password='Pl4;nted';Data Source=a`, `Password=***;Data Source=a`},
		{`Pwd={Pl4;nted}}x};Data Source=a`, `Pwd=***;Data Source=a`},
		{"Data Source=a;Password=***;", "Data Source=a;Password=***;"},
		{"Data Source=a;Integrated Security=SSPI", "Data Source=a;Integrated Security=SSPI"},
		{"Data Source=a;Password=;", "Data Source=a;Password=;"},
		{"", ""},
	} {
		if got := RedactConnString(c.in); got != c.want {
			t.Errorf("RedactConnString(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, in := range []string{`Password="Pl4nted`, "Data Source=a;Password", "x;pwd;Pl4nted", `Data Source="a;Password=Pl4nted;`, `Data Source={a;Pwd=Pl4nted`,
		"Data Source=a;Password Pl4nted", "Data Source=a;Password:Pl4nted"} {
		if got := RedactConnString(in); strings.Contains(got, "Pl4nted") || !strings.HasPrefix(got, "***") {
			t.Errorf("RedactConnString(%q) = %q, want it withheld", in, got)
		}
	}
}

func TestRedactText(t *testing.T) {
	in := `login failed (connection "Data Source=a;Password=Pl4nted;") and PWD='Pl4nted x'`
	got := RedactText(in)
	if strings.Contains(got, "Pl4nted") || !strings.Contains(got, "Password=***") {
		t.Errorf("RedactText = %q", got)
	}
	for _, in := range []string{`Password="Pl4nted`, `Password="x""Pl4nted"`, `Pwd={x}}Pl4nted}`, `Password=x"Pl4nted`, `pwd: Pl4nted`} {
		if got := RedactText("login failed: " + in); strings.Contains(got, "Pl4nted") {
			t.Errorf("RedactText(%q) = %q", in, got)
		}
	}
	if got := RedactText("access is denied"); got != "access is denied" {
		t.Errorf("RedactText changed %q", got)
	}
}

func TestUnknownConfigKeyValueNotKept(t *testing.T) {
	for _, data := range []string{
		`{"PortNumber": 8391, "SqlPassword": "Pl4nted", "sqlpassword": "Pl4nted2"}`,
		`<configuration><appSettings><add key="PortNumber" value="8391"/><add key="SqlPassword" value="Pl4nted"/></appSettings></configuration>`,
	} {
		cf := ParseSettings(MasterSettingsFile, []byte(data))
		if cf.ParseError != "" {
			t.Fatal(cf.ParseError)
		}
		if _, ok := cf.Settings["SqlPassword"]; ok {
			t.Errorf("unknown key's value kept: %v", cf.Settings)
		}
		if len(cf.UnknownKeys) == 0 || cf.UnknownKeys[0] != "SqlPassword" {
			t.Errorf("unknown keys = %v", cf.UnknownKeys)
		}
		for _, w := range cf.Warnings {
			if strings.Contains(w, "Pl4nted") {
				t.Errorf("warning carries the value: %s", w)
			}
		}
	}
}

func TestSettingsSizeLimit(t *testing.T) {
	big := `{"SqlServerName": "` + strings.Repeat("a", MaxSettingsSize) + `"}`
	cf := ParseSettings(MasterSettingsFile, []byte(big))
	if !strings.Contains(cf.ParseError, "more than the limit") || len(cf.Settings) != 0 {
		t.Errorf("ParseError = %q", cf.ParseError)
	}
}

// TestParseTimeClamps: times outside 1678..2262 keep their order (UnixNano
// would wrap: .NET's DateTime.MaxValue became a date in 1816).
func TestParseTimeClamps(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"9999-12-31T23:59:59Z", math.MaxInt64},
		{"/Date(99999999999999999)/", math.MaxInt64},
		{"0001-01-01T00:00:00Z", math.MinInt64},
		{"/Date(-99999999999999999)/", math.MinInt64},
	} {
		if _, ns, ok := parseTime(c.in); !ok || ns != c.want {
			t.Errorf("parseTime(%q) = %d, %v; want %d", c.in, ns, ok, c.want)
		}
	}
	if _, ns, _ := parseTime("2026-11-27T10:00:00Z"); ns != 1795773600*1e9 {
		t.Errorf("ns = %d", ns)
	}
}
