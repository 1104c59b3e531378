package elbv2

import (
	"errors"
	"net/http"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ELBv2 error codes this package sends besides those model validation names.
const (
	codeLoadBalancerNotFound   = "LoadBalancerNotFound"
	codeTargetGroupNotFound    = "TargetGroupNotFound"
	codeListenerNotFound       = "ListenerNotFound"
	codeRuleNotFound           = "RuleNotFound"
	codeDuplicateLoadBalancer  = "DuplicateLoadBalancerName"
	codeDuplicateTargetGroup   = "DuplicateTargetGroupName"
	codeDuplicateListener      = "DuplicateListener"
	codePriorityInUse          = "PriorityInUse"
	codeResourceInUse          = "ResourceInUse"
	codeAssociationLimit       = "TargetGroupAssociationLimit"
	codeTooManyListeners       = "TooManyListeners"
	codeTooManyRules           = "TooManyRules"
	codeTooManyLoadBalancers   = "TooManyLoadBalancers"
	codeTooManyTargetGroups    = model.ELBTooManyTargetGroupsErr
	codeInvalidAction          = "InvalidAction"
	codeMissingAction          = "MissingAction"
	codeInternalFailure        = "InternalFailure"
	codeIncompatibleProtocols  = model.ELBIncompatibleProtocols
	codeValidationError        = model.ELBValidationError
	codeOperationNotPermitted  = model.ELBOperationNotPermitted
	codeTooManyTags            = model.ELBTooManyTags
	codeCertificateNotFound    = model.ELBCertificateNotFound
	codeInvalidConfigurationRq = model.ELBInvalidConfiguration
)

func validation(format string, args ...any) *awsproto.Error {
	return awsproto.ClientError(codeValidationError, format, args...)
}

// toAWSError classifies err into ELB's error shape: typed validation errors
// keep their code, not-found sentinels get ELB's codes and wording, anything
// else is our fault (InternalFailure, 500).
func toAWSError(err error) *awsproto.Error {
	var ae *awsproto.Error
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &ve):
		return awsproto.ClientError(ve.Kind, "%s", ve.Message)
	case errors.Is(err, state.ErrLoadBalancerNotFound):
		return awsproto.ClientError(codeLoadBalancerNotFound, "One or more load balancers not found")
	case errors.Is(err, state.ErrTargetGroupNotFound):
		return awsproto.ClientError(codeTargetGroupNotFound, "One or more target groups not found")
	case errors.Is(err, state.ErrListenerNotFound):
		return awsproto.ClientError(codeListenerNotFound, "One or more listeners not found")
	case errors.Is(err, state.ErrRuleNotFound):
		return awsproto.ClientError(codeRuleNotFound, "One or more rules not found")
	case errors.Is(err, state.ErrTargetGroupInUse):
		return awsproto.ClientError(codeResourceInUse, "Target group is currently in use by a listener or a rule")
	}
	return awsproto.Errorf(http.StatusInternalServerError, codeInternalFailure, "%v", err)
}
