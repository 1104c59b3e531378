package cloudformation

import (
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
)

// form reads Query parameters as the AWS CLI and SDKs flatten them:
// "StackName", "Parameters.member.1.ParameterKey", "Capabilities.member.1".
type form = awsproto.Form

// boolean parses name, false when it was not sent.
func boolean(f form, name string) (bool, error) {
	s := f.Str(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", s, lowerFirst(name))
	}
	return b, nil
}

// integer parses name, at least 1; 0 when it was not sent.
func integer(f form, name string) (int, error) {
	s := f.Str(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have value greater than or equal to 1", s, lowerFirst(name))
	}
	return n, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
