// Package awsproto holds the AWS wire-protocol pieces the API packages share:
// routing a request to its protocol (JSON 1.1 by X-Amz-Target, Query by
// Action/Version), SigV4 verification, request ids and AWS-shaped errors.
package awsproto

import (
	"errors"
	"fmt"
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

// wireError is e as the client sees it. A server fault's message is our
// internals (paths, database errors), so the client gets a generic message
// with the request id instead; the API handler logs the real error with the
// same id.
func wireError(e *Error, requestID string) *Error {
	if e.Status < http.StatusInternalServerError {
		return e
	}
	return &Error{Code: e.Code, Status: e.Status, Sender: e.Sender, Message: fmt.Sprintf(
		"The request processing has failed because of an unknown error, exception or failure. "+
			"The Slipway server's log has the cause under request id %s.", requestID)}
}
