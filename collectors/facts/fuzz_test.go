package facts

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/pem"
	"math"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/internal/connstr"
)

// FuzzParseCertificate: any bytes give a certificate or an error; a parsed
// certificate's thumbprint is the SHA-1 of its DER.
func FuzzParseCertificate(f *testing.F) {
	c := makeCert(f, certSpec{cns: []string{"ssismaster.contoso.com", "SQLN1"}, dns: []string{"ssismaster"}})
	f.Add(c.der)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der}))
	f.Add(c.der[:len(c.der)/2])
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nbm90\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseCertificate(data)
		if err != nil {
			if got != nil {
				t.Fatal("certificate and error")
			}
			return
		}
		if len(got.Thumbprint) != 40 || got.CNs == nil || got.SANDNS == nil || got.PrivateKeyReaders == nil {
			t.Fatalf("incomplete certificate %+v", got)
		}
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")) {
			return
		}
		sum := sha1.Sum(data)
		if want := strings.ToUpper(hex.EncodeToString(sum[:])); got.Thumbprint != want {
			t.Fatalf("thumbprint %s, want %s", got.Thumbprint, want)
		}
	})
}

// FuzzCertSidecar: a real certificate with a fuzzed sidecar in a one-node
// bundle. Normalize returns facts or an error naming the sidecar.
func FuzzCertSidecar(f *testing.F) {
	c := makeCert(f, certSpec{cns: []string{"ssismaster.contoso.com"}})
	dir := "nodes/N1/certs/LocalMachine/Root/" + c.thumb
	manifest := []byte(`{"format": "ssis-ha-lint-bundle", "version": 1, "deployment": {"variant": "ag"},
		"nodes": [{"name": "N1", "roles": ["master"], "collected": true}]}`)
	f.Add([]byte(`{"Store": "LocalMachine\\Root", "HasPrivateKey": true, "FriendlyName": "", "PrivateKeyReaders": ["CONTOSO\\svc"]}`))
	f.Add([]byte(`{"HasPrivateKey": 1, "PrivateKeyReaders": "one"}`))
	f.Add([]byte(`{"HasPrivateKey": "yes"}`))
	f.Add([]byte(`{"FriendlyName": {"Name": {"Name": 5}}, "PrivateKeyReaders": [null, 1, {"Name": "x"}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Add([]byte("\xff\xfe{\x00}\x00"))
	f.Fuzz(func(t *testing.T, sidecar []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, data := range map[string][]byte{"bundle.json": manifest, dir + ".cer": c.der, dir + ".json": sidecar} {
			w, _ := zw.Create(name)
			w.Write(data)
		}
		zw.Close()
		b, err := bundle.FromZip("fuzz.zip", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Normalize(b)
		if err != nil {
			if !strings.Contains(err.Error(), dir+".json") {
				t.Fatalf("error does not name the sidecar: %v", err)
			}
			return
		}
		got := d.Nodes["N1"].Certs["LocalMachine/Root"][c.thumb]
		if got == nil || got.SidecarMissing || got.PrivateKeyReaders == nil {
			t.Fatalf("certificate %+v", got)
		}
	})
}

// fixedText is the text the fuzz target puts around the password, lower-cased.
const fixedText = "; password = pwd=;integrated security=false connect: "

// FuzzRedactConnString: a password appended to any connection-string
// prefix never survives redaction.
func FuzzRedactConnString(f *testing.F) {
	for _, s := range []string{
		"Data Source=aglsn.contoso.com,1433;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##",
		`Data Source="a;b"`, `Data Source='a`, "Data Source={a", "Pwd", "Password=", "x=y;;;", "",
	} {
		f.Add(s, "Pl4nted-Secret-1")
	}
	f.Add("0", "ASS")                // regression: a value inside the key name is not a leak
	f.Add(`Data Source="a`, "could") // regression: a word of the withheld message is not a leak
	f.Fuzz(func(t *testing.T, prefix, password string) {
		if len(password) < 3 || strings.ContainsAny(password, `;"'{}=`) || strings.TrimFunc(password, unicode.IsSpace) != password ||
			strings.Contains(prefix, password) || strings.Contains(Redacted, password) || strings.Contains(password, Redacted) || strings.Contains(strings.ToLower(connstr.Withheld), strings.ToLower(password)) ||
			strings.Contains(fixedText, strings.ToLower(password)) {
			return // the "password" is part of the text around it (e.g. "ASS" in "PASSWORD"): nothing to find
		}
		for _, key := range []string{"Password", "pwd", " PASSWORD "} {
			in := prefix + ";" + key + "=" + password + ";Integrated Security=False"
			if out := RedactConnString(in); strings.Contains(out, password) {
				t.Fatalf("RedactConnString(%q) = %q keeps the password", in, out)
			}
		}
		if out := RedactText("connect: " + prefix + ";Password=" + password); strings.Contains(out, "Password="+password) {
			t.Fatalf("RedactText kept %q", out)
		}
		// idempotent
		once := RedactConnString(prefix)
		if twice := RedactConnString(once); twice != once && !strings.HasPrefix(once, Redacted) {
			t.Fatalf("not idempotent: %q -> %q -> %q", prefix, once, twice)
		}
	})
}

// FuzzParseValues: the small value parsers (URLs, .NET time spans, times)
// never panic; a parsed time's nanoseconds agree with its text and stay
// ordered at the ends of the range (no wrap-around).
func FuzzParseValues(f *testing.F) {
	for _, s := range []string{
		"https://ssismaster.contoso.com:8391", "http://[::1]:0/x", "https://a:99999", "%zz", "",
		"00:01:00", "1.02:03:04.5", "-00:00:01", "99999999999.00:00:00", "00:00:NaN",
		"2026-11-27T10:00:00Z", "/Date(1795600000000)/", "/Date(99999999999999999)/", "9999-12-31T23:59:59Z",
		"0001-01-01T00:00:00Z", "2026-11-20 09:59:38.6190000 +00:00", "/Date(-1+0100)/", "/Date()/",
	} {
		f.Add(s)
	}
	const y2262 = int64(9214646400) * 1e9 // 2262-01-01T00:00:00Z
	f.Fuzz(func(t *testing.T, s string) {
		u := ParseURL(s)
		if u.Raw != s || (u.Valid && (u.Scheme != "https" || u.Host == "" || u.Port < 0 || u.Port > 65535)) {
			t.Fatalf("ParseURL(%q) = %+v", s, u)
		}
		if secs, ok := ParseTimeSpan(s); ok && (secs > 1e6*86400+86400 || secs < -(1e6*86400+86400)) {
			t.Fatalf("ParseTimeSpan(%q) = %d", s, secs)
		}
		str, ns, ok := parseTime(s)
		if !ok {
			return
		}
		back, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			if strings.HasPrefix(str, "-") || len(str) > 0 && str[0] >= '1' && len(strings.SplitN(str, "-", 2)[0]) > 4 {
				return // a year beyond 9999 has no RFC 3339 form
			}
			t.Fatalf("parseTime(%q) = %q: %v", s, str, err)
		}
		switch y := back.Year(); {
		case y >= 2262:
			if ns != math.MaxInt64 {
				t.Fatalf("parseTime(%q): year %d, ns %d, want the maximum", s, y, ns)
			}
		case y < 1678:
			if ns != math.MinInt64 {
				t.Fatalf("parseTime(%q): year %d, ns %d, want the minimum", s, y, ns)
			}
		default:
			if ns != back.UnixNano() || ns >= y2262 {
				t.Fatalf("parseTime(%q) = %q, %d", s, str, ns)
			}
		}
	})
}
