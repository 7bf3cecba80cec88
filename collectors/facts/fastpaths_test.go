package facts

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The settings reader's fast path gives what the token reader gives, or
// gives up.
func FuzzSettingsFastPath(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"PortNumber": 8391, "SSLCertThumbprint": "ab cd", "SqlServerName": "sql,1433"}`,
		"{\n  \"a\": 1.5,\n  \"b\": null,\n\n  \"c\": true, \"a\": -0, \"d\": 1e400, \"e\": 99999999999999999999\n}",
		`{"k\u00e9y": "C:\\Program Files\\x", "n": "\ud83d\ude00"}`, `{"a": {}}`, `{"a": [1]}`, `{"a":1,}`, `{"a":1} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return
		}
		fast, ok := readFlatJSONSettings(data)
		if !ok {
			return
		}
		slow, err := readJSONSettingsTokens(data)
		if err != nil {
			t.Fatalf("%q: fast path accepts, token reader: %v", data, err)
		}
		if len(fast) == 0 && len(slow) == 0 {
			return
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast %#v, token reader %#v", data, fast, slow)
		}
	})
}

func FuzzServiceKind(f *testing.F) {
	for _, s := range []string{"SSISScaleOutMaster160", "ssisscaleoutworker150", "SSISScaleOutMaster", "SSISScaleOutMaster16x",
		"MSSQLSERVER", "MSSQL$INST", "MsDtsServer160", "ClusSvc", "W32Time", "SSISScaleOutMaster1 ", "msdtsserver0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k1, v1 := ServiceKind(name)
		k2, v2 := serviceKindGeneral(name)
		if k1 != k2 || v1 != v2 {
			t.Fatalf("%q: got %s %q, want %s %q", name, k1, v1, k2, v2)
		}
	})
}

// parseNetshSlow and sectionStartSlow are ParseNetsh as it was (a copy
// of the whole text with CRLF replaced, a lower-case copy of every line).
func parseNetshSlow(text string) (map[string]*SSLBinding, error) {
	out := map[string]*SSLBinding{}
	if !utf8.ValidString(text) {
		return nil, errors.New("not netsh output: invalid UTF-8")
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var cur *SSLBinding
	sawHeader := false
	for i, raw := range lines {
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || strings.Trim(line, "-") == "" {
			continue
		}
		lower := strings.ToLower(line)
		if strings.HasPrefix(lower, "ssl certificate bindings") {
			sawHeader = true
			continue
		}
		kind, endpoint, isSection := sectionStartSlow(line, lower)
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
		switch strings.ToLower(k) {
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
func sectionStartSlow(line, lower string) (kind, endpoint string, ok bool) {
	for _, s := range []struct{ prefix, kind string }{
		{"ip:port", BindingIP},
		{"hostname:port", BindingHostname},
		{"central certificate store", BindingCCS},
	} {
		if strings.HasPrefix(lower, s.prefix) {
			rest := strings.TrimSpace(line[len(s.prefix):])
			rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
			return s.kind, rest, true
		}
	}
	return "", "", false
}

func FuzzParseNetshSame(f *testing.F) {
	for _, s := range []string{
		"\nSSL Certificate bindings:\n-------------------------\n\n    IP:port                      : 0.0.0.0:443\n    Certificate Hash             : f7bd\n    Application ID               : {4dc3}\n    Certificate Store Name       : My\n",
		"\uFEFFssl CERTIFICATE bindings:\r\n\r\n  HOSTNAME:PORT : a.b:8391\r\n  certificate HASH : (null)\r\n  Central Certificate Store : 443\r\n",
		"  İp:port : 1.2.3.4:1\n  Certİficate Hash : ab\n", "Kelvin \u212a\n ip:port : x:1\n", "IP:port :\n", "random text\r\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := ParseNetsh(text)
		want, werr := parseNetshSlow(text)
		if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("%q: error %v, want %v", text, err, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, want %#v", text, got, want)
		}
	})
}

func FuzzRDNSequenceFast(f *testing.F) {
	for _, n := range []pkix.Name{
		{CommonName: "ssismaster.contoso.com", Organization: []string{"Contoso"}, Country: []string{"US"}},
		{ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidCommonName, Value: "a"}, {Type: oidCommonName, Value: "b*&"}, {Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "x@y"}}},
		{CommonName: "é ünïcode", OrganizationalUnit: []string{"", "ou"}},
		{CommonName: " #lead, trail+ ", SerialNumber: "<1>;\\\"", ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: "com"},
			{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: "wild*card&é"},
			{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: strings.Repeat("long value ", 30)},
		}},
		{},
	} {
		der, err := asn1.Marshal(n.ToRDNSequence())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	// A multi-valued RDN.
	der, _ := asn1.Marshal(pkix.RDNSequence{{{Type: oidCommonName, Value: "a"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "o"}}})
	f.Add(der)
	f.Fuzz(func(t *testing.T, raw []byte) {
		fast, ok := rdnSequenceFast(raw)
		if !ok {
			return
		}
		var seq pkix.RDNSequence
		rest, err := asn1.Unmarshal(raw, &seq)
		if err != nil || len(rest) != 0 {
			t.Fatalf("%x: the fast parser accepts what encoding/asn1 refuses (%v, %d bytes left)", raw, err, len(rest))
		}
		if got, want := rdnString(fast), seq.String(); got != want {
			t.Fatalf("%x: got %q, want %q", raw, got, want)
		}
		if !reflect.DeepEqual(fmt.Sprint(fast), fmt.Sprint(seq)) {
			t.Fatalf("%x: got %v, want %v", raw, fast, seq)
		}
	})
}

// The names certificates have take the fast path.
func TestRDNSequenceFastCommon(t *testing.T) {
	n := pkix.Name{CommonName: "ssismaster.contoso.com", Organization: []string{"Contoso"}, Country: []string{"US"}}
	der, err := asn1.Marshal(n.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	seq, ok := rdnSequenceFast(der)
	if !ok {
		t.Fatal("rdnSequenceFast gives up on a plain name")
	}
	if got, want := seq.String(), "CN=ssismaster.contoso.com,O=Contoso,C=US"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// normalizeThumbprintUnicode handles every string; the ASCII path of
// NormalizeThumbprint must agree with it.
func FuzzNormalizeThumbprintASCII(f *testing.F) {
	for _, s := range []string{"ab:cd ef", "\u200eAB CD", "F7BDFAF4D2C739BC9C25B18A7B597005FBCD1DFB", "\x7f\x01\t{x}", "", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := NormalizeThumbprint(s), normalizeThumbprintUnicode(s); got != want {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
	})
}

// canonicalStoreSlow is canonicalStore as it was (a lower-case copy).
func canonicalStoreSlow(location, store string) string {
	switch strings.ToLower(location) {
	case "localmachine":
		location = "LocalMachine"
	case "currentuser":
		location = "CurrentUser"
	}
	for _, s := range []string{"My", "Root", "CA", "TrustedPeople", "TrustedPublisher", "AuthRoot", "Disallowed", "Trust", "Remote Desktop", "WebHosting"} {
		if strings.EqualFold(store, s) {
			store = s
		}
	}
	return location + "/" + store
}

func FuzzCanonicalStore(f *testing.F) {
	for _, s := range [][2]string{{"LocalMachine", "My"}, {"localmachine", "ROOT"}, {"CURRENTUSER", "ca"}, {"currentuſer", "My"}, {"LOCALMACHİNE", "x"}, {"", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, location, store string) {
		if got, want := canonicalStore(location, store), canonicalStoreSlow(location, store); got != want {
			t.Fatalf("%q %q: got %q, want %q", location, store, got, want)
		}
	})
}
