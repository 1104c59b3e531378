package model

import "fmt"

// ELBv2 error codes that validation in this package reports as
// ValidationError.Kind; the ELBv2 API sends Kind as the error code.
const (
	ELBValidationError      = "ValidationError"
	ELBInvalidConfiguration = "InvalidConfigurationRequest"
	// ELBALPNPolicyNotFound is the code of ELB's ALPNPolicyNotSupportedException.
	ELBALPNPolicyNotFound     = "ALPNPolicyNotFound"
	ELBInvalidAction          = "InvalidLoadBalancerAction"
	ELBUnsupportedProtocol    = "UnsupportedProtocol"
	ELBInvalidTarget          = "InvalidTarget"
	ELBTooManyTargets         = "TooManyTargets"
	ELBTooManyTags            = "TooManyTags"
	ELBDuplicateTagKeys       = "DuplicateTagKeys"
	ELBCertificateNotFound    = "CertificateNotFound"
	ELBTooManyCertificates    = "TooManyCertificates"
	ELBSSLPolicyNotFound      = "SSLPolicyNotFound"
	ELBOperationNotPermitted  = "OperationNotPermitted"
	ELBTooManyActions         = "TooManyActions"
	ELBIncompatibleProtocols  = "IncompatibleProtocols"
	ELBTooManyTargetGroupsErr = "TooManyTargetGroups"
)

// elbErr returns a ValidationError with an ELB error code.
func elbErr(kind, format string, args ...any) error {
	return &ValidationError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// elbInvalid returns an ELB ValidationError.
func elbInvalid(format string, args ...any) error {
	return elbErr(ELBValidationError, format, args...)
}
