package acmops

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/store"
)

// errQuota is ACM's refusal beyond MaxCertificates.
var errQuota = awserr.New(codeLimitExceeded,
	"You have reached the maximum number of certificates. Delete certificates that are not in use, or contact AWS Support to request an increase.")

// ImportCertificate imports a certificate with its private key and chain,
// or, with CertificateArn, re-imports one: the record keeps its ARN, tags
// and users (listeners serve the new certificate at their next sync).
func (s *Service) ImportCertificate(ctx context.Context, in *ImportCertificateInput) (*ImportCertificateOutput, error) {
	v := &validation{}
	if in.CertificateArn != "" {
		v.str("certificateArn", in.CertificateArn, minArnLen, maxArnLen, reArn, patArn)
	}
	v.blob("certificate", in.Certificate, true, maxCertBytes)
	v.blob("privateKey", in.PrivateKey, true, maxKeyBytes)
	if in.CertificateChain != nil {
		v.blob("certificateChain", in.CertificateChain, false, maxChainBytes)
	}
	v.tags("tags", in.Tags, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkTagKeys(in.Tags); err != nil {
		return nil, err
	}
	if in.CertificateArn != "" && in.Tags != nil {
		return nil, awserr.New(codeInvalidParameter, "Tags cannot be applied when reimporting a certificate.")
	}
	cert, key, chain, err := s.checkImport(in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	arn := in.CertificateArn
	if arn == "" {
		arn = s.newARN()
	} else if err := s.checkARN("certificateArn", arn); err != nil {
		return nil, err
	}
	sealed := s.keys.seal(arn, key)
	err = s.st.Update(ctx, func(tx store.Tx) error {
		r := record{ARN: arn, Type: TypeImported, CreatedAt: now, Tags: slices.Clone(in.Tags)}
		if in.CertificateArn != "" {
			old, err := get(tx, arn)
			if err != nil {
				return err
			}
			if old.Type != TypeImported {
				return awserr.New(codeValidation, "Certificate %s was not imported: only imported certificates can be reimported.", arn)
			}
			r.CreatedAt, r.Tags = old.CreatedAt, old.Tags
		} else if n, err := s.count(tx); err != nil {
			return err
		} else if n >= s.quota {
			return errQuota
		}
		r.CertPEM, r.ChainPEM, r.SealedKey, r.ImportedAt = cert, chain, sealed, now
		return store.PutJSON(tx, bucket, arn, r)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("certificate imported", "arn", arn, "reimport", in.CertificateArn != "")
	return &ImportCertificateOutput{CertificateArn: arn}, nil
}

// checkImport applies ACM's rules for imported certificates: one PEM X.509
// v3 certificate with an issuer, valid now; an unencrypted PEM private key
// of a supported algorithm that matches it; a chain of PEM certificates,
// each certifying the one before. It returns what is stored: the
// certificate and chain re-encoded, the key as given.
func (s *Service) checkImport(in *ImportCertificateInput) (cert string, key []byte, chain string, err error) {
	certs, err := parseCertificates(in.Certificate)
	switch {
	case err != nil:
		return "", nil, "", invalid("The certificate is not PEM-encoded or is not a valid X.509 certificate: %v.", err)
	case len(certs) > 1:
		return "", nil, "", invalid("The certificate field contains more than one certificate. You can specify only one certificate in this field.")
	}
	c := certs[0]
	now := s.now()
	switch {
	case c.Version != 3:
		return "", nil, "", invalid("The certificate is X.509 version %d: only X.509 version 3 certificates can be imported.", c.Version)
	case len(c.RawIssuer) == 0 || c.Issuer.String() == "":
		return "", nil, "", invalid("The certificate's Issuer field is empty.")
	case now.Before(c.NotBefore):
		return "", nil, "", invalid("The certificate is not valid before %s.", c.NotBefore.UTC().Format("2006-01-02T15:04:05Z"))
	case now.After(c.NotAfter):
		return "", nil, "", invalid("The certificate expired on %s.", c.NotAfter.UTC().Format("2006-01-02T15:04:05Z"))
	}
	signer, err := parsePrivateKey(in.PrivateKey)
	switch {
	case errors.Is(err, errEncryptedKey):
		return "", nil, "", invalid("The private key is encrypted: import an unencrypted private key.")
	case err != nil:
		return "", nil, "", invalid("The private key is not PEM-encoded or is not valid: %v.", err)
	case keyAlgorithm(signer.Public()) == "":
		return "", nil, "", invalid("The private key is not supported. Supported keys are RSA of 1024, 2048, 3072 or 4096 bits and EC on prime256v1, secp384r1 or secp521r1.")
	case !publicKeyMatches(c, signer):
		return "", nil, "", invalid("The private key does not match the public key in the certificate.")
	}
	if in.CertificateChain != nil {
		if chain, err = checkChain(c, in.CertificateChain); err != nil {
			return "", nil, "", err
		}
	}
	return pemOf(c), in.PrivateKey, chain, nil
}

// checkChain checks that each certificate of the chain signed the one before
// it, starting with the imported certificate.
func checkChain(leaf *x509.Certificate, data []byte) (string, error) {
	chain, err := parseCertificates(data)
	if err != nil {
		return "", invalid("The certificate chain is not PEM-encoded or holds something other than certificates: %v.", err)
	}
	prev := leaf
	var b strings.Builder
	for i, c := range chain {
		if err := prev.CheckSignatureFrom(c); err != nil {
			return "", invalid("Could not validate the certificate with the certificate chain: certificate %d of the chain did not sign the one before it.", i+1)
		}
		b.WriteString(pemOf(c))
		prev = c
	}
	return b.String(), nil
}

func invalid(format string, args ...any) error {
	return awserr.New(codeValidation, format, args...)
}

// checkTagKeys refuses the "aws:" prefix, which AWS reserves.
func checkTagKeys(tags []Tag) error {
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return awserr.New(codeInvalidTag, "Tag key %s is invalid: the prefix aws: is reserved for AWS use.", t.Key)
		}
	}
	return nil
}

func pemOf(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}
