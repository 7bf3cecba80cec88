package bundlegen

import (
	"crypto/ed25519"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
)

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// CertSpec defines one certificate. Keys derive from Seed, so the same spec
// always gives the same DER.
type CertSpec struct {
	Seed string
	// CNs are written as one CN RDN each, in this order (SSIS setup and
	// MakeCert -n "CN=a;CN=b" make several).
	CNs []string
	// Org and DC are extra subject attributes (CAs).
	Org []string
	DC  []string // written as DC RDNs, most significant last: {"contoso","com"}
	SAN []string
	// Serial is the serial number (hex digits).
	Serial    string
	NotBefore time.Time
	NotAfter  time.Time
	IsCA      bool
	// ServerAuth / ClientAuth set the extended key usages.
	ServerAuth bool
	ClientAuth bool
	// Issuer is the key of the issuing CA in Spec.Certs; "" = self-signed.
	Issuer string
}

func certKey(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(seed))
	return ed25519.NewKeyFromSeed(s[:])
}

func (c *CertSpec) subject() pkix.Name {
	var n pkix.Name
	// DC first (most significant: com), then O, then the CNs.
	for i := len(c.DC) - 1; i >= 0; i-- {
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{
			Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: c.DC[i]})
	}
	for _, o := range c.Org {
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{
			Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: o})
	}
	for _, cn := range c.CNs {
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: oidCommonName, Value: cn})
	}
	return n
}

func (c *CertSpec) template() *x509.Certificate {
	serial, ok := new(big.Int).SetString(c.Serial, 16)
	if !ok {
		panic("bundlegen: bad serial " + c.Serial)
	}
	t := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               c.subject(),
		NotBefore:             c.NotBefore,
		NotAfter:              c.NotAfter,
		DNSNames:              c.SAN,
		BasicConstraintsValid: c.IsCA,
		IsCA:                  c.IsCA,
	}
	if c.IsCA {
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	} else {
		t.KeyUsage = x509.KeyUsageDigitalSignature
	}
	if c.ServerAuth {
		t.ExtKeyUsage = append(t.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	if c.ClientAuth {
		t.ExtKeyUsage = append(t.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	pub := certKey(c.Seed).Public().(ed25519.PublicKey)
	ski := sha1.Sum(pub)
	t.SubjectKeyId = ski[:]
	return t
}

// DER returns the certificate's DER bytes. certs resolves Issuer.
func (c *CertSpec) DER(certs map[string]*CertSpec) ([]byte, error) {
	tmpl := c.template()
	parent := tmpl
	signer := certKey(c.Seed)
	if c.Issuer != "" {
		is, ok := certs[c.Issuer]
		if !ok {
			return nil, fmt.Errorf("bundlegen: certificate %q: unknown issuer %q", c.Seed, c.Issuer)
		}
		parent = is.template()
		signer = certKey(is.Seed)
		tmpl.AuthorityKeyId = parent.SubjectKeyId
	}
	// Ed25519 signatures are deterministic; the reader is not used.
	return x509.CreateCertificate(nil, tmpl, parent, certKey(c.Seed).Public(), signer)
}

// Thumbprint is the upper-case hex SHA-1 of the DER.
func Thumbprint(der []byte) string {
	s := sha1.Sum(der)
	return strings.ToUpper(hex.EncodeToString(s[:]))
}

// Thumb returns the thumbprint of the certificate with that key; it panics
// on an unknown key or a generation error (specs are static test data).
func (s *Spec) Thumb(key string) string {
	c, ok := s.Certs[key]
	if !ok {
		panic("bundlegen: unknown certificate " + key)
	}
	der, err := c.DER(s.Certs)
	if err != nil {
		panic(err)
	}
	return Thumbprint(der)
}

func (c *CertSpec) subjectString() string {
	// Windows order: least significant first.
	var parts []string
	for i := len(c.CNs) - 1; i >= 0; i-- {
		parts = append(parts, "CN="+c.CNs[i])
	}
	for _, o := range c.Org {
		parts = append(parts, "O="+o)
	}
	for _, d := range c.DC {
		parts = append(parts, "DC="+d)
	}
	return strings.Join(parts, ", ")
}
