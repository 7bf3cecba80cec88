package sqlserver

import (
	"net/url"
	"strings"

	"github.com/ssis-ha-lint/ssis-ha-lint/internal/connstr"
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

// withheldNoPassword replaces a connection string that mentions a password
// while no Password or Pwd value could be read from it.
const withheldNoPassword = connstr.Marker + " (connection string withheld: it mentions a password that could not be parsed)"

// redactConnString replaces every Password/Pwd value with *** (see
// connstr.Redact) and returns the redacted string, the password (for the
// in-memory PWDCOMPARE only; the last one when there are several), the user
// id and whether the string uses integrated security.
func redactConnString(s string) (redacted, password, user string, integrated bool) {
	pairs, _ := connstr.Parse(s)
	for _, p := range pairs {
		switch p.Key {
		case "password", "pwd":
			password = p.Value
		case "user id", "uid", "user", "username", "user name":
			user = p.Value
		case "integrated security", "trusted_connection", "trusted connection":
			v := strings.ToLower(p.Value)
			integrated = v == "sspi" || v == "true" || v == "yes"
		}
	}
	redacted = connstr.Redact(s)
	if password != "" {
		redacted = scrub(redacted, password) // belt and braces: a malformed string
	} else if connstr.MentionsPassword(s) {
		// a password key we could not read a value from: withhold the whole string
		redacted = withheldNoPassword
	}
	return
}
