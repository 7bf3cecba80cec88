package fix

import (
	"strings"
	"testing"
)

// TestRedact: finding messages lose every password value, in any quoting,
// before they are written into a comment or the README.
func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"connection string Data Source=aglsn;User Id=x;Password=Pl4nted;", "connection string Data Source=aglsn;User Id=x;Password=<redacted>;"},
		{"logging uses pwd: 'Pl4nted' on SQLN1", "logging uses pwd: <redacted> on SQLN1"},
		{"WITH PASSWORD = N'$(LogDbPassword)', SID = 0x01", "WITH PASSWORD = <redacted>, SID = 0x01"},
		// these kept part of the value before the fix scripts shared the
		// facts' redactor (internal/connstr)
		{"uses Pwd={Pl4;nted}}x} there", "uses Pwd=<redacted> there"},
		{`uses Password="x""Pl4nted" there`, "uses Password=<redacted> there"},
		{"uses Password=x,Pl4nted there", "uses Password=<redacted> there"},
	} {
		if got := redact(c.in); got != c.want {
			t.Errorf("redact(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := oneLine(c.in, 400); strings.Contains(got, "Pl4nted") {
			t.Errorf("oneLine(%q) = %q", c.in, got)
		}
	}
}
