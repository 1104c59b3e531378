package stack

import (
	"errors"
	"net/http"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// Sentinels that classify the engine's errors. The *awserr.Error values the
// engine returns wrap them, in CloudFormation's codes and words.
var (
	// ErrStackNotFound: no stack by that name or id.
	ErrStackNotFound = errors.New("stack not found")
	// ErrStackExists: a live stack has the name.
	ErrStackExists = errors.New("stack already exists")
	// ErrNoUpdates: the update changes nothing.
	ErrNoUpdates = errors.New("no updates are to be performed")
	// ErrStackBusy: the stack's status does not allow the operation.
	ErrStackBusy = errors.New("stack status does not allow the operation")
	// ErrChangeSetNotFound: no change set by that name or id.
	ErrChangeSetNotFound = errors.New("change set not found")
	// ErrChangeSetExists: the stack has a change set by that name.
	ErrChangeSetExists = errors.New("change set already exists")
	// ErrChangeSetStatus: the change set's status does not allow the operation.
	ErrChangeSetStatus = errors.New("change set status does not allow the operation")
	// ErrInvalidInput: a request is malformed.
	ErrInvalidInput = errors.New("invalid input")
	// ErrNotFound is what a Provider wraps when the physical resource does not
	// exist: deleting it is then done.
	ErrNotFound = errors.New("resource not found")
	// ErrUnsupported is what a Provider wraps for a property value Slipway
	// refuses.
	ErrUnsupported = errors.New("unsupported property value")
)

// CloudFormation's error codes.
const (
	CodeValidation          = "ValidationError"
	CodeAlreadyExists       = "AlreadyExistsException"
	CodeChangeSetNotFound   = "ChangeSetNotFound"
	CodeInvalidChangeSet    = "InvalidChangeSetStatus"
	CodeLimitExceeded       = "LimitExceededException"
	CodeTokenAlreadyExists  = "TokenAlreadyExistsException"
	CodeInsufficientCapabil = "InsufficientCapabilitiesException"
)

func validation(cause error, format string, args ...any) error {
	return awserr.Wrap(cause, CodeValidation, format, args...)
}

func stackNotFound(name string) error {
	return validation(ErrStackNotFound, "Stack with id %s does not exist", name)
}

func changeSetNotFound(name string) error {
	e := awserr.Wrap(ErrChangeSetNotFound, CodeChangeSetNotFound, "ChangeSet [%s] does not exist", name)
	e.Status = http.StatusNotFound
	return e
}

func stateRefused(s *Stack, what string) error {
	return validation(ErrStackBusy, "Stack:%s is in %s state and can not be %s.", s.ID, s.Status, what)
}
