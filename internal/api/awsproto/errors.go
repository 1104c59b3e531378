// Package awsproto holds the AWS wire-protocol pieces the API packages share:
// routing a request to its protocol (JSON 1.1 by X-Amz-Target, Query by
// Action/Version), SigV4 verification, request ids and AWS-shaped errors.
package awsproto

import (
	"errors"
	"net/http"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// Error is an error in the AWS wire shape (see package awserr, where it is
// defined so that operations layers need no wire package).
type Error = awserr.Error

// ClientError returns a 400 Error with the given code and formatted message.
func ClientError(code, format string, args ...any) *Error { return awserr.New(code, format, args...) }

// Errorf returns an Error with an explicit HTTP status.
func Errorf(status int, code, format string, args ...any) *Error {
	return awserr.Status(status, code, format, args...)
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
