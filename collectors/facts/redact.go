package facts

import (
	"strings"

	"github.com/ssis-ha-lint/ssis-ha-lint/internal/connstr"
)

// Redacted replaces a secret value in the facts.
const Redacted = connstr.Marker

// RedactConnString returns the ADO.NET / ODBC connection string s with the
// value of every Password or Pwd key replaced by ***. Collectors redact
// already; the facts redact again where the value is read, so that a bundle
// written by hand (or by an older collector) never carries a password into
// facts, reports or fix scripts. Values may be quoted with "...", '...' (a
// doubled quote escapes it) or {...} (ODBC). When a password key remains that
// cannot be told apart, the whole string is withheld. See connstr.Redact.
func RedactConnString(s string) string { return connstr.Redact(s) }

// isConnStringColumn tells whether a result-set column holds a connection
// string (logdb_connection.connection_string).
func isConnStringColumn(c string) bool {
	c = strings.ToLower(connStringColumnFold.Replace(c))
	return strings.Contains(c, "connectionstring") || c == "connstr"
}

// connStringColumnFold drops the separators of a column name (built once:
// a strings.Replacer builds its tables on first use).
var connStringColumnFold = strings.NewReplacer("_", "", " ", "")

// RedactText replaces Password=value / Pwd=value pairs in free text (an
// error message that quotes a connection string) with Password=***. See
// connstr.RedactText.
func RedactText(s string) string { return connstr.RedactText(s, Redacted) }
