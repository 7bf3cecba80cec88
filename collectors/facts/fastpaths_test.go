package facts

import (
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

// serviceKindSlow is ServiceKind for any name (the regular expression).
func serviceKindSlow(name string) (kind, version string) {
	lower := strings.ToLower(name)
	if m := serviceVersionRE.FindStringSubmatch(name); m != nil {
		version = m[2]
	}
	switch {
	case strings.HasPrefix(lower, "ssisscaleoutmaster"):
		return "master", version
	case strings.HasPrefix(lower, "ssisscaleoutworker"):
		return "worker", version
	case lower == "mssqlserver" || strings.HasPrefix(lower, "mssql$"):
		return "sql", ""
	case strings.HasPrefix(lower, "msdtsserver"):
		return "ssis", version
	case lower == "clussvc":
		return "cluster", ""
	}
	return "other", ""
}

func FuzzServiceKind(f *testing.F) {
	for _, s := range []string{"SSISScaleOutMaster160", "ssisscaleoutworker150", "SSISScaleOutMaster", "SSISScaleOutMaster16x",
		"MSSQLSERVER", "MSSQL$INST", "MsDtsServer160", "ClusSvc", "W32Time", "SSISScaleOutMaster1 ", "msdtsserver0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k1, v1 := ServiceKind(name)
		k2, v2 := serviceKindSlow(name)
		if k1 != k2 || v1 != v2 {
			t.Fatalf("%q: got %s %q, want %s %q", name, k1, v1, k2, v2)
		}
	})
}
