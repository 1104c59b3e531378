// Package awserr is the error every API's operations layer returns for a
// failure the caller must see: an AWS error code ("ClusterNotFoundException",
// "ValidationError"), a message in AWS's words and the HTTP status it is sent
// with. The wire packages encode it in their protocol's shape; callers in
// process (CloudFormation, autoscaling, the console) read Code and Message.
// It has no dependency on any wire protocol.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error in the AWS shape.
type Error struct {
	// Code is the AWS error code, e.g. "InvalidParameterException".
	Code string
	// Message is the human-readable message, worded as AWS words it.
	Message string
	// Status is the HTTP status the error is sent with (400 for client faults).
	Status int
	// Sender is true for client faults (the Query protocol's <Type>Sender</Type>).
	Sender bool
	// Cause is the error this one classifies, if any, so that errors.Is and
	// errors.As still see a sentinel such as state.ErrServiceNotFound.
	Cause error
}

// Error implements error.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the classified cause.
func (e *Error) Unwrap() error { return e.Cause }

// New returns a client fault (HTTP 400) with the given code and formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest, Sender: true}
}

// Status returns an Error with an explicit HTTP status; statuses below 500
// are client faults.
func Status(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status, Sender: status < 500}
}

// Wrap returns a client fault that classifies cause.
func Wrap(cause error, code, format string, args ...any) *Error {
	e := New(code, format, args...)
	e.Cause = cause
	return e
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
