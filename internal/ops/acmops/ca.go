package acmops

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// CA names and lifetimes. A requested certificate lives 395 days, the 13
// months ACM's own certificates have; the root ten years.
const (
	caCommonName = "Slipway local CA"
	caOrg        = "Slipway"
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 395 * 24 * time.Hour
)

// CA is Slipway's local certificate authority: a self-signed ECDSA P-256
// root whose key signs the certificates RequestCertificate issues.
type CA struct {
	cert    *x509.Certificate
	certPEM []byte
	key     crypto.Signer
}

// openCA loads the CA from dir or creates it. The key is written first: a
// key without a root (a crash between the two writes) gets a new root, since
// nothing can have been issued under a root that was never written.
func openCA(dir string, now time.Time) (*CA, error) {
	keyPath, certPath := filepath.Join(dir, caKeyFile), filepath.Join(dir, caCertFile)
	keyPEM, err := readOrCreate(keyPath, func() ([]byte, error) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), err
	})
	if err != nil {
		return nil, err
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKeys, keyPath, err)
	}
	certPEM, err := os.ReadFile(certPath)
	if errors.Is(err, fs.ErrNotExist) {
		if certPEM, err = selfSign(key, now); err == nil {
			err = writeFileAtomic(certPath, certPEM, 0o644)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKeys, certPath, err)
	}
	certs, err := parseCertificates(certPEM)
	if err != nil || len(certs) != 1 {
		return nil, fmt.Errorf("%w: %s holds no single certificate: %v", ErrKeys, certPath, err)
	}
	if !publicKeyMatches(certs[0], key) {
		return nil, fmt.Errorf("%w: %s is not the certificate of %s", ErrKeys, certPath, keyPath)
	}
	return &CA{cert: certs[0], certPEM: certPEM, key: key}, nil
}

func selfSign(key crypto.Signer, now time.Time) ([]byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(), Subject: pkix.Name{CommonName: caCommonName, Organization: []string{caOrg}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(caLifetime),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// randomSerial is a positive 128-bit serial number, as CAs use to make
// serials unpredictable.
func randomSerial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	return n.Add(n, big.NewInt(1))
}

// issued is a certificate the CA issued, with its new private key.
type issued struct {
	certPEM, keyPEM []byte
}

// issue makes a key of the ACM key algorithm alg and a certificate for the
// DNS names (the first is the subject's common name), valid from now.
func (ca *CA) issue(names []string, alg string, now time.Time) (issued, error) {
	key, err := generateKey(alg)
	if err != nil {
		return issued{}, err
	}
	start := now.Truncate(time.Second)
	end := start.Add(leafLifetime)
	if end.After(ca.cert.NotAfter) {
		end = ca.cert.NotAfter
	}
	usage := x509.KeyUsageDigitalSignature
	if _, ok := key.(*rsa.PrivateKey); ok {
		usage |= x509.KeyUsageKeyEncipherment
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: start, NotAfter: end, KeyUsage: usage, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return issued{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return issued{}, err
	}
	return issued{certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})}, nil
}

// generateKey makes a key of one of the algorithms RequestCertificate
// accepts (requestKeyAlgorithms).
func generateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case KeyRSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case KeyECP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyECP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	}
	return nil, fmt.Errorf("acm: no key generator for %s", alg)
}
