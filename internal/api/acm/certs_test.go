package acm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// pki is a test CA with an intermediate, and certificates it signs, as PEM.
type pki struct {
	t                 *testing.T
	root, inter       *x509.Certificate
	rootKey, interKey crypto.Signer
	rootPEM, interPEM []byte
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{t: t, rootKey: ecKey(t), interKey: ecKey(t)}
	p.root, p.rootPEM = p.sign(&x509.Certificate{Subject: pkix.Name{CommonName: "Test Root", Organization: []string{"Test Org"}},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, p.rootKey, p.rootKey)
	p.inter, p.interPEM = p.sign(&x509.Certificate{Subject: pkix.Name{CommonName: "Test Intermediate", Organization: []string{"Test Org"}},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, p.root, p.rootKey, p.interKey)
	return p
}

// leaf is a server certificate for names signed by the intermediate, and its key.
func (p *pki) leaf(key crypto.Signer, notAfter time.Time, names ...string) (certPEM, keyPEM []byte) {
	_, certPEM = p.sign(&x509.Certificate{Subject: pkix.Name{CommonName: names[0]}, DNSNames: names, NotAfter: notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, p.inter, p.interKey, key)
	return certPEM, keyPEMOf(p.t, key)
}

func (p *pki) sign(tmpl, parent *x509.Certificate, parentKey, key crypto.Signer) (*x509.Certificate, []byte) {
	p.t.Helper()
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().Add(48 * time.Hour)
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		p.t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		p.t.Fatal(err)
	}
	return c, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func ecKey(t *testing.T) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rsaKey(t *testing.T) crypto.Signer {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func keyPEMOf(t *testing.T, key crypto.Signer) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
