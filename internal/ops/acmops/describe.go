package acmops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// DescribeCertificate describes a certificate with every field ACM returns
// for its type.
func (s *Service) DescribeCertificate(ctx context.Context, in *CertificateArnInput) (*DescribeCertificateOutput, error) {
	r, err := s.lookup(ctx, "certificateArn", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	p, err := r.parse()
	if err != nil {
		return nil, err
	}
	users, err := s.inUse(ctx)
	if err != nil {
		return nil, err
	}
	c := p.cert
	domain, sans := domainNames(c)
	d := CertificateDetail{
		CertificateArn: r.ARN, DomainName: domain, SubjectAlternativeNames: sans,
		Serial: serial(c), Subject: c.Subject.String(), Issuer: issuerName(c), Status: s.status(p),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, KeyAlgorithm: describedKeyAlgorithm(keyAlgorithm(c.PublicKey)),
		SignatureAlgorithm: signatureAlgorithm(c.SignatureAlgorithm), InUseBy: inUseBy(users, r.ARN), Type: r.Type,
		KeyUsages: keyUsages(c), ExtendedKeyUsages: extendedKeyUsages(c),
		// Slipway does not renew certificates (see docs/certificates.md).
		RenewalEligibility: "INELIGIBLE",
	}
	switch r.Type {
	case TypeImported:
		d.ImportedAt = &r.ImportedAt
		d.Options = &CertificateOptions{CertificateTransparencyLoggingPreference: "DISABLED"}
	case TypeAmazonIssued:
		d.CreatedAt, d.IssuedAt = &r.CreatedAt, &r.IssuedAt
		d.DomainValidationOptions = validations(r)
		o := r.Requested.Options
		d.Options = &o
	}
	return &DescribeCertificateOutput{Certificate: d}, nil
}

// status is ISSUED, or EXPIRED once the certificate's NotAfter passed.
func (s *Service) status(p parsed) string {
	if s.now().After(p.cert.NotAfter) {
		return StatusExpired
	}
	return StatusIssued
}

func inUseBy(users map[string][]string, arn string) []string {
	if u := users[arn]; len(u) > 0 {
		return u
	}
	return []string{}
}

// validations are the DomainValidationOptions of a requested certificate:
// every name validated, by the method requested.
func validations(r record) []DomainValidation {
	req := r.Requested
	out := make([]DomainValidation, 0, len(req.Names))
	for _, name := range req.Names {
		dom := req.ValidationDomain[name]
		if dom == "" {
			dom = name
		}
		v := DomainValidation{DomainName: name, ValidationDomain: dom, ValidationStatus: "SUCCESS",
			ValidationMethod: req.ValidationMethod}
		switch req.ValidationMethod {
		case "DNS":
			v.ResourceRecord = dnsRecord(r.ARN, name)
		case "EMAIL":
			base := strings.TrimPrefix(dom, "*.")
			for _, box := range validationMailboxes {
				v.ValidationEmails = append(v.ValidationEmails, box+"@"+base)
			}
		}
		out = append(out, v)
	}
	return out
}

// dnsRecord is the CNAME record ACM asks for to validate a name by DNS, its
// labels derived from the certificate and the name so that they are stable.
func dnsRecord(arn, name string) *ResourceRecord {
	sum := sha256.Sum256([]byte(arn + "\x00" + name))
	h := hex.EncodeToString(sum[:])
	base := strings.TrimPrefix(name, "*.")
	return &ResourceRecord{Name: "_" + h[:32] + "." + base + ".", Type: "CNAME",
		Value: "_" + h[32:] + ".acm-validations.aws."}
}

// GetCertificate returns a certificate and the chain of its issuers: the
// chain imported with it, or the local CA's root for a requested one.
func (s *Service) GetCertificate(ctx context.Context, in *CertificateArnInput) (*GetCertificateOutput, error) {
	r, err := s.lookup(ctx, "certificateArn", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	out := &GetCertificateOutput{Certificate: r.CertPEM, CertificateChain: r.ChainPEM}
	if r.Type == TypeAmazonIssued {
		out.CertificateChain = string(s.keys.ca.certPEM)
	}
	return out, nil
}

func timePtr(t time.Time) *time.Time { return &t }
