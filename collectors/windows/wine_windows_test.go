//go:build windows

package windows

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/facts"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
	"golang.org/x/sys/windows"
)

// TestWineSeeded runs the real Win32 collector against a prefix seeded by
// testdata/wine-test.sh (services, registry values, config files); it seeds
// the certificates itself. It writes to LocalMachine stores, so it only runs
// when SSIS_HA_LINT_WINE=1.
func TestWineSeeded(t *testing.T) {
	if os.Getenv("SSIS_HA_LINT_WINE") != "1" {
		t.Skip("set SSIS_HA_LINT_WINE=1 in a seeded Wine prefix (testdata/wine-test.sh)")
	}
	type seeded struct {
		store, cn string
		key       bool
	}
	want := map[string]seeded{}
	for _, s := range []seeded{
		{"My", "ssismaster.contoso.com", true},
		{"My", "no-key.contoso.com", false},
		{"Root", "SSIS Scale Out Worker - WRK1", false},
		{"Root", "root-with-key.contoso.com", true},
		{"SSISWorker", "wrk1.contoso.com", true},
	} {
		der := makeCert(t, s.cn)
		addCert(t, s.store, der, s.key)
		want[nodebundle.Cert{DER: der}.Thumbprint()] = s
	}
	if pfx := os.Getenv("SSIS_HA_LINT_WINE_PFX"); pfx != "" {
		tp := importPFX(t, pfx, "test", "My")
		t.Logf("imported PFX %s into My", tp)
		want[tp] = seeded{"My", "pfx.contoso.com", true}
	}

	out := testDir(t)
	dir, a, err := CollectLocal(context.Background(), out, Options{CommandTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range a.Errors {
		t.Logf("errors.json: %s: %s", e.Artifact, e.Error)
	}
	t.Logf("host: %+v", a.Host)
	if a.Host == nil || a.Host.ComputerName == "" || a.Name != strings.ToUpper(a.Host.ComputerName) {
		t.Errorf("host %+v", a.Host)
	}

	// services, with the logon accounts given to `sc create ... obj=`
	svc := map[string]nodebundle.Service{}
	for _, s := range a.Services {
		svc[s.Name] = s
	}
	if s := svc["SSISScaleOutWorker150"]; s.StartName != `CONTOSO\svc-wrk` || s.StartMode != "Auto" || s.State != "Stopped" ||
		!strings.Contains(s.PathName, "notepad.exe") || s.DisplayName != "SQL Server Integration Services Scale Out Worker 15.0" {
		t.Errorf("worker service %+v", s)
	}
	if s := svc["SSISScaleOutMaster150"]; s.StartName != `CONTOSO\svc-ssis` || s.StartMode != "Manual" {
		t.Errorf("master service %+v", s)
	}
	if _, ok := svc["W32TimeDecoy"]; ok {
		t.Error("unrelated service collected")
	}

	// registry
	sch := a.Registry[nodebundle.SchannelKey]
	if sch["SendTrustedIssuerList"] != uint64(0) || sch["ClientAuthTrustMode"] != uint64(2) {
		t.Errorf("SCHANNEL %v", sch)
	}
	for _, f := range []string{"SQL_IS_Master", "SQL_IS_Worker"} {
		if v := a.Registry[nodebundle.SetupKey("150", f)]["Version"]; v != "15.0.2000.5" {
			t.Errorf("%s Version %v", f, v)
		}
	}

	// config files, byte for byte
	pf := os.Getenv("ProgramFiles")
	for _, name := range []string{"MasterSettings.config", "WorkerSettings.config"} {
		src, err := os.ReadFile(filepath.Join(pf, "Microsoft SQL Server", "150", "DTS", "Binn", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "files", name))
		if err != nil || string(got) != string(src) {
			t.Errorf("%s: %q %v", name, got, err)
		}
	}
	var files []nodebundle.File
	readJSONFile(t, filepath.Join(dir, "files.json"), &files)
	if len(files) != 2 || !strings.HasSuffix(files[0].Path, `\150\DTS\Binn\MasterSettings.config`) || files[0].LastWriteUtc == "" {
		t.Errorf("files.json %+v", files)
	}

	// certificates: the seeded ones, with key presence, in their stores
	for tp, s := range want {
		p := filepath.Join(dir, "certs", "LocalMachine", s.store, tp)
		der, err := os.ReadFile(p + ".cer")
		if err != nil {
			t.Errorf("%s (%s) not collected from %s: %v", tp, s.cn, s.store, err)
			continue
		}
		c, err := x509.ParseCertificate(der)
		if err != nil || c.Subject.CommonName != s.cn {
			t.Errorf("%s: CN %v %v", tp, c, err)
		}
		var side nodebundle.Sidecar
		readJSONFile(t, p+".json", &side)
		if side.HasPrivateKey != s.key || side.Store != `LocalMachine\`+s.store {
			t.Errorf("%s (%s): sidecar %+v, want key %v", tp, s.cn, side, s.key)
		}
	}
	// the bundle reader and the facts normalizer see the seeded values
	manifest := `{"format": "ssis-ha-lint-bundle", "version": 1, "created_utc": "2026-11-27T10:00:00Z", "tool_version": "test",
  "deployment": {"variant": "ag"}, "nodes": [{"name": "` + a.Name + `", "roles": ["master", "worker"], "collected": true}], "sql": []}`
	if err := os.WriteFile(filepath.Join(out, "bundle.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := facts.Normalize(b)
	if err != nil {
		t.Fatal(err)
	}
	fn := doc.Nodes[a.Name]
	if fn == nil {
		t.Fatalf("facts have no node %s", a.Name)
	}
	if s := fn.Services["SSISScaleOutWorker150"]; s == nil || s.StartName != `CONTOSO\svc-wrk` || s.Kind != "worker" {
		t.Errorf("facts: worker service %+v", s)
	}
	for tp, s := range want {
		c := fn.Certs["LocalMachine/"+s.store][tp]
		if c == nil || len(c.CNs) == 0 || c.CNs[0] != s.cn || c.HasPrivateKey == nil || *c.HasPrivateKey != s.key {
			t.Errorf("facts: %s in %s: %+v", tp, s.store, c)
		}
	}
	if m := fn.Configs.Master; m == nil || m.Master == nil || m.Master.Port != 8391 || m.Master.Thumbprint != "AA11BB22CC33DD44EE55FF66AA77BB88CC99DD00" {
		t.Errorf("facts: master config %+v", m)
	}
	if w := fn.Configs.Worker; w == nil || w.ParseError != "" || w.Settings["StoreName"] != "SSISWorker" {
		t.Errorf("facts: worker config %+v", w)
	}

	// no private key material anywhere in the node directory
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), "PRIVATE KEY") {
				t.Errorf("%s holds key material", p)
			}
		}
		return nil
	})
}

func readJSONFile(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

func makeCert(t *testing.T, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sn, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: sn, Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

var procCertSetCertificateContextProperty = crypt32.NewProc("CertSetCertificateContextProperty")

// cryptKeyProvInfo is CRYPT_KEY_PROV_INFO.
type cryptKeyProvInfo struct {
	ContainerName *uint16
	ProvName      *uint16
	ProvType      uint32
	Flags         uint32
	ProvParamN    uint32
	ProvParams    uintptr
	KeySpec       uint32
}

func openWritable(t *testing.T, store string) windows.Handle {
	t.Helper()
	sp, _ := windows.UTF16PtrFromString(store)
	h, err := windows.CertOpenStore(windows.CERT_STORE_PROV_SYSTEM, 0, 0, windows.CERT_SYSTEM_STORE_LOCAL_MACHINE, uintptr(unsafe.Pointer(sp)))
	if err != nil {
		t.Fatalf("open %s for writing: %v", store, err)
	}
	return h
}

// addCert adds a certificate to LocalMachine\<store>; with key, it also sets
// CERT_KEY_PROV_INFO_PROP_ID (what "has a private key" means to Windows).
func addCert(t *testing.T, store string, der []byte, key bool) {
	t.Helper()
	h := openWritable(t, store)
	defer windows.CertCloseStore(h, 0)
	ctx, err := windows.CertCreateCertificateContext(windows.X509_ASN_ENCODING|windows.PKCS_7_ASN_ENCODING, &der[0], uint32(len(der)))
	if err != nil {
		t.Fatal(err)
	}
	defer windows.CertFreeCertificateContext(ctx)
	var stored *windows.CertContext
	if err := windows.CertAddCertificateContextToStore(h, ctx, windows.CERT_STORE_ADD_REPLACE_EXISTING, &stored); err != nil {
		t.Fatalf("add to %s: %v", store, err)
	}
	defer windows.CertFreeCertificateContext(stored)
	if !key {
		return
	}
	cont, _ := windows.UTF16PtrFromString("ssis-ha-lint-test-" + store)
	prov, _ := windows.UTF16PtrFromString("Microsoft Enhanced RSA and AES Cryptographic Provider")
	info := cryptKeyProvInfo{ContainerName: cont, ProvName: prov, ProvType: 24, Flags: 0x20, KeySpec: 1}
	r, _, e := procCertSetCertificateContextProperty.Call(uintptr(unsafe.Pointer(stored)), certKeyProvInfoPropID, 0, uintptr(unsafe.Pointer(&info)))
	if r == 0 {
		t.Fatalf("set key info: %v", e)
	}
}

// importPFX imports a PFX (with its key, flags 0: CRYPT_MACHINE_KEYSET loses
// the key under Wine) and copies its certificate into LocalMachine\<store>.
func importPFX(t *testing.T, path, password, store string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := windows.UTF16PtrFromString(password)
	blob := windows.CryptDataBlob{Size: uint32(len(b)), Data: &b[0]}
	mem, err := windows.PFXImportCertStore(&blob, pw, 0)
	if err != nil {
		t.Fatalf("PFXImportCertStore: %v", err)
	}
	defer windows.CertCloseStore(mem, 0)
	ctx, err := windows.CertEnumCertificatesInStore(mem, nil)
	if err != nil || ctx == nil {
		t.Fatalf("PFX has no certificate: %v", err)
	}
	defer windows.CertFreeCertificateContext(ctx)
	if _, ok, _ := certProperty(ctx, certKeyProvInfoPropID); !ok {
		t.Fatal("the imported PFX certificate has no key provider info")
	}
	h := openWritable(t, store)
	defer windows.CertCloseStore(h, 0)
	if err := windows.CertAddCertificateContextToStore(h, ctx, windows.CERT_STORE_ADD_REPLACE_EXISTING, nil); err != nil {
		t.Fatal(err)
	}
	der := unsafe.Slice(ctx.EncodedCert, ctx.Length)
	return nodebundle.Cert{DER: append([]byte(nil), der...)}.Thumbprint()
}
