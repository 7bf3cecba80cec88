package facts

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func utf16LE(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = []byte{0xFF, 0xFE}
	}
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

func utf16BE(s string) []byte {
	out := []byte{0xFE, 0xFF}
	for _, r := range s {
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

const masterJSON = `{
  "PortNumber": 8391,
  "SSLCertThumbprint": "aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00",
  "SqlServerName": "aglsn.contoso.com,1433",
  "CleanupCompletedJobsIntervalInMs": 43200000,
  "DealWithExpiredTasksIntervalInMs": 300000,
  "MasterHeartbeatIntervalInMs": 30000,
  "SqlConnectionTimeoutInSecs": 15
}`

const workerJSON = `{
  "DisplayName": "",
  "MasterEndpoint": "https://ssismaster.contoso.com:8391",
  "MasterHttpsCertThumbprint": "AA11BB22CC33DD44EE55FF66AA77BB88CC99DD00",
  "WorkerHttpsCertThumbprint": "1234567890ABCDEF1234567890ABCDEF12345678",
  "StoreLocation": "LocalMachine",
  "StoreName": "My",
  "AgentHeartbeatInterval": "00:02:00",
  "HeartbeatErrorTollerance": "00:10:00",
  "LeaseInternval": "00:01:00",
  "TaskLogEnabled": true,
  "TaskRequestMaxCPU": 70.0,
  "AgentId": "6583054A-E915-4C2A-80E4-C765E79EF61D"
}`

func TestParseSettingsMaster(t *testing.T) {
	cases := []struct {
		name string
		data []byte
	}{
		{"plain", []byte(masterJSON)},
		{"bom", append([]byte{0xEF, 0xBB, 0xBF}, masterJSON...)},
		{"utf16le", utf16LE(masterJSON, true)},
		{"utf16le no bom", utf16LE(masterJSON, false)},
		{"utf16be", utf16BE(masterJSON)},
		{"crlf", []byte(strings.ReplaceAll(masterJSON, "\n", "\r\n"))},
		{"any case", []byte(strings.NewReplacer("PortNumber", "portnumber", "SSLCertThumbprint", "SslCertThumbPrint", "SqlServerName", "SQLSERVERNAME").Replace(masterJSON))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cf := ParseSettings(MasterSettingsFile, tc.data)
			if cf.ParseError != "" {
				t.Fatal(cf.ParseError)
			}
			if cf.Format != "json" || len(cf.UnknownKeys) != 0 || len(cf.MissingKeys) != 0 {
				t.Errorf("format %q unknown %v missing %v", cf.Format, cf.UnknownKeys, cf.MissingKeys)
			}
			m := cf.Master
			if m == nil || m.Port != 8391 || m.Thumbprint != "AA11BB22CC33DD44EE55FF66AA77BB88CC99DD00" ||
				m.SQLServer == nil || m.SQLServer.Host != "aglsn.contoso.com" || m.SQLServer.Port != 1433 || !m.SQLServer.HasPort ||
				m.HeartbeatIntervalMS != 30000 || m.SQLConnectTimeoutSecs != 15 {
				t.Errorf("master = %+v", m)
			}
			want := map[string]int{"PortNumber": 2, "SSLCertThumbprint": 3, "SqlServerName": 4, "SqlConnectionTimeoutInSecs": 8}
			for k, line := range want {
				if cf.Lines[k] != line {
					t.Errorf("line of %s = %d, want %d", k, cf.Lines[k], line)
				}
			}
		})
	}
}

func TestParseSettingsWorker(t *testing.T) {
	cf := ParseSettings(WorkerSettingsFile, []byte(workerJSON))
	if cf.ParseError != "" {
		t.Fatal(cf.ParseError)
	}
	if _, ok := cf.Settings["HeartbeatErrorTolerance"]; !ok {
		t.Error("older spelling HeartbeatErrorTollerance not mapped")
	}
	if cf.Settings["LeaseInterval"] != "00:01:00" || cf.Lines["LeaseInterval"] != 10 {
		t.Errorf("LeaseInternval not mapped: %v line %d", cf.Settings["LeaseInterval"], cf.Lines["LeaseInterval"])
	}
	if cf.Settings["TaskLogEnabled"] != true || cf.Settings["TaskRequestMaxCPU"] != float64(70) {
		t.Errorf("typed values: %#v %#v", cf.Settings["TaskLogEnabled"], cf.Settings["TaskRequestMaxCPU"])
	}
	w := cf.Worker
	if w == nil || w.MasterEndpoint == nil || !w.MasterEndpoint.Valid || w.MasterEndpoint.Host != "ssismaster.contoso.com" || w.MasterEndpoint.Port != 8391 {
		t.Fatalf("worker = %+v", w)
	}
	if w.AgentID != "6583054a-e915-4c2a-80e4-c765e79ef61d" || w.Store != "LocalMachine/My" || w.AgentHeartbeatSeconds != 120 || !w.AgentHeartbeatSpecified {
		t.Errorf("worker = %+v", w)
	}

	// Defaults and missing keys.
	cf = ParseSettings(WorkerSettingsFile, []byte(`{"MasterEndpoint": "http://ssismaster:8391", "Foo": 1, "AgentHeartbeatInterval": "1.00:00:00"}`))
	w = cf.Worker
	if w.MasterEndpoint.Valid || w.Store != "LocalMachine/My" || w.AgentHeartbeatSeconds != 86400 {
		t.Errorf("worker = %+v %+v", w, w.MasterEndpoint)
	}
	if !reflect.DeepEqual(cf.MissingKeys, []string{"MasterHttpsCertThumbprint", "WorkerHttpsCertThumbprint", "AgentId"}) {
		t.Errorf("missing = %v", cf.MissingKeys)
	}
	if !reflect.DeepEqual(cf.UnknownKeys, []string{"Foo"}) {
		t.Errorf("unknown = %v", cf.UnknownKeys)
	}
	cf = ParseSettings(WorkerSettingsFile, []byte(`{"AgentHeartbeatInterval": "soon"}`))
	if cf.Worker.AgentHeartbeatSeconds != 60 || cf.Worker.AgentHeartbeatSpecified || len(cf.Warnings) == 0 {
		t.Errorf("bad timespan: %+v %v", cf.Worker, cf.Warnings)
	}
	// Both spellings: the documented one wins.
	cf = ParseSettings(WorkerSettingsFile, []byte(`{"LeaseInterval": "00:02:00", "LeaseInternval": "00:09:00"}`))
	if cf.Settings["LeaseInterval"] != "00:02:00" || len(cf.Warnings) != 1 {
		t.Errorf("both spellings: %v %v", cf.Settings, cf.Warnings)
	}
}

func TestParseSettingsXML(t *testing.T) {
	xmlText := `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="PortNumber" value="8391" />
    <add key="sslcertthumbprint" value="aa 11 bb 22 cc 33 dd 44 ee 55 ff 66 aa 77 bb 88 cc 99 dd 00"/>
    <add
      key="SqlServerName" value="SQLFCI01\INST1"/>
  </appSettings>
</configuration>`
	for name, data := range map[string][]byte{"utf8": []byte(xmlText), "utf16": utf16LE(strings.Replace(xmlText, "utf-8", "utf-16", 1), true)} {
		cf := ParseSettings(MasterSettingsFile, data)
		if cf.ParseError != "" {
			t.Fatalf("%s: %s", name, cf.ParseError)
		}
		if cf.Format != "xml" || cf.Master.Port != 8391 || cf.Master.Thumbprint != "AA11BB22CC33DD44EE55FF66AA77BB88CC99DD00" ||
			cf.Master.SQLServer.Host != "sqlfci01" || cf.Master.SQLServer.Instance != "INST1" || cf.Master.SQLServer.HasPort {
			t.Errorf("%s: %+v %+v", name, cf.Master, cf.Master.SQLServer)
		}
		if cf.Lines["PortNumber"] != 4 || cf.Lines["SSLCertThumbprint"] != 5 || cf.Lines["SqlServerName"] != 6 {
			t.Errorf("%s: lines %v", name, cf.Lines)
		}
	}
}

func TestParseSettingsErrors(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"blank", []byte(" \r\n\t"), "empty file"},
		{"png", []byte("\x89PNG\r\n\x1a\n"), "not JSON or XML: first byte 0x89 at offset 0"},
		{"text", []byte("\n  PortNumber=8391"), "not JSON or XML: first byte 0x50 at offset 3"},
		{"array", []byte(`[{"PortNumber": 8391}]`), "JSON array"},
		{"truncated", []byte("{\n  \"PortNumber\": 8391,\n  \"SqlServerName\": "), "invalid JSON at line 3"},
		{"syntax", []byte("{\n  \"PortNumber\": 8391\n  \"SqlServerName\": \"x\"\n}"), "invalid JSON at line 3, column 3"},
		{"nested", []byte("{\n \"PortNumber\": {\"value\": 8391}\n}"), `key "PortNumber" at line 2: got an object`},
		{"nested array", []byte(`{"SqlServerName": ["a"]}`), "got an array"},
		{"invalid utf8", []byte("{\n\"SqlServerName\": \"a\xff\"}"), "invalid UTF-8 at line 2"},
		{"trailing", []byte(`{"PortNumber": 1} x`), "data after the closing brace"},
		{"deep", []byte(`{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`), "nested more than"},
		{"xml not well-formed", []byte("<configuration><appSettings><add key='a' value='b'></appSettings></configuration>"), "invalid XML at line 1"},
		{"xml no appSettings", []byte("<configuration><x/></configuration>"), "without an <appSettings>"},
		{"xml add without key", []byte("<configuration><appSettings><add value='b'/></appSettings></configuration>"), "without a key"},
		{"xml two roots", []byte("<a></a><b></b>"), "more than one root"},
		{"odd utf16", []byte{0xFF, 0xFE, '{'}, "odd number of bytes"},
		{"nul", []byte("{\"a\": \"\x00\"}"), "invalid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cf := ParseSettings(MasterSettingsFile, tc.data)
			if !strings.Contains(cf.ParseError, tc.want) {
				t.Errorf("ParseError = %q, want containing %q", cf.ParseError, tc.want)
			}
			if cf.Master != nil || len(cf.Settings) != 0 {
				t.Errorf("settings kept after a parse error: %+v", cf.Settings)
			}
		})
	}
}

func TestParseSettingsMissingKeys(t *testing.T) {
	cf := ParseSettings(MasterSettingsFile, []byte(`{"PortNumber": "8391", "SSLCertThumbprint": "  ", "InstanceName": "X"}`))
	if cf.ParseError != "" {
		t.Fatal(cf.ParseError)
	}
	if !reflect.DeepEqual(cf.MissingKeys, []string{"SSLCertThumbprint", "SqlServerName"}) {
		t.Errorf("missing = %v", cf.MissingKeys)
	}
	if cf.Master.Port != 8391 || cf.Master.SQLServer != nil || cf.Master.HeartbeatIntervalMS != 30000 {
		t.Errorf("master = %+v", cf.Master)
	}
	if !reflect.DeepEqual(cf.UnknownKeys, []string{"InstanceName"}) {
		t.Errorf("unknown = %v", cf.UnknownKeys)
	}
}

func TestNormalizeThumbprint(t *testing.T) {
	for in, want := range map[string]string{
		"aa11bb":                   "AA11BB",
		"\u200eAA 11 bb\u200f":     "AA11BB",
		"aa:11:bb":                 "AA11BB",
		"\ufeffaa\u200b11\t\r\nbb": "AA11BB",
		"zz11":                     "ZZ11",
		"":                         "",
	} {
		if got := NormalizeThumbprint(in); got != want {
			t.Errorf("NormalizeThumbprint(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSQLEndpoint(t *testing.T) {
	cases := []struct {
		in   string
		want Endpoint
	}{
		{"aglsn.contoso.com,1433", Endpoint{Host: "aglsn.contoso.com", Port: 1433, HasPort: true}},
		{"AGLSN:14330", Endpoint{Host: "aglsn", Port: 14330, HasPort: true}},
		{"SQLFCI01", Endpoint{Host: "sqlfci01", Port: 1433}},
		{`SQLFCI01\INST1`, Endpoint{Host: "sqlfci01", Instance: "INST1", Port: 1433}},
		{`SQLFCI01\INST1,50000`, Endpoint{Host: "sqlfci01", Instance: "INST1", Port: 50000, HasPort: true}},
		{"tcp:aglsn, 1433 ", Endpoint{Host: "aglsn", Port: 1433, HasPort: true}},
		{"TCP:10.0.0.5,1500", Endpoint{Host: "10.0.0.5", Port: 1500, HasPort: true}},
		{"[fe80::1]:1500", Endpoint{Host: "fe80::1", Port: 1500, HasPort: true}},
		{"aglsn,abc", Endpoint{Host: "aglsn", Port: 0, HasPort: true}},
		{"aglsn,99999", Endpoint{Host: "aglsn", Port: 0, HasPort: true}},
		{"", Endpoint{Port: 1433}},
	}
	for _, tc := range cases {
		got := ParseSQLEndpoint(tc.in)
		tc.want.Raw = tc.in
		if got != tc.want {
			t.Errorf("ParseSQLEndpoint(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseTimeSpan(t *testing.T) {
	for in, want := range map[string]int{"00:01:00": 60, "00:00:10": 10, "7.00:00:00": 604800, "1.02:03:04": 93784, "00:00:01.5": 1} {
		if got, ok := ParseTimeSpan(in); !ok || got != want {
			t.Errorf("ParseTimeSpan(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "60", "00:60:00", "a:b:c", "1:2"} {
		if _, ok := ParseTimeSpan(in); ok {
			t.Errorf("ParseTimeSpan(%q) accepted", in)
		}
	}
}

const netshSample = "\r\n" +
	"SSL Certificate bindings:\r\n" +
	"-------------------------\r\n" +
	"\r\n" +
	"    IP:port                      : 0.0.0.0:8391\r\n" +
	"    Certificate Hash             : 3c2a9f1e0b7d4c5a6e8f9a0b1c2d3e4f5a6b7c8d\r\n" +
	"    Application ID               : {b8c9b4e5-2f1a-4c6e-9d3b-7a8f6e5d4c3b}\r\n" +
	"    Certificate Store Name       : Root\r\n" +
	"    Verify Client Certificate Revocation : Enabled\r\n" +
	"    Verify Revocation Using Cached Client Certificate Only : Disabled\r\n" +
	"    Usage Check                  : Enabled\r\n" +
	"    Revocation Freshness Time    : 0\r\n" +
	"    URL Retrieval Timeout        : 0\r\n" +
	"    Ctl Identifier               : (null)\r\n" +
	"    Ctl Store Name               : (null)\r\n" +
	"    DS Mapper Usage              : Disabled\r\n" +
	"    Negotiate Client Certificate : Disabled\r\n" +
	"    Reject Connections           : Disabled\r\n" +
	"    Disable HTTP2                : Not Set\r\n" +
	"\r\n" +
	"    IP:port                      : [::]:443\r\n" +
	"    Certificate Hash             : 1111111111111111111111111111111111111111\r\n" +
	"    Application ID               : {4dc3e181-e14b-4a21-b022-59fc669b0914}\r\n" +
	"    Certificate Store Name       : MY\r\n" +
	"\r\n" +
	"    Hostname:port                : ssismaster.contoso.com:8391\r\n" +
	"    Certificate Hash:2222222222222222222222222222222222222222\r\n" +
	"    Application ID               : {b8c9b4e5-2f1a-4c6e-9d3b-7a8f6e5d4c3b}\r\n" +
	"    Certificate Store Name       : My\r\n" +
	"\r\n" +
	"    Central Certificate Store    : 8443\r\n" +
	"    Certificate Hash             : (null)\r\n" +
	"    Application ID               : {00000000-0000-0000-0000-000000000000}\r\n" +
	"    Certificate Store Name       : (null)\r\n" +
	"\r\n"

func TestParseNetsh(t *testing.T) {
	got, err := ParseNetsh(netshSample)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*SSLBinding{
		"0.0.0.0:8391": {Endpoint: "0.0.0.0:8391", Kind: "ip", Port: 8391, CertificateHash: "3C2A9F1E0B7D4C5A6E8F9A0B1C2D3E4F5A6B7C8D",
			StoreName: "Root", ApplicationID: "{b8c9b4e5-2f1a-4c6e-9d3b-7a8f6e5d4c3b}", Line: 5},
		"[::]:443": {Endpoint: "[::]:443", Kind: "ip", Port: 443, CertificateHash: "1111111111111111111111111111111111111111",
			StoreName: "MY", ApplicationID: "{4dc3e181-e14b-4a21-b022-59fc669b0914}", Line: 21},
		"ssismaster.contoso.com:8391": {Endpoint: "ssismaster.contoso.com:8391", Kind: "hostname", Port: 8391,
			CertificateHash: "2222222222222222222222222222222222222222", StoreName: "My", ApplicationID: "{b8c9b4e5-2f1a-4c6e-9d3b-7a8f6e5d4c3b}", Line: 26},
		"ccs:8443": {Endpoint: "8443", Kind: "ccs", Port: 8443, ApplicationID: "{00000000-0000-0000-0000-000000000000}", Line: 31},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d bindings: %v", len(got), slices.Sorted(maps.Keys(got)))
	}
	for k, w := range want {
		if g := got[k]; g == nil || *g != *w {
			t.Errorf("%s: got %+v, want %+v", k, g, w)
		}
	}
	// LF only and no bindings.
	if got, err := ParseNetsh(strings.ReplaceAll(netshSample, "\r\n", "\n")); err != nil || len(got) != 4 {
		t.Errorf("LF: %d, %v", len(got), err)
	}
	if got, err := ParseNetsh("\nSSL Certificate bindings:\n-------------------------\n\n"); err != nil || len(got) != 0 {
		t.Errorf("empty: %v, %v", got, err)
	}
	if got, err := ParseNetsh(""); err != nil || len(got) != 0 {
		t.Errorf("empty text: %v, %v", got, err)
	}
	if _, err := ParseNetsh("SSL-Zertifikatbindungen:\n    IP-Adresse:Port : 0.0.0.0:8391\n"); err == nil {
		t.Error("German output accepted")
	}
	if _, err := ParseNetsh(netshSample + "    IP:port : 0.0.0.0:8391\n"); err == nil {
		t.Error("duplicate binding accepted")
	}
}

func FuzzParseSettings(f *testing.F) {
	f.Add("MasterSettings.config", []byte(masterJSON))
	f.Add("WorkerSettings.config", []byte(workerJSON))
	f.Add("MasterSettings.config", []byte(`<configuration><appSettings><add key="PortNumber" value="1"/></appSettings></configuration>`))
	f.Add("WorkerSettings.config", utf16LE(workerJSON, true))
	f.Add("x", []byte{0x89, 'P', 'N', 'G'})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		cf := ParseSettings(name, data)
		if cf == nil || cf.Settings == nil || cf.Lines == nil || cf.UnknownKeys == nil || cf.MissingKeys == nil {
			t.Fatal("nil result or nil collections")
		}
		if cf.ParseError != "" && len(cf.Settings) != 0 {
			t.Fatal("settings with a parse error")
		}
	})
}

func FuzzParseNetsh(f *testing.F) {
	f.Add(netshSample)
	f.Add("IP:port : 0.0.0.0:8391\nCertificate Hash : ab")
	f.Add("Hostname:port:")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ParseNetsh(text)
		if err == nil && m == nil {
			t.Fatal("nil map without error")
		}
	})
}

func FuzzParseSQLEndpoint(f *testing.F) {
	for _, s := range []string{"aglsn,1433", `a\b,1`, "tcp:x:1", "[::1]:5", "", ","} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := ParseSQLEndpoint(s)
		if e.Raw != s || e.Port < 0 || e.Port > 65535 || (!e.HasPort && e.Port != 1433) {
			t.Fatalf("%q -> %+v", s, e)
		}
	})
}
