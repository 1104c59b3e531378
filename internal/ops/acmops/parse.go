package acmops

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

var (
	errNotPEM       = errors.New("not PEM")
	errEncryptedKey = errors.New("the key is encrypted")
)

// parseCertificates decodes every block of a PEM bundle; anything but
// CERTIFICATE blocks (and whitespace between them) is refused.
func parseCertificates(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := bytes.TrimSpace(data)
	for len(rest) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || b.Type != "CERTIFICATE" {
			return nil, errNotPEM
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		rest = bytes.TrimSpace(rest)
	}
	if len(out) == 0 {
		return nil, errNotPEM
	}
	return out, nil
}

// parsePrivateKey decodes one unencrypted PEM private key: PKCS #8, PKCS #1
// (RSA) or SEC 1 (EC).
func parsePrivateKey(data []byte) (crypto.Signer, error) {
	b, rest := pem.Decode(bytes.TrimSpace(data))
	if b == nil || len(bytes.TrimSpace(rest)) > 0 {
		return nil, errNotPEM
	}
	if b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] != "" {
		return nil, errEncryptedKey
	}
	var key any
	var err error
	switch b.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", b.Type)
	}
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported key type %T", key)
	}
	return signer, nil
}

// publicKeyMatches reports whether key is the private key of cert.
func publicKeyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// keyAlgorithm is the KeyAlgorithm enum value of a public key, "" for one
// ACM does not support.
func keyAlgorithm(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch k.N.BitLen() {
		case 1024:
			return KeyRSA1024
		case 2048:
			return KeyRSA2048
		case 3072:
			return KeyRSA3072
		case 4096:
			return KeyRSA4096
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return KeyECP256
		case elliptic.P384():
			return KeyECP384
		case elliptic.P521():
			return KeyECP521
		}
	}
	return ""
}

// describedKeyAlgorithm is the enum value as DescribeCertificate spells it:
// "RSA_2048" is "RSA-2048", "EC_prime256v1" is "EC-prime256v1".
func describedKeyAlgorithm(alg string) string { return strings.Replace(alg, "_", "-", 1) }

// signatureAlgorithm names a signature algorithm as ACM does (the Java
// names: SHA256WITHRSA, SHA384WITHECDSA, ...).
func signatureAlgorithm(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA1WithRSA:
		return "SHA1WITHRSA"
	case x509.SHA256WithRSA:
		return "SHA256WITHRSA"
	case x509.SHA384WithRSA:
		return "SHA384WITHRSA"
	case x509.SHA512WithRSA:
		return "SHA512WITHRSA"
	case x509.SHA256WithRSAPSS:
		return "SHA256WITHRSAANDMGF1"
	case x509.SHA384WithRSAPSS:
		return "SHA384WITHRSAANDMGF1"
	case x509.SHA512WithRSAPSS:
		return "SHA512WITHRSAANDMGF1"
	case x509.ECDSAWithSHA1:
		return "SHA1WITHECDSA"
	case x509.ECDSAWithSHA256:
		return "SHA256WITHECDSA"
	case x509.ECDSAWithSHA384:
		return "SHA384WITHECDSA"
	case x509.ECDSAWithSHA512:
		return "SHA512WITHECDSA"
	}
	return strings.ToUpper(strings.ReplaceAll(a.String(), "-", ""))
}

// keyUsageNames are the KeyUsageName values of the key usage bits, in bit order.
var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "DIGITAL_SIGNATURE"}, {x509.KeyUsageContentCommitment, "NON_REPUDIATION"},
	{x509.KeyUsageKeyEncipherment, "KEY_ENCIPHERMENT"}, {x509.KeyUsageDataEncipherment, "DATA_ENCIPHERMENT"},
	{x509.KeyUsageKeyAgreement, "KEY_AGREEMENT"}, {x509.KeyUsageCertSign, "CERTIFICATE_SIGNING"},
	{x509.KeyUsageCRLSign, "CRL_SIGNING"}, {x509.KeyUsageEncipherOnly, "ENCIPHER_ONLY"},
	{x509.KeyUsageDecipherOnly, "DECIPHER_ONLY"},
}

func keyUsages(c *x509.Certificate) []string {
	out := []string{}
	for _, u := range keyUsageNames {
		if c.KeyUsage&u.bit != 0 {
			out = append(out, u.name)
		}
	}
	return out
}

// extKeyUsageNames are the ExtendedKeyUsageName values and OIDs.
var extKeyUsageNames = map[x509.ExtKeyUsage]ExtendedKeyUsage{
	x509.ExtKeyUsageServerAuth:      {"TLS_WEB_SERVER_AUTHENTICATION", "1.3.6.1.5.5.7.3.1"},
	x509.ExtKeyUsageClientAuth:      {"TLS_WEB_CLIENT_AUTHENTICATION", "1.3.6.1.5.5.7.3.2"},
	x509.ExtKeyUsageCodeSigning:     {"CODE_SIGNING", "1.3.6.1.5.5.7.3.3"},
	x509.ExtKeyUsageEmailProtection: {"EMAIL_PROTECTION", "1.3.6.1.5.5.7.3.4"},
	x509.ExtKeyUsageIPSECEndSystem:  {"IPSEC_END_SYSTEM", "1.3.6.1.5.5.7.3.5"},
	x509.ExtKeyUsageIPSECTunnel:     {"IPSEC_TUNNEL", "1.3.6.1.5.5.7.3.6"},
	x509.ExtKeyUsageIPSECUser:       {"IPSEC_USER", "1.3.6.1.5.5.7.3.7"},
	x509.ExtKeyUsageTimeStamping:    {"TIME_STAMPING", "1.3.6.1.5.5.7.3.8"},
	x509.ExtKeyUsageOCSPSigning:     {"OCSP_SIGNING", "1.3.6.1.5.5.7.3.9"},
	x509.ExtKeyUsageAny:             {"ANY", "2.5.29.37.0"},
}

func extendedKeyUsages(c *x509.Certificate) []ExtendedKeyUsage {
	out := []ExtendedKeyUsage{}
	for _, u := range c.ExtKeyUsage {
		if e, ok := extKeyUsageNames[u]; ok {
			out = append(out, e)
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		out = append(out, ExtendedKeyUsage{Name: "CUSTOM", OID: oid.String()})
	}
	return out
}

// domainNames are a certificate's DomainName (the subject's common name,
// else its first DNS name) and SubjectAlternativeNames (its DNS names, else
// the common name), as ACM reads them.
func domainNames(c *x509.Certificate) (string, []string) {
	sans := c.DNSNames
	if len(sans) == 0 && c.Subject.CommonName != "" {
		sans = []string{c.Subject.CommonName}
	}
	domain := c.Subject.CommonName
	if domain == "" && len(sans) > 0 {
		domain = sans[0]
	}
	return domain, sans
}

// serial formats a serial number as ACM does: colon-separated hex bytes.
func serial(c *x509.Certificate) string {
	b := c.SerialNumber.Bytes()
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ":")
}

// issuerName is the Issuer ACM shows: the issuer's organization, else its
// common name, else the whole distinguished name.
func issuerName(c *x509.Certificate) string {
	switch {
	case len(c.Issuer.Organization) > 0:
		return c.Issuer.Organization[0]
	case c.Issuer.CommonName != "":
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}
