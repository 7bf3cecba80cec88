package facts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Binding kinds of SSLBinding.Kind.
const (
	BindingIP       = "ip"
	BindingHostname = "hostname"
	BindingCCS      = "ccs"
)

// ParseNetsh parses the English output of `netsh http show sslcert`. Bindings
// are keyed by the endpoint as netsh prints it ("0.0.0.0:8391",
// "ssismaster.contoso.com:443"); a Central Certificate Store binding is keyed
// "ccs:<port>". CRLF, blank lines and varied spacing are accepted. An error
// means the text is not recognizable netsh output (for example another
// language).
func ParseNetsh(text string) (map[string]*SSLBinding, error) {
	out := map[string]*SSLBinding{}
	if !utf8.ValidString(text) {
		return nil, errors.New("not netsh output: invalid UTF-8")
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	// Lines are split at "\n" only: the "\r" of a CRLF is white space that
	// TrimSpace removes (as it removes any other "\r" at a line's end).
	var cur *SSLBinding
	sawHeader := false
	rest := text
	for i := 0; rest != ""; i++ {
		raw := rest
		if j := strings.IndexByte(rest, '\n'); j >= 0 {
			raw, rest = rest[:j], rest[j+1:]
		} else {
			rest = ""
		}
		line := strings.TrimSpace(raw)
		if line == "" || strings.Trim(line, "-") == "" {
			continue
		}
		// For an ASCII line, ASCII case folding is what ToLower does,
		// without the copy.
		ascii := isASCII(line)
		var lower string
		if !ascii {
			lower = strings.ToLower(line)
		}
		if ascii && hasPrefixFold(line, "ssl certificate bindings") || !ascii && strings.HasPrefix(lower, "ssl certificate bindings") {
			sawHeader = true
			continue
		}
		kind, endpoint, isSection := sectionStart(line, lower, ascii)
		if isSection {
			var err error
			if cur, err = addBinding(out, kind, endpoint, line, i+1); err != nil {
				return nil, err
			}
			continue
		}
		if cur == nil {
			continue // preamble text
		}
		k, v, ok := splitKV(line)
		if !ok {
			continue
		}
		if isASCII(k) {
			switch {
			case strings.EqualFold(k, "certificate hash"):
				k = "certificate hash"
			case strings.EqualFold(k, "application id"):
				k = "application id"
			case strings.EqualFold(k, "certificate store name"):
				k = "certificate store name"
			}
		} else {
			k = strings.ToLower(k)
		}
		switch k {
		case "certificate hash":
			if strings.EqualFold(v, "(null)") {
				v = ""
			}
			cur.CertificateHash = NormalizeThumbprint(v)
		case "application id":
			cur.ApplicationID = v
		case "certificate store name":
			if strings.EqualFold(v, "(null)") {
				v = ""
			}
			cur.StoreName = v
		}
	}
	if len(out) == 0 && !sawHeader && strings.TrimSpace(text) != "" {
		return nil, errors.New("not `netsh http show sslcert` output in English: no \"SSL Certificate bindings\" header and no \"IP:port\" / \"Hostname:port\" lines")
	}
	return out, nil
}

// sectionStart recognizes the first line of a binding; lower is
// strings.ToLower(line), unused (and not computed) when line is ASCII.
// addBinding starts the binding of a section line (line number n) in out,
// keyed by endpoint ("ccs:<endpoint>" for the central certificate store);
// an endpoint missing or seen before is an error.
func addBinding(out map[string]*SSLBinding, kind, endpoint, line string, n int) (*SSLBinding, error) {
	if endpoint == "" {
		return nil, fmt.Errorf("line %d: %q has no endpoint", n, line)
	}
	key := endpoint
	if kind == BindingCCS {
		key = "ccs:" + endpoint
	}
	if _, dup := out[key]; dup {
		return nil, fmt.Errorf("line %d: binding %s appears twice", n, key)
	}
	b := &SSLBinding{Endpoint: endpoint, Kind: kind, Line: n, Port: endpointPort(endpoint)}
	out[key] = b
	return b, nil
}

func sectionStart(line, lower string, ascii bool) (kind, endpoint string, ok bool) {
	for _, s := range []struct{ prefix, kind string }{
		{"ip:port", BindingIP},
		{"hostname:port", BindingHostname},
		{"central certificate store", BindingCCS},
	} {
		if ascii && hasPrefixFold(line, s.prefix) || !ascii && strings.HasPrefix(lower, s.prefix) {
			rest := strings.TrimSpace(line[len(s.prefix):])
			rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
			return s.kind, rest, true
		}
	}
	return "", "", false
}

// splitKV splits "Key    : value" at the colon that ends the key.
func splitKV(line string) (string, string, bool) {
	if i := strings.Index(line, " :"); i >= 0 {
		return strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+2:]), true
	}
	if i := strings.IndexByte(line, ':'); i >= 0 {
		return strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:]), true
	}
	return "", "", false
}

func endpointPort(endpoint string) int {
	i := strings.LastIndexByte(endpoint, ':')
	p := endpoint
	if i >= 0 {
		p = endpoint[i+1:]
	}
	n, err := strconv.Atoi(strings.TrimSpace(p))
	if err != nil || n < 0 || n > 65535 {
		return 0
	}
	return n
}
