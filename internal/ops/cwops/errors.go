package cwops

import (
	"fmt"
	"net/http"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// CloudWatch's error codes, as the Query protocol names them (the JSON and
// CBOR protocols send the model's shape name in __type and this code in
// X-Amzn-Query-Error; the wire package maps one to the other).
const (
	CodeValidation          = "ValidationError"
	CodeInvalidParameter    = "InvalidParameterValue"
	CodeMissingParameter    = "MissingParameter"
	CodeInvalidCombination  = "InvalidParameterCombination"
	CodeResourceNotFound    = "ResourceNotFound"
	CodeTagResourceNotFound = "ResourceNotFoundException"
	CodeLimitExceeded       = "LimitExceeded"
	CodeInvalidNextToken    = "InvalidNextToken"
	CodeInvalidFormat       = "InvalidFormat"
)

// ShapeNames maps each code to the name of its shape in the service model
// (the __type of the JSON and CBOR protocols).
var ShapeNames = map[string]string{
	CodeInvalidParameter:    "InvalidParameterValueException",
	CodeMissingParameter:    "MissingRequiredParameterException",
	CodeInvalidCombination:  "InvalidParameterCombinationException",
	CodeResourceNotFound:    "ResourceNotFound",
	CodeTagResourceNotFound: "ResourceNotFoundException",
	CodeLimitExceeded:       "LimitExceededFault",
	CodeInvalidNextToken:    "InvalidNextToken",
	CodeInvalidFormat:       "InvalidFormatFault",
	CodeValidation:          "ValidationException",
}

func errorf(code, format string, args ...any) *awserr.Error { return awserr.New(code, format, args...) }

// invalidValue is CloudWatch's InvalidParameterValue wording.
func invalidValue(param string, value any) *awserr.Error {
	return errorf(CodeInvalidParameter, "The value %v for parameter %s is invalid.", value, param)
}

// validation is the service framework's ValidationError wording for a
// member that breaks a model constraint.
func validation(value any, member, constraint string) *awserr.Error {
	v := "null"
	if value != nil {
		v = fmt.Sprintf("'%v'", value)
	}
	return errorf(CodeValidation, "1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", v, member, constraint)
}

func required(member string) *awserr.Error { return validation(nil, member, "Member must not be null") }

func notFound(format string, args ...any) *awserr.Error {
	e := awserr.New(CodeResourceNotFound, format, args...)
	e.Status = http.StatusNotFound
	return e
}

// checkLen checks a string member's length against the model's bounds.
func checkLen(member, v string, min, max int) error {
	switch {
	case len(v) < min && v == "" && min > 0:
		return required(member)
	case len(v) < min:
		return validation(v, member, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	case len(v) > max:
		return validation(v, member, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return validation(v, member, "Member must not contain control characters")
		}
	}
	return nil
}

// checkEnum checks an optional enumerated member.
func checkEnum(member, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return validation(v, member, fmt.Sprintf("Member must satisfy enum value set: %v", allowed))
}
