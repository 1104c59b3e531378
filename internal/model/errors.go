package model

import (
	"errors"
	"fmt"
)

// ErrInvalid marks a validation failure; the API answers it as a client
// error with the message unchanged.
var ErrInvalid = errors.New("invalid")

// ValidationError is a client error with an ECS-worded message. Kind is the
// ECS error code to use (ClientException or InvalidParameterException).
type ValidationError struct {
	Kind    string
	Message string
}

func (e *ValidationError) Error() string { return e.Message }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// clientErr returns a ClientException-kind ValidationError.
func clientErr(format string, args ...any) error {
	return &ValidationError{Kind: "ClientException", Message: fmt.Sprintf(format, args...)}
}

// paramErr returns an InvalidParameterException-kind ValidationError.
func paramErr(format string, args ...any) error {
	return &ValidationError{Kind: "InvalidParameterException", Message: fmt.Sprintf(format, args...)}
}
