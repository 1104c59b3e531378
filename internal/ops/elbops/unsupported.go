package elbops

import "github.com/slipway-dev/slipway/internal/awserr"

// Why the refused operations are refused.
const (
	whyTrustStores = "trust stores are for mutual TLS, which Slipway's listeners do not offer"
	whyCapacity    = "capacity reservations reserve AWS load balancer capacity; a listener here serves what this host can"
)

// refusal is how an operation is refused: an error its service model
// documents for it, and why.
type refusal struct{ code, why string }

// unsupported are the ELBv2 operations Slipway refuses: they manage what
// has no counterpart on one host, or what the data planes do not do
// (mutual TLS), so that a caller learns that instead of an unknown action.
// Each answers an error ELB documents for it (no trust store exists, nor
// can one), or ValidationError where none of those is true.
var unsupported = map[string]refusal{
	"CreateTrustStore":                  {"TooManyTrustStores", whyTrustStores},
	"DeleteTrustStore":                  {"TrustStoreNotFound", whyTrustStores},
	"DescribeTrustStores":               {"TrustStoreNotFound", whyTrustStores},
	"ModifyTrustStore":                  {"TrustStoreNotFound", whyTrustStores},
	"AddTrustStoreRevocations":          {"TrustStoreNotFound", whyTrustStores},
	"RemoveTrustStoreRevocations":       {"TrustStoreNotFound", whyTrustStores},
	"DescribeTrustStoreRevocations":     {"TrustStoreNotFound", whyTrustStores},
	"DescribeTrustStoreAssociations":    {"TrustStoreNotFound", whyTrustStores},
	"GetTrustStoreCaCertificatesBundle": {"TrustStoreNotFound", whyTrustStores},
	"GetTrustStoreRevocationContent":    {"TrustStoreNotFound", whyTrustStores},
	"DeleteSharedTrustStoreAssociation": {"TrustStoreNotFound", whyTrustStores},
	"GetResourcePolicy":                 {"ResourceNotFound", "resource policies share trust stores across accounts, and there are neither here"},
	"DescribeCapacityReservation":       {CodeValidationError, whyCapacity},
	"ModifyCapacityReservation":         {CodeOperationNotPermitted, whyCapacity},
	"ModifyIpPools":                     {CodeValidationError, "IPAM pools allocate VPC addresses, which Slipway does not have"},
}

// Unsupported returns the refusal of an ELBv2 operation Slipway does not
// offer (an error ELB documents for it, saying why), or nil when action
// is not one.
func Unsupported(action string) *awserr.Error {
	r, ok := unsupported[action]
	if !ok {
		return nil
	}
	return clientErr(r.code, "%s is not supported: %s", action, r.why)
}
