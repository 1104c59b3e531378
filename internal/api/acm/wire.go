package acm

import (
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/internal/ops/acmops"
)

// The answers' JSON shapes, member for member as ACM sends them.

// epoch is a timestamp as JSON 1.1 sends it: seconds since the epoch, with
// milliseconds.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(e).UnixMilli())/1000, 'f', -1, 64), nil
}

func epochPtr(t *time.Time) *epoch {
	if t == nil {
		return nil
	}
	e := epoch(*t)
	return &e
}

type arnOut struct {
	CertificateArn string `json:"CertificateArn"`
}

type resourceRecordOut struct {
	Name  string `json:"Name"`
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

type domainValidationOut struct {
	DomainName       string             `json:"DomainName"`
	ValidationEmails []string           `json:"ValidationEmails,omitempty"`
	ValidationDomain string             `json:"ValidationDomain,omitempty"`
	ValidationStatus string             `json:"ValidationStatus,omitempty"`
	ResourceRecord   *resourceRecordOut `json:"ResourceRecord,omitempty"`
	ValidationMethod string             `json:"ValidationMethod,omitempty"`
}

type nameOut struct {
	Name string `json:"Name"`
}

type extKeyUsageOut struct {
	Name string `json:"Name"`
	OID  string `json:"OID"`
}

type optionsOut struct {
	CertificateTransparencyLoggingPreference string `json:"CertificateTransparencyLoggingPreference,omitempty"`
	Export                                   string `json:"Export,omitempty"`
}

type detailOut struct {
	CertificateArn          string                `json:"CertificateArn"`
	DomainName              string                `json:"DomainName,omitempty"`
	SubjectAlternativeNames []string              `json:"SubjectAlternativeNames,omitempty"`
	DomainValidationOptions []domainValidationOut `json:"DomainValidationOptions,omitempty"`
	Serial                  string                `json:"Serial"`
	Subject                 string                `json:"Subject"`
	Issuer                  string                `json:"Issuer"`
	CreatedAt               *epoch                `json:"CreatedAt,omitempty"`
	IssuedAt                *epoch                `json:"IssuedAt,omitempty"`
	ImportedAt              *epoch                `json:"ImportedAt,omitempty"`
	Status                  string                `json:"Status"`
	NotBefore               epoch                 `json:"NotBefore"`
	NotAfter                epoch                 `json:"NotAfter"`
	KeyAlgorithm            string                `json:"KeyAlgorithm"`
	SignatureAlgorithm      string                `json:"SignatureAlgorithm"`
	InUseBy                 []string              `json:"InUseBy"`
	Type                    string                `json:"Type"`
	KeyUsages               []nameOut             `json:"KeyUsages"`
	ExtendedKeyUsages       []extKeyUsageOut      `json:"ExtendedKeyUsages"`
	RenewalEligibility      string                `json:"RenewalEligibility"`
	Options                 *optionsOut           `json:"Options,omitempty"`
}

func describeOut(o *acmops.DescribeCertificateOutput) any {
	c := o.Certificate
	d := detailOut{CertificateArn: c.CertificateArn, DomainName: c.DomainName, SubjectAlternativeNames: c.SubjectAlternativeNames,
		Serial: c.Serial, Subject: c.Subject, Issuer: c.Issuer, CreatedAt: epochPtr(c.CreatedAt), IssuedAt: epochPtr(c.IssuedAt),
		ImportedAt: epochPtr(c.ImportedAt), Status: c.Status, NotBefore: epoch(c.NotBefore), NotAfter: epoch(c.NotAfter),
		KeyAlgorithm: c.KeyAlgorithm, SignatureAlgorithm: c.SignatureAlgorithm, InUseBy: c.InUseBy, Type: c.Type,
		KeyUsages: []nameOut{}, ExtendedKeyUsages: []extKeyUsageOut{}, RenewalEligibility: c.RenewalEligibility}
	for _, v := range c.DomainValidationOptions {
		dv := domainValidationOut{DomainName: v.DomainName, ValidationEmails: v.ValidationEmails, ValidationDomain: v.ValidationDomain,
			ValidationStatus: v.ValidationStatus, ValidationMethod: v.ValidationMethod}
		if r := v.ResourceRecord; r != nil {
			dv.ResourceRecord = &resourceRecordOut{Name: r.Name, Type: r.Type, Value: r.Value}
		}
		d.DomainValidationOptions = append(d.DomainValidationOptions, dv)
	}
	for _, u := range c.KeyUsages {
		d.KeyUsages = append(d.KeyUsages, nameOut{u})
	}
	for _, u := range c.ExtendedKeyUsages {
		d.ExtendedKeyUsages = append(d.ExtendedKeyUsages, extKeyUsageOut{Name: u.Name, OID: u.OID})
	}
	if c.Options != nil {
		d.Options = &optionsOut{CertificateTransparencyLoggingPreference: c.Options.CertificateTransparencyLoggingPreference,
			Export: c.Options.Export}
	}
	return struct {
		Certificate detailOut `json:"Certificate"`
	}{d}
}

type summaryOut struct {
	CertificateArn                       string   `json:"CertificateArn"`
	DomainName                           string   `json:"DomainName"`
	SubjectAlternativeNameSummaries      []string `json:"SubjectAlternativeNameSummaries"`
	HasAdditionalSubjectAlternativeNames bool     `json:"HasAdditionalSubjectAlternativeNames"`
	Status                               string   `json:"Status"`
	Type                                 string   `json:"Type"`
	KeyAlgorithm                         string   `json:"KeyAlgorithm"`
	KeyUsages                            []string `json:"KeyUsages"`
	ExtendedKeyUsages                    []string `json:"ExtendedKeyUsages"`
	ExportOption                         string   `json:"ExportOption,omitempty"`
	InUse                                bool     `json:"InUse"`
	RenewalEligibility                   string   `json:"RenewalEligibility"`
	NotBefore                            epoch    `json:"NotBefore"`
	NotAfter                             epoch    `json:"NotAfter"`
	CreatedAt                            *epoch   `json:"CreatedAt,omitempty"`
	IssuedAt                             *epoch   `json:"IssuedAt,omitempty"`
	ImportedAt                           *epoch   `json:"ImportedAt,omitempty"`
}

type listResp struct {
	NextToken              string       `json:"NextToken,omitempty"`
	CertificateSummaryList []summaryOut `json:"CertificateSummaryList"`
}

func listOut(o *acmops.ListCertificatesOutput) any {
	resp := listResp{NextToken: o.NextToken, CertificateSummaryList: make([]summaryOut, 0, len(o.CertificateSummaryList))}
	for _, c := range o.CertificateSummaryList {
		resp.CertificateSummaryList = append(resp.CertificateSummaryList, summaryOut{
			CertificateArn: c.CertificateArn, DomainName: c.DomainName, SubjectAlternativeNameSummaries: c.SubjectAlternativeNameSummaries,
			HasAdditionalSubjectAlternativeNames: c.HasAdditionalSubjectAlternativeNames, Status: c.Status, Type: c.Type,
			KeyAlgorithm: c.KeyAlgorithm, KeyUsages: c.KeyUsages, ExtendedKeyUsages: c.ExtendedKeyUsages, ExportOption: c.ExportOption,
			InUse: c.InUse, RenewalEligibility: c.RenewalEligibility, NotBefore: epoch(c.NotBefore), NotAfter: epoch(c.NotAfter),
			CreatedAt: epochPtr(c.CreatedAt), IssuedAt: epochPtr(c.IssuedAt), ImportedAt: epochPtr(c.ImportedAt)})
	}
	return resp
}

type getResp struct {
	Certificate      string `json:"Certificate"`
	CertificateChain string `json:"CertificateChain,omitempty"`
}

func getOut(o *acmops.GetCertificateOutput) any { return getResp(*o) }

type tagOut struct {
	Key   string  `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

func tagsOut(o *acmops.ListTagsForCertificateOutput) any {
	tags := make([]tagOut, 0, len(o.Tags))
	for _, t := range o.Tags {
		tags = append(tags, tagOut(t))
	}
	return struct {
		Tags []tagOut `json:"Tags"`
	}{tags}
}

type exportResp struct {
	Certificate      string `json:"Certificate"`
	CertificateChain string `json:"CertificateChain"`
	PrivateKey       string `json:"PrivateKey"`
}

func exportOut(o *acmops.ExportCertificateOutput) any { return exportResp(*o) }
