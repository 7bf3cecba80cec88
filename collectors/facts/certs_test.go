package facts

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

func TestParseCertificate(t *testing.T) {
	ca := makeCert(t, certSpec{cns: []string{"Contoso CA"}, isCA: true})
	multi := makeCert(t, certSpec{cns: []string{"SSISMASTER", "ssismaster.contoso.com", "sqln1"}, dns: []string{"ssismaster.contoso.com"}})
	leaf := makeCert(t, certSpec{cns: []string{"wrk1"}, issuer: ca.cert, issuerKy: ca.key})
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: multi.der})

	// A subject whose issuer DN equals its own but signed by another key is
	// still "self-signed" by the DN rule (RawIssuer == RawSubject).
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Contoso CA", Organization: []string{"Contoso"}},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	sameDN, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &leaf.key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name       string
		data       []byte
		thumb      string
		cns, sans  []string
		selfSigned bool
	}{
		{"several CNs and SANs (DER)", multi.der, multi.thumb, []string{"SSISMASTER", "ssismaster.contoso.com", "sqln1"}, []string{"ssismaster.contoso.com"}, true},
		{"PEM", pemBytes, multi.thumb, []string{"SSISMASTER", "ssismaster.contoso.com", "sqln1"}, []string{"ssismaster.contoso.com"}, true},
		{"PEM with CRLF and leading blank", append([]byte("\r\n"), bytes.ReplaceAll(pemBytes, []byte("\n"), []byte("\r\n"))...), multi.thumb, []string{"SSISMASTER", "ssismaster.contoso.com", "sqln1"}, []string{"ssismaster.contoso.com"}, true},
		{"issued by a CA", leaf.der, leaf.thumb, []string{"wrk1"}, []string{}, false},
		{"CA", ca.der, ca.thumb, []string{"Contoso CA"}, []string{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCertificate(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if c.Thumbprint != tc.thumb || !reflect.DeepEqual(c.CNs, tc.cns) || !reflect.DeepEqual(c.SANDNS, tc.sans) || c.SelfSigned != tc.selfSigned {
				t.Errorf("got %+v", c)
			}
			if c.NotBeforeNS == 0 || c.NotAfterNS <= c.NotBeforeNS || c.SignatureAlgorithm != "ECDSA-SHA256" || c.SerialNumber == "" {
				t.Errorf("validity/serial: %+v", c)
			}
		})
	}
	if c, err := ParseCertificate(sameDN); err != nil || c.SelfSigned == false {
		t.Errorf("same DN: %+v %v", c, err)
	}
	for name, data := range map[string][]byte{
		"text":     []byte("hello"),
		"empty":    nil,
		"PEM key":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}),
		"bad PEM":  []byte("-----BEGIN CERTIFICATE-----\n!!!\n"),
		"cut DER":  multi.der[:len(multi.der)/2],
		"PEM junk": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 1, 2, 3}}),
	} {
		if _, err := ParseCertificate(data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzNormalize replaces one artifact of a realistic bundle with fuzzed
// bytes: Normalize must return facts or an error, never panic, and the facts
// must validate.
func FuzzNormalize(f *testing.F) {
	fx := newFixture(f)
	names := make([]string, 0, len(fx.files))
	for n := range fx.files {
		if n != "bundle.json" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	f.Add(uint16(0), []byte(`{}`))
	f.Add(uint16(3), []byte(`[]`))
	f.Add(uint16(5), []byte("\x89PNG"))
	f.Add(uint16(7), []byte(`{"columns":["a"],"rows":[[1,2]]}`))
	f.Add(uint16(11), []byte(`null`))
	f.Add(uint16(13), []byte(`[{"Artifact":null,"Error":5}]`))
	sch := validator(f)
	f.Fuzz(func(t *testing.T, idx uint16, data []byte) {
		target := names[int(idx)%len(names)]
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, content := range fx.files {
			if name == target {
				content = data
			}
			w, _ := zw.Create(name)
			w.Write(content)
		}
		zw.Close()
		b, err := bundle.FromZip("fuzz.zip", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Normalize(b)
		if err != nil {
			if !strings.Contains(err.Error(), target) {
				t.Errorf("error does not name %s: %v", target, err)
			}
			return
		}
		validate(t, sch, d)
	})
}

func TestSubjectKeepsEveryCN(t *testing.T) {
	c := makeCert(t, certSpec{cns: []string{"ssismaster.contoso.com", "SQLN1", "SQLN2"}})
	got, err := ParseCertificate(c.der)
	if err != nil {
		t.Fatal(err)
	}
	for _, cn := range []string{"CN=ssismaster.contoso.com", "CN=SQLN1", "CN=SQLN2", "O=Contoso"} {
		if !strings.Contains(got.Subject, cn) || !strings.Contains(got.Issuer, cn) {
			t.Errorf("subject %q / issuer %q lack %s", got.Subject, got.Issuer, cn)
		}
	}
}
