// Package awsproto holds the AWS wire-protocol pieces the API packages share:
// routing a request to its protocol (JSON 1.1 by X-Amz-Target, Query by
// Action/Version), SigV4 verification, request ids and AWS-shaped errors.
package awsproto

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error in the AWS wire shape: a code such as
// "ClusterNotFoundException" or "LoadBalancerNotFound", a message, and the
// HTTP status it is sent with.
type Error struct {
	Code    string
	Message string
	Status  int
	// Sender is true for client faults (ELB's <Type>Sender</Type>).
	Sender bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ClientError returns a 400 Error with the given code and formatted message.
func ClientError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest, Sender: true}
}

// Errorf returns an Error with an explicit HTTP status.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status, Sender: status < 500}
}

// AsError converts any error into an *Error; errors that are not already
// AWS-shaped become the given server-fault code with HTTP 500, because an
// unclassified error is our fault, not the caller's.
func AsError(err error, serverCode string) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: serverCode, Message: err.Error(), Status: http.StatusInternalServerError}
}
