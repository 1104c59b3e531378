package acmops

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/internal/awserr"
)

var (
	certificateStatuses = []string{"PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"}
	keyUsageFilterNames = []string{"DIGITAL_SIGNATURE", "NON_REPUDIATION", "KEY_ENCIPHERMENT", "DATA_ENCIPHERMENT",
		"KEY_AGREEMENT", "CERTIFICATE_SIGNING", "CRL_SIGNING", "ENCIPHER_ONLY", "DECIPHER_ONLY", "ANY", "CUSTOM"}
	extKeyUsageFilterNames = []string{"TLS_WEB_SERVER_AUTHENTICATION", "TLS_WEB_CLIENT_AUTHENTICATION", "CODE_SIGNING",
		"EMAIL_PROTECTION", "TIME_STAMPING", "OCSP_SIGNING", "IPSEC_END_SYSTEM", "IPSEC_TUNNEL", "IPSEC_USER", "ANY", "NONE", "CUSTOM"}
	// defaultKeyTypes are what ListCertificates lists without a keyTypes
	// filter, as ACM documents.
	defaultKeyTypes = []string{KeyRSA1024, KeyRSA2048}
)

// maxSANSummaries is how many names a summary lists.
const maxSANSummaries = 100

// ListCertificates lists the certificates that pass the filters: by default
// those with RSA_1024 or RSA_2048 keys and at least one domain name, in ARN
// order, or by creation time with SortBy CREATED_AT.
func (s *Service) ListCertificates(ctx context.Context, in *ListCertificatesInput) (*ListCertificatesOutput, error) {
	f, err := s.checkList(in)
	if err != nil {
		return nil, err
	}
	recs, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.inUse(ctx)
	if err != nil {
		return nil, err
	}
	var rows []summaryRow
	for _, r := range recs {
		p, err := r.parse()
		if err != nil {
			return nil, err
		}
		sum := s.summary(p, len(users[r.ARN]) > 0)
		if f.match(sum) {
			rows = append(rows, summaryRow{key: sortKey(in.SortBy, r), sum: sum})
		}
	}
	slices.SortFunc(rows, func(a, b summaryRow) int { return cmp.Compare(a.key, b.key) })
	if in.SortOrder == "DESCENDING" {
		slices.Reverse(rows)
	}
	return page(rows, in), nil
}

type summaryRow struct {
	key string
	sum CertificateSummary
}

// sortKey orders by ARN, or by creation time (then ARN).
func sortKey(sortBy string, r record) string {
	if sortBy == "CREATED_AT" {
		return fmt.Sprintf("%020d/%s", r.CreatedAt.UnixNano(), r.ARN)
	}
	return r.ARN
}

// page returns the rows after the token's key (before it, descending).
func page(rows []summaryRow, in *ListCertificatesInput) *ListCertificatesOutput {
	start := 0
	if in.NextToken != "" {
		after, _ := base64.RawURLEncoding.DecodeString(in.NextToken) // checked in checkList
		start = len(rows)
		for i, r := range rows {
			if (in.SortOrder == "DESCENDING" && r.key < string(after)) || (in.SortOrder != "DESCENDING" && r.key > string(after)) {
				start = i
				break
			}
		}
	}
	rows = rows[start:]
	out := &ListCertificatesOutput{CertificateSummaryList: []CertificateSummary{}}
	if in.MaxItems != nil && len(rows) > *in.MaxItems {
		rows = rows[:*in.MaxItems]
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(rows[len(rows)-1].key))
	}
	for _, r := range rows {
		out.CertificateSummaryList = append(out.CertificateSummaryList, r.sum)
	}
	return out
}

// listFilter is ListCertificates' filters with the defaults applied.
type listFilter struct {
	statuses, keyTypes, keyUsages, extKeyUsages []string
	exportOption, managedBy                     string
}

func (s *Service) checkList(in *ListCertificatesInput) (listFilter, error) {
	v := &validation{}
	for _, st := range in.CertificateStatuses {
		v.enum("certificateStatuses.member", st, certificateStatuses)
	}
	f := listFilter{statuses: in.CertificateStatuses, keyTypes: defaultKeyTypes}
	if inc := in.Includes; inc != nil {
		for _, k := range inc.KeyTypes {
			v.enum("includes.keyTypes.member", k, keyAlgorithms)
		}
		for _, k := range inc.KeyUsage {
			v.enum("includes.keyUsage.member", k, keyUsageFilterNames)
		}
		for _, k := range inc.ExtendedKeyUsage {
			v.enum("includes.extendedKeyUsage.member", k, extKeyUsageFilterNames)
		}
		v.enum("includes.exportOption", inc.ExportOption, exportOptions)
		v.enum("includes.managedBy", inc.ManagedBy, managedByValues)
		if len(inc.KeyTypes) > 0 {
			f.keyTypes = inc.KeyTypes
		}
		f.keyUsages, f.extKeyUsages, f.exportOption, f.managedBy = inc.KeyUsage, inc.ExtendedKeyUsage, inc.ExportOption, inc.ManagedBy
	}
	if in.NextToken != "" {
		v.str("nextToken", in.NextToken, 1, maxNextTokenLen, reNextToken, patNextToken)
	}
	if in.MaxItems != nil && (*in.MaxItems < 1 || *in.MaxItems > maxMaxItems) {
		bound := fmt.Sprintf("greater than or equal to %d", 1)
		if *in.MaxItems > maxMaxItems {
			bound = fmt.Sprintf("less than or equal to %d", maxMaxItems)
		}
		v.fail(*in.MaxItems, "maxItems", "Member must have value "+bound)
	}
	v.enum("sortBy", in.SortBy, []string{"CREATED_AT"})
	v.enum("sortOrder", in.SortOrder, []string{"ASCENDING", "DESCENDING"})
	if err := v.err(); err != nil {
		return f, err
	}
	if in.NextToken != "" {
		if _, err := base64.RawURLEncoding.DecodeString(in.NextToken); err != nil {
			return f, awserr.New(codeInvalidArgs, "The nextToken %q is not a token ListCertificates returned.", in.NextToken)
		}
	}
	return f, nil
}

// match applies the filters: each list is "any of" for statuses and key
// types, "all of" for key usages.
func (f listFilter) match(c CertificateSummary) bool {
	switch {
	case c.DomainName == "",
		len(f.statuses) > 0 && !slices.Contains(f.statuses, c.Status),
		!slices.Contains(f.keyTypes, c.KeyAlgorithm),
		f.exportOption != "" && f.exportOption != cmp.Or(c.ExportOption, "DISABLED"),
		f.managedBy != "":
		return false
	}
	for _, u := range f.keyUsages {
		if u != "ANY" && !slices.Contains(c.KeyUsages, u) {
			return false
		}
	}
	for _, u := range f.extKeyUsages {
		switch {
		case u == "NONE" && len(c.ExtendedKeyUsages) > 0,
			u == "ANY" && len(c.ExtendedKeyUsages) == 0,
			u != "NONE" && u != "ANY" && !slices.Contains(c.ExtendedKeyUsages, u):
			return false
		}
	}
	return true
}

// summary is a certificate as ListCertificates lists it.
func (s *Service) summary(p parsed, inUse bool) CertificateSummary {
	c := p.cert
	domain, sans := domainNames(c)
	sum := CertificateSummary{
		CertificateArn: p.ARN, DomainName: domain, SubjectAlternativeNameSummaries: sans,
		Status: s.status(p), Type: p.Type, KeyAlgorithm: keyAlgorithm(c.PublicKey), KeyUsages: keyUsages(c),
		ExtendedKeyUsages: []string{}, InUse: inUse, RenewalEligibility: "INELIGIBLE",
		NotBefore: c.NotBefore, NotAfter: c.NotAfter,
	}
	if len(sans) > maxSANSummaries {
		sum.SubjectAlternativeNameSummaries, sum.HasAdditionalSubjectAlternativeNames = sans[:maxSANSummaries], true
	}
	for _, e := range extendedKeyUsages(c) {
		sum.ExtendedKeyUsages = append(sum.ExtendedKeyUsages, e.Name)
	}
	switch p.Type {
	case TypeImported:
		sum.ImportedAt = timePtr(p.ImportedAt)
	case TypeAmazonIssued:
		sum.CreatedAt, sum.IssuedAt = timePtr(p.CreatedAt), timePtr(p.IssuedAt)
		sum.ExportOption = p.Requested.Options.Export
	}
	return sum
}
