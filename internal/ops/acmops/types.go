package acmops

import "time"

// Inputs and outputs of the operations, named and shaped as in the ACM API
// reference, so that the wire decodes requests straight into the inputs.
// Optional members are pointers, or empty strings and nil slices where the
// API gives the empty value no meaning of its own. Blobs (PEM uploads) are
// bytes; times are time.Time (the wire sends epoch seconds).

// Certificate types and statuses, as ACM names them.
const (
	TypeImported     = "IMPORTED"
	TypeAmazonIssued = "AMAZON_ISSUED"

	StatusIssued  = "ISSUED"
	StatusExpired = "EXPIRED"
)

// Key algorithms (the KeyAlgorithm enum).
const (
	KeyRSA1024 = "RSA_1024"
	KeyRSA2048 = "RSA_2048"
	KeyRSA3072 = "RSA_3072"
	KeyRSA4096 = "RSA_4096"
	KeyECP256  = "EC_prime256v1"
	KeyECP384  = "EC_secp384r1"
	KeyECP521  = "EC_secp521r1"
)

// Tag is a certificate's tag; Value is optional.
type Tag struct {
	Key   string
	Value *string
}

// ImportCertificateInput is ImportCertificate's input. CertificateArn is set
// to re-import (replace) an imported certificate.
type ImportCertificateInput struct {
	CertificateArn   string
	Certificate      []byte
	PrivateKey       []byte
	CertificateChain []byte
	Tags             []Tag
}

// ImportCertificateOutput is ImportCertificate's output.
type ImportCertificateOutput struct{ CertificateArn string }

// CertificateArnInput is the input of the operations that take only a
// certificate's ARN (DescribeCertificate, GetCertificate, DeleteCertificate,
// ListTagsForCertificate).
type CertificateArnInput struct{ CertificateArn string }

// DescribeCertificateOutput is DescribeCertificate's output.
type DescribeCertificateOutput struct{ Certificate CertificateDetail }

// CertificateDetail is a certificate as DescribeCertificate describes it.
// The times that do not apply to its type are nil.
type CertificateDetail struct {
	CertificateArn          string
	DomainName              string
	SubjectAlternativeNames []string
	DomainValidationOptions []DomainValidation
	Serial                  string
	Subject                 string
	Issuer                  string
	CreatedAt               *time.Time
	IssuedAt                *time.Time
	ImportedAt              *time.Time
	Status                  string
	NotBefore               time.Time
	NotAfter                time.Time
	// KeyAlgorithm is as DescribeCertificate spells it ("RSA-2048",
	// "EC-prime256v1"), which differs from the enum ListCertificates uses.
	KeyAlgorithm       string
	SignatureAlgorithm string
	InUseBy            []string
	Type               string
	KeyUsages          []string
	ExtendedKeyUsages  []ExtendedKeyUsage
	RenewalEligibility string
	Options            *CertificateOptions
}

// DomainValidation is how one name of a requested certificate was validated.
type DomainValidation struct {
	DomainName       string
	ValidationEmails []string
	ValidationDomain string
	ValidationStatus string
	ResourceRecord   *ResourceRecord
	ValidationMethod string
}

// ResourceRecord is the CNAME record of DNS validation.
type ResourceRecord struct{ Name, Type, Value string }

// ExtendedKeyUsage is an extended key usage of a certificate.
type ExtendedKeyUsage struct{ Name, OID string }

// CertificateOptions are a certificate's options.
type CertificateOptions struct {
	CertificateTransparencyLoggingPreference string
	Export                                   string
}

// Filters are ListCertificates' Includes.
type Filters struct {
	ExtendedKeyUsage []string
	KeyUsage         []string
	KeyTypes         []string
	ExportOption     string
	ManagedBy        string
}

// ListCertificatesInput is ListCertificates' input.
type ListCertificatesInput struct {
	CertificateStatuses []string
	Includes            *Filters
	NextToken           string
	MaxItems            *int
	SortBy              string
	SortOrder           string
}

// CertificateSummary is one certificate as ListCertificates lists it.
type CertificateSummary struct {
	CertificateArn                       string
	DomainName                           string
	SubjectAlternativeNameSummaries      []string
	HasAdditionalSubjectAlternativeNames bool
	Status                               string
	Type                                 string
	KeyAlgorithm                         string
	KeyUsages                            []string
	ExtendedKeyUsages                    []string
	ExportOption                         string
	InUse                                bool
	RenewalEligibility                   string
	NotBefore                            time.Time
	NotAfter                             time.Time
	CreatedAt                            *time.Time
	IssuedAt                             *time.Time
	ImportedAt                           *time.Time
}

// ListCertificatesOutput is ListCertificates' output.
type ListCertificatesOutput struct {
	CertificateSummaryList []CertificateSummary
	NextToken              string
}

// GetCertificateOutput is GetCertificate's output: the certificate and the
// chain of its issuers, PEM-encoded.
type GetCertificateOutput struct {
	Certificate      string
	CertificateChain string
}

// TagsInput is the input of AddTagsToCertificate and RemoveTagsFromCertificate.
type TagsInput struct {
	CertificateArn string
	Tags           []Tag
}

// ListTagsForCertificateOutput is ListTagsForCertificate's output.
type ListTagsForCertificateOutput struct{ Tags []Tag }

// DomainValidationOption names the domain whose owner validates a name.
type DomainValidationOption struct{ DomainName, ValidationDomain string }

// RequestCertificateInput is RequestCertificate's input.
type RequestCertificateInput struct {
	DomainName              string
	ValidationMethod        string
	SubjectAlternativeNames []string
	IdempotencyToken        string
	DomainValidationOptions []DomainValidationOption
	Options                 *CertificateOptions
	CertificateAuthorityArn string
	Tags                    []Tag
	KeyAlgorithm            string
	ManagedBy               string
}

// RequestCertificateOutput is RequestCertificate's output.
type RequestCertificateOutput struct{ CertificateArn string }

// ExportCertificateInput is ExportCertificate's input.
type ExportCertificateInput struct {
	CertificateArn string
	Passphrase     []byte
}

// ExportCertificateOutput is ExportCertificate's output: the private key is
// PKCS #8, encrypted with the passphrase.
type ExportCertificateOutput struct {
	Certificate      string
	CertificateChain string
	PrivateKey       string
}
