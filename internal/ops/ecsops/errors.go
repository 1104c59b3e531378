package ecsops

import (
	"errors"
	"net/http"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ECS error codes used by more than one operation.
const (
	CodeClient           = "ClientException"
	CodeInvalidParameter = "InvalidParameterException"
	CodeClusterNotFound  = "ClusterNotFoundException"
	CodeServiceNotFound  = "ServiceNotFoundException"
	CodeServiceNotActive = "ServiceNotActiveException"
	CodeResourceNotFound = "ResourceNotFoundException"
	// CodeServer is the code of a fault of the server, not of the caller.
	CodeServer = "ServerException"
)

func invalidParam(format string, args ...any) error {
	return awserr.New(CodeInvalidParameter, format, args...)
}

func clientErr(format string, args ...any) error {
	return awserr.New(CodeClient, format, args...)
}

// apiErr classifies an error of an operation into ECS's error codes and
// messages. Store sentinels stay in the chain (errors.Is still sees
// state.ErrServiceNotFound); an error nothing classifies is a server fault.
func apiErr(err error) error {
	var ae *awserr.Error
	var ve *model.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &ve):
		return awserr.Wrap(err, ve.Kind, "%s", ve.Message)
	case errors.Is(err, state.ErrClusterNotFound):
		return awserr.Wrap(err, CodeClusterNotFound, "Cluster not found.")
	case errors.Is(err, state.ErrServiceNotFound):
		return awserr.Wrap(err, CodeServiceNotFound, "Service not found.")
	case errors.Is(err, state.ErrTaskDefinitionNotFound):
		return awserr.Wrap(err, CodeClient, "Unable to describe task definition.")
	case errors.Is(err, state.ErrTaskNotFound):
		return awserr.Wrap(err, CodeInvalidParameter, "The referenced task was not found.")
	case errors.Is(err, state.ErrInstanceNotFound):
		return awserr.Wrap(err, CodeInvalidParameter, "The referenced container instance was not found.")
	case errors.Is(err, state.ErrBadToken):
		return awserr.Wrap(err, CodeInvalidParameter, "Invalid nextToken.")
	default:
		return &awserr.Error{Code: CodeServer, Message: err.Error(), Status: http.StatusInternalServerError, Cause: err}
	}
}
