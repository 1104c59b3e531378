package acmops

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/store"
)

// RequestCertificate rules.
const (
	// maxNamesPerCertificate is ACM's default quota of domain names per
	// certificate (DomainName with the SubjectAlternativeNames).
	maxNamesPerCertificate = 10
	// idempotencyWindow is how long a repeated IdempotencyToken answers
	// with the certificate it first requested.
	idempotencyWindow = time.Hour
)

var (
	validationMethods   = []string{"EMAIL", "DNS", "HTTP"}
	keyAlgorithms       = []string{KeyRSA1024, KeyRSA2048, KeyRSA3072, KeyRSA4096, KeyECP256, KeyECP384, KeyECP521}
	ctPreferences       = []string{"ENABLED", "DISABLED"}
	exportOptions       = []string{"ENABLED", "DISABLED"}
	managedByValues     = []string{"CLOUDFRONT"}
	requestAlgorithms   = []string{KeyRSA2048, KeyECP256, KeyECP384}
	validationMailboxes = []string{"admin", "administrator", "hostmaster", "postmaster", "webmaster"}
)

// RequestCertificate issues a certificate for the names at once from the
// local CA: there is no domain to validate on one's own machines, so the
// certificate is ISSUED when the call returns and every name's validation
// reads SUCCESS by the method asked for.
func (s *Service) RequestCertificate(ctx context.Context, in *RequestCertificateInput) (*RequestCertificateOutput, error) {
	names, err := s.checkRequest(in)
	if err != nil {
		return nil, err
	}
	// A repeated token, or the quota, answers before a key is generated
	// (RSA keys cost CPU); the transaction below checks both again.
	if arn, err := s.precheck(ctx, in.IdempotencyToken); err != nil || arn != "" {
		return &RequestCertificateOutput{CertificateArn: arn}, err
	}
	alg := in.KeyAlgorithm
	if alg == "" {
		alg = KeyRSA2048
	}
	now := s.now()
	iss, err := s.keys.ca.issue(names, alg, now)
	if err != nil {
		return nil, err
	}
	req := &requested{Names: names, ValidationMethod: in.ValidationMethod, IdempotencyToken: in.IdempotencyToken,
		KeyAlgorithm: alg, Options: CertificateOptions{CertificateTransparencyLoggingPreference: "ENABLED", Export: "DISABLED"}}
	if req.ValidationMethod == "" {
		req.ValidationMethod = "EMAIL"
	}
	if o := in.Options; o != nil {
		req.Options.CertificateTransparencyLoggingPreference = cmp.Or(o.CertificateTransparencyLoggingPreference, "ENABLED")
		req.Options.Export = cmp.Or(o.Export, "DISABLED")
	}
	for _, o := range in.DomainValidationOptions {
		if req.ValidationDomain == nil {
			req.ValidationDomain = map[string]string{}
		}
		req.ValidationDomain[o.DomainName] = o.ValidationDomain
	}
	arn := s.newARN()
	r := record{ARN: arn, Type: TypeAmazonIssued, CertPEM: string(iss.certPEM), SealedKey: s.keys.seal(arn, iss.keyPEM),
		CreatedAt: now, IssuedAt: now, Tags: slices.Clone(in.Tags), Requested: req}
	var answer string
	err = s.st.Update(ctx, func(tx store.Tx) error {
		answer = ""
		if prev, err := s.findToken(tx, in.IdempotencyToken); err != nil || prev != "" {
			answer = prev
			return err
		}
		if n, err := s.count(tx); err != nil {
			return err
		} else if n >= s.quota {
			return errQuota
		}
		answer = arn
		return store.PutJSON(tx, bucket, arn, r)
	})
	if err != nil {
		return nil, err
	}
	if answer == arn {
		s.log.Info("certificate issued", "arn", arn, "names", names, "key_algorithm", alg)
	}
	return &RequestCertificateOutput{CertificateArn: answer}, nil
}

// checkRequest validates the input and returns the certificate's names:
// DomainName first, then the other SubjectAlternativeNames, once each.
func (s *Service) checkRequest(in *RequestCertificateInput) ([]string, error) {
	v := &validation{}
	if in.DomainName == "" {
		v.fail(nil, "domainName", "Member must not be null")
	} else {
		v.domain("domainName", in.DomainName)
	}
	v.enum("validationMethod", in.ValidationMethod, validationMethods)
	if in.SubjectAlternativeNames != nil {
		v.listLen("subjectAlternativeNames", len(in.SubjectAlternativeNames), 1, maxSANs)
		for i, n := range in.SubjectAlternativeNames {
			v.domain("subjectAlternativeNames."+strconv.Itoa(i+1)+".member", n)
		}
	}
	if in.IdempotencyToken != "" {
		v.str("idempotencyToken", in.IdempotencyToken, 1, maxIdempotencyLen, reIdempotency, patIdempotency)
	}
	if in.DomainValidationOptions != nil {
		v.listLen("domainValidationOptions", len(in.DomainValidationOptions), 1, maxSANs)
		for i, o := range in.DomainValidationOptions {
			m := "domainValidationOptions." + strconv.Itoa(i+1) + ".member"
			v.domain(m+".domainName", o.DomainName)
			v.domain(m+".validationDomain", o.ValidationDomain)
		}
	}
	if o := in.Options; o != nil {
		v.enum("options.certificateTransparencyLoggingPreference", o.CertificateTransparencyLoggingPreference, ctPreferences)
		v.enum("options.export", o.Export, exportOptions)
	}
	if in.CertificateAuthorityArn != "" {
		v.str("certificateAuthorityArn", in.CertificateAuthorityArn, minArnLen, maxArnLen, rePcaArn, patPcaArn)
	}
	v.tags("tags", in.Tags, false)
	v.enum("keyAlgorithm", in.KeyAlgorithm, keyAlgorithms)
	v.enum("managedBy", in.ManagedBy, managedByValues)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkTagKeys(in.Tags); err != nil {
		return nil, err
	}
	switch {
	case in.CertificateAuthorityArn != "":
		return nil, awserr.New(codeInvalidParameter, "Private certificate authorities (AWS Private CA) are not available in Slipway: "+
			"omit CertificateAuthorityArn; Slipway's local CA issues requested certificates (`slipway ca` prints its root).")
	case in.ManagedBy != "" || in.ValidationMethod == "HTTP":
		return nil, awserr.New(codeInvalidParameter, "Certificates managed by CloudFront (ManagedBy CLOUDFRONT, HTTP validation) "+
			"are not available in Slipway: request with DNS or EMAIL validation.")
	case in.KeyAlgorithm != "" && !slices.Contains(requestAlgorithms, in.KeyAlgorithm):
		return nil, awserr.New(codeValidation, "Key algorithm %s is not supported for requested certificates: use %s.",
			in.KeyAlgorithm, strings.Join(requestAlgorithms, ", "))
	}
	names := []string{strings.ToLower(in.DomainName)}
	for _, n := range in.SubjectAlternativeNames {
		if n = strings.ToLower(n); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) > maxNamesPerCertificate {
		return nil, awserr.New(codeLimitExceeded, "Certificate requests are limited to %d domain names; this one has %d.",
			maxNamesPerCertificate, len(names))
	}
	return names, checkValidationOptions(names, in.DomainValidationOptions)
}

// checkValidationOptions applies ACM's rule: each option names one of the
// certificate's names and a validation domain that is it or a domain above it.
func checkValidationOptions(names []string, opts []DomainValidationOption) error {
	for _, o := range opts {
		name, dom := strings.ToLower(o.DomainName), strings.ToLower(o.ValidationDomain)
		base := strings.TrimPrefix(name, "*.")
		if !slices.Contains(names, name) || (dom != base && !strings.HasSuffix(base, "."+dom)) {
			return awserr.New("InvalidDomainValidationOptionsException",
				"The validation domain %s is not valid for the domain name %s: it must be one of the certificate's names or a domain above it.",
				o.ValidationDomain, o.DomainName)
		}
	}
	return nil
}

// precheck returns the certificate a token already requested, if any, or
// errQuota when no certificate can be added.
func (s *Service) precheck(ctx context.Context, token string) (string, error) {
	var arn string
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		if arn, err = s.findToken(tx, token); err != nil || arn != "" {
			return err
		}
		if n, err := s.count(tx); err != nil {
			return err
		} else if n >= s.quota {
			return errQuota
		}
		return nil
	})
	return arn, err
}

// findToken finds a certificate requested with token within the window.
func (s *Service) findToken(tx store.Tx, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	since := s.now().Add(-idempotencyWindow)
	var arn string
	err := store.ScanJSON(tx, bucket, s.arnPrefix(), "", func(_ string, r record) bool {
		if r.Requested != nil && r.Requested.IdempotencyToken == token && r.CreatedAt.After(since) {
			arn = r.ARN
			return false
		}
		return true
	})
	return arn, err
}
