package elbops

import "github.com/slipway-dev/slipway/internal/awserr"

// unsupported are the ELBv2 operations Slipway refuses, with why: they
// manage what has no counterpart on one host, or what the data planes do
// not do (mutual TLS), so that a caller learns that instead of an unknown
// action.
var unsupported = map[string]string{
	"CreateTrustStore":                  "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"DeleteTrustStore":                  "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"DescribeTrustStores":               "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"ModifyTrustStore":                  "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"AddTrustStoreRevocations":          "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"RemoveTrustStoreRevocations":       "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"DescribeTrustStoreRevocations":     "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"DescribeTrustStoreAssociations":    "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"GetTrustStoreCaCertificatesBundle": "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"GetTrustStoreRevocationContent":    "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"DeleteSharedTrustStoreAssociation": "trust stores are for mutual TLS, which Slipway's listeners do not offer",
	"GetResourcePolicy":                 "resource policies share trust stores across accounts, and there are neither here",
	"DescribeCapacityReservation":       "capacity reservations reserve AWS load balancer capacity; a listener here serves what this host can",
	"ModifyCapacityReservation":         "capacity reservations reserve AWS load balancer capacity; a listener here serves what this host can",
	"ModifyIpPools":                     "IPAM pools allocate VPC addresses, which Slipway does not have",
}

// Unsupported returns the refusal of an ELBv2 operation Slipway does not
// offer (OperationNotPermitted, with why), or nil when action is not one.
func Unsupported(action string) *awserr.Error {
	why, ok := unsupported[action]
	if !ok {
		return nil
	}
	return clientErr(CodeOperationNotPermitted, "%s is not supported: %s", action, why)
}
