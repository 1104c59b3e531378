package aasops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// Application Auto Scaling's error codes (the shapes of the service model).
const (
	CodeValidation       = "ValidationException"
	CodeObjectNotFound   = "ObjectNotFoundException"
	CodeLimitExceeded    = "LimitExceededException"
	CodeInvalidNextToken = "InvalidNextTokenException"
	CodeResourceNotFound = "ResourceNotFoundException"
	CodeTooManyTags      = "TooManyTagsException"
	CodeInternal         = "InternalServiceException"
)

// ErrNotFound classifies the records that do not exist (a scalable target,
// a policy, a scheduled action); errors.Is sees it through *awserr.Error.
var ErrNotFound = errors.New("application auto scaling: not found")

func errorf(code, format string, args ...any) *awserr.Error { return awserr.New(code, format, args...) }

func invalid(format string, args ...any) *awserr.Error {
	return errorf(CodeValidation, format, args...)
}

// validation is the service framework's wording for a member that breaks a
// model constraint.
func validation(value any, member, constraint string) *awserr.Error {
	v := "null"
	if value != nil {
		v = fmt.Sprintf("'%v'", value)
	}
	return invalid("1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", v, member, constraint)
}

func required(member string) *awserr.Error { return validation(nil, member, "Member must not be null") }

func notFound(format string, args ...any) *awserr.Error {
	e := awserr.Wrap(ErrNotFound, CodeObjectNotFound, format, args...)
	return e
}

// internal wraps an unexpected failure as the service's fault.
func internal(err error) error {
	if _, ok := awserr.As(err); ok || err == nil {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &awserr.Error{Code: CodeInternal, Message: "Internal service error.", Status: http.StatusInternalServerError, Cause: err}
}

// checkString checks a string member against the model's length bounds and
// its character class (no control characters but tab, CR and LF).
func checkString(member, v string, minLen, maxLen int) error {
	switch {
	case v == "" && minLen > 0:
		return required(member)
	case len(v) < minLen:
		return validation(v, member, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	case len(v) > maxLen:
		return validation(v, member, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
	for _, r := range v {
		if (r < 0x20 && r != '\t' && r != '\r' && r != '\n') || r == 0xFFFE || r == 0xFFFF {
			return validation(v, member, `Member must satisfy regular expression pattern: [\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*`)
		}
	}
	return nil
}

// checkEnum checks an enumerated member (empty: absent).
func checkEnum(member, v string, allowed []string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return validation(v, member, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

// checkMaxResults applies DescribeX's MaxResults (1 to 50, default 50).
func checkMaxResults(p *int) (int, error) {
	if p == nil {
		return 50, nil
	}
	if *p < 1 {
		return 0, validation(*p, "maxResults", "Member must have value greater than or equal to 1")
	}
	if *p > 50 {
		return 0, validation(*p, "maxResults", "Member must have value less than or equal to 50")
	}
	return *p, nil
}
