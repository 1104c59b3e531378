package acmops

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// ExportCertificate returns a certificate, its chain and its private key
// encrypted with the passphrase. ACM exports only certificates requested
// with the Export option ENABLED (and private ones, which do not exist
// here); imported certificates never, since their owner has the key.
func (s *Service) ExportCertificate(ctx context.Context, in *ExportCertificateInput) (*ExportCertificateOutput, error) {
	v := &validation{}
	v.arn("certificateArn", in.CertificateArn)
	// The passphrase is sensitive: ACM never quotes it back.
	const redacted = "*** Sensitive Data Redacted ***"
	switch n := len(in.Passphrase); {
	case in.Passphrase == nil:
		v.fail(nil, "passphrase", "Member must not be null")
	case n < minPassphrase:
		v.fail(redacted, "passphrase", fmt.Sprintf("Member must have length greater than or equal to %d", minPassphrase))
	case n > maxPassphrase:
		v.fail(redacted, "passphrase", fmt.Sprintf("Member must have length less than or equal to %d", maxPassphrase))
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	r, err := s.lookup(ctx, "certificateArn", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	if r.Type != TypeAmazonIssued || r.Requested.Options.Export != "ENABLED" {
		return nil, awserr.New(codeValidation, "Certificate %s cannot be exported: only certificates requested with the Export option ENABLED can be exported, and imported certificates never are.", r.ARN)
	}
	keyPEM, err := s.keys.open(r.ARN, r.SealedKey)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(keyPEM)
	if b == nil {
		return nil, fmt.Errorf("acm: stored private key of %s is not PEM", r.ARN)
	}
	enc, err := encryptPKCS8(b.Bytes, in.Passphrase)
	if err != nil {
		return nil, err
	}
	s.log.Info("certificate exported", "arn", r.ARN)
	return &ExportCertificateOutput{Certificate: r.CertPEM, CertificateChain: string(s.keys.ca.certPEM),
		PrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: enc}))}, nil
}

// PKCS #5 v2 (RFC 8018) identifiers: PBES2 with PBKDF2-HMAC-SHA256 and
// AES-256-CBC, which OpenSSL and every TLS stack read.
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// pbkdf2Iterations is OpenSSL's default for PKCS #8 encryption today.
const pbkdf2Iterations = 2048

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	PRF        pkix.AlgorithmIdentifier
}

type pbes2Params struct {
	KDF pkix.AlgorithmIdentifier
	Enc pkix.AlgorithmIdentifier
}

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

// encryptPKCS8 encrypts a PKCS #8 private key (DER) into an
// EncryptedPrivateKeyInfo (DER).
func encryptPKCS8(der, passphrase []byte) ([]byte, error) {
	salt, iv := make([]byte, 16), make([]byte, aes.BlockSize)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(iv)
	key, err := pbkdf2.Key(sha256.New, string(passphrase), salt, pbkdf2Iterations, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	pad := aes.BlockSize - len(der)%aes.BlockSize
	data := append(append([]byte{}, der...), make([]byte, pad)...)
	for i := len(der); i < len(data); i++ {
		data[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, data)
	kdf, err := asn1.Marshal(pbkdf2Params{Salt: salt, Iterations: pbkdf2Iterations,
		PRF: pkix.AlgorithmIdentifier{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue}})
	if err != nil {
		return nil, err
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return nil, err
	}
	params, err := asn1.Marshal(pbes2Params{
		KDF: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdf}},
		Enc: pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(encryptedPrivateKeyInfo{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}},
		Data:      data,
	})
}
