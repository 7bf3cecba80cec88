package facts

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// DefaultStores are the stores every collector writes; when a node's certs/
// folder exists they are present (maybe empty) unless errors.json lists them.
var DefaultStores = []string{"LocalMachine/My", "LocalMachine/Root"}

// ParseCertificate parses a certificate file's bytes (DER, or PEM
// "CERTIFICATE") into a Cert. Thumbprint is the upper-case hex SHA-1 of the
// DER; store, artifact and sidecar facts are the caller's.
func ParseCertificate(data []byte) (*Cert, error) {
	der := data
	if t := bytes.TrimSpace(data); bytes.HasPrefix(t, []byte("-----BEGIN")) {
		block, _ := pem.Decode(t)
		if block == nil {
			return nil, fmt.Errorf("not a certificate: PEM text without a readable block")
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("not a certificate: PEM block %q, want CERTIFICATE", block.Type)
		}
		der = block.Bytes
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("not a DER or PEM X.509 certificate: %w", err)
	}
	sum := sha1.Sum(der)
	c := &Cert{
		Thumbprint:         strings.ToUpper(hex.EncodeToString(sum[:])),
		Subject:            dnString(x.RawSubject, x.Subject),
		Issuer:             dnString(x.RawIssuer, x.Issuer),
		CNs:                []string{},
		SANDNS:             []string{},
		SelfSigned:         bytes.Equal(x.RawIssuer, x.RawSubject),
		SerialNumber:       strings.ToUpper(x.SerialNumber.Text(16)),
		SignatureAlgorithm: x.SignatureAlgorithm.String(),
		PrivateKeyReaders:  []string{},
	}
	for _, n := range x.Subject.Names {
		if n.Type.Equal(oidCommonName) {
			if s, ok := n.Value.(string); ok {
				c.CNs = append(c.CNs, s)
			} else {
				c.CNs = append(c.CNs, fmt.Sprint(n.Value))
			}
		}
	}
	c.SANDNS = append(c.SANDNS, x.DNSNames...)
	c.NotBefore, c.NotBeforeNS = certTime(x.NotBefore)
	c.NotAfter, c.NotAfterNS = certTime(x.NotAfter)
	return c, nil
}

// dnString renders a distinguished name from its DER with every attribute
// (pkix.Name.String keeps only the last CN of a subject with several).
func dnString(raw []byte, parsed pkix.Name) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err == nil && len(rest) == 0 {
		return seq.String()
	}
	return parsed.String()
}

func certTime(t time.Time) (string, int64) {
	t = t.UTC()
	// a cert valid to 9999 is simply "far future"
	return t.Format(time.RFC3339), unixNano(t)
}

// readCerts reads nodes/<N>/certs. missing holds the node's errors.json
// entries; a store listed there is left out of the result.
func (n *normalizer) readCerts(node string, missing map[string]string) (map[string]map[string]*Cert, error) {
	base := "nodes/" + node + "/certs"
	stores := map[string]map[string]*Cert{}
	for _, s := range DefaultStores {
		if _, failed := missing["certs/"+s]; !failed {
			stores[s] = map[string]*Cert{}
		}
	}
	for _, file := range n.b.List(base) {
		rel := strings.TrimPrefix(file, base+"/")
		parts := strings.Split(rel, "/")
		if len(parts) != 3 {
			continue // not certs/<Location>/<Store>/<file>
		}
		if !strings.EqualFold(path.Ext(parts[2]), ".cer") && !strings.EqualFold(path.Ext(parts[2]), ".crt") {
			continue
		}
		store := canonicalStore(parts[0], parts[1])
		data, err := n.b.ReadFile(file)
		if err != nil {
			return nil, err
		}
		c, err := n.parseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		c.Store = store
		c.Artifact = file
		stem := strings.TrimSuffix(parts[2], path.Ext(parts[2]))
		if fileThumb := NormalizeThumbprint(stem); fileThumb != c.Thumbprint {
			c.FileThumbprint = stem
			n.warn("%s: the file name says thumbprint %s, the certificate's SHA-1 is %s; using %s", file, stem, c.Thumbprint, c.Thumbprint)
		}
		sidecarName := path.Join(path.Dir(file), stem+".json")
		if n.b.Has(sidecarName) {
			var sc map[string]any
			raw, _ := n.b.ReadFile(sidecarName)
			if err := bundle.DecodeJSON(sidecarName, raw, &sc); err != nil {
				return nil, err
			}
			if sc == nil {
				return nil, fmt.Errorf("%s: got null, want an object", sidecarName)
			}
			if v, ok := sc["HasPrivateKey"]; ok && v != nil {
				b, ok := asBool(v)
				if !ok {
					return nil, fmt.Errorf("%s: HasPrivateKey: got %s, want a boolean", sidecarName, kindOf(v))
				}
				c.HasPrivateKey = &b
			}
			c.FriendlyName = asString(sc["FriendlyName"])
			c.PrivateKeyReaders = asStrings(sc["PrivateKeyReaders"])
		} else {
			c.SidecarMissing = true
		}
		if stores[store] == nil {
			stores[store] = map[string]*Cert{}
		}
		if prev, dup := stores[store][c.Thumbprint]; dup {
			n.warn("%s: same certificate as %s", file, prev.Artifact)
			continue
		}
		stores[store][c.Thumbprint] = c
	}
	return stores, nil
}

// parseCertificate is ParseCertificate with a cache: the same certificate
// is in many stores of a deployment (the master's in every worker's Root
// store, the CA everywhere), and each copy gets its own Cert.
func (n *normalizer) parseCertificate(data []byte) (*Cert, error) {
	if c, ok := n.certs[string(data)]; ok {
		cp := *c
		cp.CNs = slices.Clone(c.CNs)
		cp.SANDNS = slices.Clone(c.SANDNS)
		cp.PrivateKeyReaders = []string{}
		return &cp, nil
	}
	c, err := ParseCertificate(data)
	if err != nil {
		return nil, err
	}
	if n.certs == nil {
		n.certs = map[string]*Cert{}
	}
	cp := *c
	cp.CNs = slices.Clone(c.CNs)
	cp.SANDNS = slices.Clone(c.SANDNS)
	n.certs[string(data)] = &cp
	return c, nil
}

// canonicalStore spells a store path as "LocalMachine/My" whatever the
// folder's case.
func canonicalStore(location, store string) string {
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
