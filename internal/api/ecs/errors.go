package ecs

import (
	"errors"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ECS error codes used by more than one operation.
const (
	codeClient           = "ClientException"
	codeInvalidParameter = "InvalidParameterException"
	codeClusterNotFound  = "ClusterNotFoundException"
	codeServiceNotFound  = "ServiceNotFoundException"
	codeServiceNotActive = "ServiceNotActiveException"
	codeResourceNotFound = "ResourceNotFoundException"
)

func invalidParam(format string, args ...any) error {
	return awsproto.ClientError(codeInvalidParameter, format, args...)
}

func clientErr(format string, args ...any) error {
	return awsproto.ClientError(codeClient, format, args...)
}

// toAPIError classifies domain errors into ECS's error codes and messages.
func toAPIError(err error) *awsproto.Error {
	var ae *awsproto.Error
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &ve):
		return awsproto.ClientError(ve.Kind, "%s", ve.Message)
	case errors.Is(err, state.ErrClusterNotFound):
		return awsproto.ClientError(codeClusterNotFound, "Cluster not found.")
	case errors.Is(err, state.ErrServiceNotFound):
		return awsproto.ClientError(codeServiceNotFound, "Service not found.")
	case errors.Is(err, state.ErrTaskDefinitionNotFound):
		return awsproto.ClientError(codeClient, "Unable to describe task definition.")
	case errors.Is(err, state.ErrTaskNotFound):
		return awsproto.ClientError(codeInvalidParameter, "The referenced task was not found.")
	case errors.Is(err, state.ErrInstanceNotFound):
		return awsproto.ClientError(codeInvalidParameter, "The referenced container instance was not found.")
	case errors.Is(err, state.ErrBadToken):
		return awsproto.ClientError(codeInvalidParameter, "Invalid nextToken.")
	default:
		return awsproto.AsError(err, "ServerException")
	}
}

func awsErr(code, format string, args ...any) error {
	return awsproto.ClientError(code, format, args...)
}
