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
	"math"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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
	if seq, ok := rdnSequenceFast(raw); ok {
		return rdnString(seq)
	}
	return dnStringASN1(raw, parsed)
}

// dnStringASN1 is dnString through encoding/asn1 (reflection).
func dnStringASN1(raw []byte, parsed pkix.Name) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err == nil && len(rest) == 0 {
		return seq.String()
	}
	return parsed.String()
}

// rdnSequenceFast parses a distinguished name's DER into what
// asn1.Unmarshal gives for the common shape: every attribute value a
// UTF8String or a PrintableString, short or minimal long lengths, nothing
// after the value of an attribute. ok is false for anything else (the
// caller then asks encoding/asn1). FuzzRDNSequenceFast compares the two.
func rdnSequenceFast(raw []byte) (pkix.RDNSequence, bool) {
	body, rest, ok := derElement(raw, 0x30)
	if !ok || len(rest) != 0 {
		return nil, false
	}
	var seq pkix.RDNSequence
	for len(body) > 0 {
		var set []byte
		if set, body, ok = derElement(body, 0x31); !ok {
			return nil, false
		}
		rdn := pkix.RelativeDistinguishedNameSET{}
		for len(set) > 0 {
			var atv, oid, val []byte
			var tag byte
			if atv, set, ok = derElement(set, 0x30); !ok {
				return nil, false
			}
			if oid, atv, ok = derElement(atv, 0x06); !ok || len(atv) == 0 {
				return nil, false
			}
			tag = atv[0]
			if val, atv, ok = derElement(atv, tag); !ok || len(atv) != 0 {
				return nil, false
			}
			switch tag {
			case 0x0c: // UTF8String
				if !utf8.Valid(val) {
					return nil, false
				}
			case 0x13: // PrintableString
				for _, b := range val {
					if !isPrintableASN1(b) {
						return nil, false
					}
				}
			default:
				return nil, false
			}
			t, ok := parseOID(oid)
			if !ok {
				return nil, false
			}
			rdn = append(rdn, pkix.AttributeTypeAndValue{Type: t, Value: string(val)})
		}
		seq = append(seq, rdn)
	}
	return seq, true
}

// rdnString is seq.String() for a sequence whose values are all valid UTF-8
// strings (rdnSequenceFast's): the value of an attribute without a short
// name is the hex of its DER, which encoding/asn1 writes as a
// PrintableString (its strict alphabet) or else a UTF8String.
func rdnString(seq pkix.RDNSequence) string {
	var b strings.Builder
	for i := 0; i < len(seq); i++ {
		rdn := seq[len(seq)-1-i]
		if i > 0 {
			b.WriteByte(',')
		}
		for j, tv := range rdn {
			if j > 0 {
				b.WriteByte('+')
			}
			v := tv.Value.(string)
			oid := tv.Type.String()
			name, ok := shortAttributeNames[oid]
			if !ok {
				tag := byte(0x13) // PrintableString
				for k := 0; k < len(v); k++ {
					if c := v[k]; c == '*' || c == '&' || !isPrintableASN1(c) {
						tag = 0x0c // UTF8String
						break
					}
				}
				der := []byte{tag}
				if n := len(v); n < 0x80 {
					der = append(der, byte(n))
				} else {
					var l []byte
					for ; n > 0; n >>= 8 {
						l = append([]byte{byte(n)}, l...)
					}
					der = append(append(der, 0x80|byte(len(l))), l...)
				}
				der = append(der, v...)
				b.WriteString(oid)
				b.WriteString("=#")
				b.WriteString(hex.EncodeToString(der))
				continue
			}
			b.WriteString(name)
			b.WriteByte('=')
			for k, c := range v {
				escape := false
				switch c {
				case ',', '+', '"', '\\', '<', '>', ';':
					escape = true
				case ' ':
					escape = k == 0 || k == len(v)-1
				case '#':
					escape = k == 0
				}
				if escape {
					b.WriteByte('\\')
				}
				b.WriteRune(c)
			}
		}
	}
	return b.String()
}

// shortAttributeNames are the attribute names RDNSequence.String writes
// (crypto/x509/pkix attributeTypeNames).
var shortAttributeNames = map[string]string{
	"2.5.4.6": "C", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.3": "CN", "2.5.4.5": "SERIALNUMBER",
	"2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET", "2.5.4.17": "POSTALCODE",
}

// derElement reads one element with the given tag byte at the start of b
// and returns its content and what follows; lengths as encoding/asn1
// accepts them (DER: short form below 128, minimal long form).
func derElement(b []byte, tag byte) (content, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != tag || tag&0x1f == 0x1f {
		return nil, nil, false
	}
	n, off := int(b[1]), 2
	if n&0x80 != 0 {
		nb := n & 0x7f
		if nb == 0 || nb > 3 {
			return nil, nil, false
		}
		n = 0
		for i := 0; i < nb; i++ {
			if off >= len(b) {
				return nil, nil, false
			}
			n = n<<8 | int(b[off])
			off++
			if n == 0 {
				return nil, nil, false // leading zero
			}
		}
		if n < 0x80 {
			return nil, nil, false // not minimal
		}
	}
	if n > len(b)-off {
		return nil, nil, false
	}
	return b[off : off+n], b[off+n:], true
}

// isPrintableASN1 is encoding/asn1's PrintableString alphabet (with the
// '*' and '&' it tolerates).
func isPrintableASN1(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		'\'' <= b && b <= ')' || '+' <= b && b <= '/' ||
		b == ' ' || b == ':' || b == '=' || b == '?' || b == '*' || b == '&'
}

// parseOID parses an OBJECT IDENTIFIER's content as encoding/asn1 does.
func parseOID(b []byte) (asn1.ObjectIdentifier, bool) {
	if len(b) == 0 {
		return nil, false
	}
	s := make(asn1.ObjectIdentifier, 0, len(b)+1)
	off := 0
	for first := true; off < len(b); first = false {
		var v int64
		for shifted := 0; ; shifted++ {
			if off >= len(b) || shifted == 5 || shifted == 0 && b[off] == 0x80 {
				return nil, false
			}
			c := b[off]
			off++
			v = v<<7 | int64(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
		if v > math.MaxInt32 {
			return nil, false
		}
		if first {
			if v < 80 {
				s = append(s, int(v)/40, int(v)%40)
			} else {
				s = append(s, 2, int(v)-80)
			}
			continue
		}
		s = append(s, int(v))
	}
	return s, true
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
		// path.Join(path.Dir(file), stem+".json"): file is a clean bundle
		// path of four elements or more, and the name has no slash.
		sidecarName := file[:strings.LastIndexByte(file, '/')+1] + stem + ".json"
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
	// For ASCII, EqualFold is ToLower and compare, without the copy.
	is := func(want string) bool {
		if isASCII(location) {
			return strings.EqualFold(location, want)
		}
		return strings.ToLower(location) == want
	}
	switch {
	case is("localmachine"):
		location = "LocalMachine"
	case is("currentuser"):
		location = "CurrentUser"
	}
	for _, s := range []string{"My", "Root", "CA", "TrustedPeople", "TrustedPublisher", "AuthRoot", "Disallowed", "Trust", "Remote Desktop", "WebHosting"} {
		if strings.EqualFold(store, s) {
			store = s
		}
	}
	return location + "/" + store
}
