package elbv2

import (
	"net/http"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

// Error codes of the Query protocol itself; the operations' codes are
// elbops'.
const (
	codeInvalidAction   = "InvalidAction"
	codeMissingAction   = "MissingAction"
	codeInternalFailure = elbops.CodeInternalFailure
)

// toAWSError is err in ELB's error shape. The operations and the decoders
// return *awserr.Error; anything else is our fault (InternalFailure, 500).
func toAWSError(err error) *awsproto.Error {
	if ae, ok := awserr.As(err); ok {
		return ae
	}
	return awsproto.Errorf(http.StatusInternalServerError, codeInternalFailure, "%v", err)
}
