package template

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// The classes of template errors. Every error this package returns is an
// *awserr.Error whose Cause is one of these, so callers classify with
// errors.Is and show Message as it is.
var (
	// ErrFormat is a "Template format error: ..." (the template is malformed).
	ErrFormat = errors.New("template format error")
	// ErrTemplate is a "Template error: ..." (an intrinsic function cannot be
	// evaluated with the values given).
	ErrTemplate = errors.New("template error")
	// ErrParameters is a parameter value that is missing or breaks a constraint.
	ErrParameters = errors.New("invalid parameters")
	// ErrCapabilities is a missing capability acknowledgement.
	ErrCapabilities = errors.New("insufficient capabilities")
	// ErrUnresolved marks an *UnresolvedError: a reference to a resource whose
	// physical id or attribute is not known yet.
	ErrUnresolved = errors.New("unresolved resource references")
	// ErrImport is an Fn::ImportValue of a name that no stack exports.
	ErrImport = errors.New("export not found")
)

// CodeValidation is the error code CloudFormation sends for a bad template.
const CodeValidation = "ValidationError"

// CodeInsufficientCapabilities is the error code of a missing capability.
const CodeInsufficientCapabilities = "InsufficientCapabilitiesException"

func formatErr(format string, args ...any) error {
	return awserr.Wrap(ErrFormat, CodeValidation, "Template format error: "+format, args...)
}

func templateErr(format string, args ...any) error {
	return awserr.Wrap(ErrTemplate, CodeValidation, "Template error: "+format, args...)
}

func paramErr(format string, args ...any) error {
	return awserr.Wrap(ErrParameters, CodeValidation, format, args...)
}

// bracketList renders names as CloudFormation lists them in messages: "[A, B]".
func bracketList(names []string) string {
	s := append([]string(nil), names...)
	sort.Strings(s)
	return "[" + strings.Join(s, ", ") + "]"
}

// UnresolvedError reports references to resources whose physical ids or
// attributes the Resolver does not know yet: the engine creates those first.
type UnresolvedError struct {
	// Resources are the logical ids referred to, sorted, without repeats.
	Resources []string
}

// Error implements error.
func (e *UnresolvedError) Error() string {
	return fmt.Sprintf("unresolved references to %s", bracketList(e.Resources))
}

// Unwrap lets errors.Is(err, ErrUnresolved) match.
func (e *UnresolvedError) Unwrap() error { return ErrUnresolved }
