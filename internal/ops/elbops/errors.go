package elbops

import (
	"errors"
	"net/http"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ELBv2 error codes, as the API reference names them. Those that model's
// validation also reports (model.ValidationError.Kind) are the same strings.
const (
	CodeLoadBalancerNotFound   = "LoadBalancerNotFound"
	CodeTargetGroupNotFound    = "TargetGroupNotFound"
	CodeListenerNotFound       = "ListenerNotFound"
	CodeRuleNotFound           = "RuleNotFound"
	CodeDuplicateLoadBalancer  = "DuplicateLoadBalancerName"
	CodeDuplicateTargetGroup   = "DuplicateTargetGroupName"
	CodeDuplicateListener      = "DuplicateListener"
	CodePriorityInUse          = "PriorityInUse"
	CodeResourceInUse          = "ResourceInUse"
	CodeAssociationLimit       = "TargetGroupAssociationLimit"
	CodeTooManyListeners       = "TooManyListeners"
	CodeTooManyRules           = "TooManyRules"
	CodeTooManyLoadBalancers   = "TooManyLoadBalancers"
	CodeTooManyTargetGroups    = model.ELBTooManyTargetGroupsErr
	CodeInternalFailure        = "InternalFailure"
	CodeValidationError        = model.ELBValidationError
	CodeOperationNotPermitted  = model.ELBOperationNotPermitted
	CodeTooManyTags            = model.ELBTooManyTags
	CodeCertificateNotFound    = model.ELBCertificateNotFound
	CodeInvalidConfigurationRq = model.ELBInvalidConfiguration
)

// Validation returns ELB's ValidationError with the formatted message. The
// wire uses it for members that do not decode (an integer that is not one).
func Validation(format string, args ...any) *awserr.Error {
	return awserr.New(CodeValidationError, format, args...)
}

func clientErr(code, format string, args ...any) *awserr.Error {
	return awserr.New(code, format, args...)
}

// notFound wording of ELB's Describe and Modify calls, by state sentinel.
var notFoundErrors = []struct {
	sentinel      error
	code, message string
}{
	{state.ErrLoadBalancerNotFound, CodeLoadBalancerNotFound, "One or more load balancers not found"},
	{state.ErrTargetGroupNotFound, CodeTargetGroupNotFound, "One or more target groups not found"},
	{state.ErrListenerNotFound, CodeListenerNotFound, "One or more listeners not found"},
	{state.ErrRuleNotFound, CodeRuleNotFound, "One or more rules not found"},
	{state.ErrTargetGroupInUse, CodeResourceInUse, "Target group is currently in use by a listener or a rule"},
}

// fail classifies err into ELB's error shape: *awserr.Error passes as is,
// model validation keeps its code, state sentinels get ELB's codes and
// wording (and stay visible to errors.Is through Cause), and anything
// else is our fault (InternalFailure, 500, the cause in the message, which
// the wire logs and does not send).
func fail(err error) error {
	if err == nil {
		return nil
	}
	if ae, ok := awserr.As(err); ok {
		return ae
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return awserr.Wrap(err, ve.Kind, "%s", ve.Message)
	}
	for _, nf := range notFoundErrors {
		if errors.Is(err, nf.sentinel) {
			return awserr.Wrap(err, nf.code, "%s", nf.message)
		}
	}
	e := awserr.Status(http.StatusInternalServerError, CodeInternalFailure, "%v", err)
	e.Cause = err
	return e
}
