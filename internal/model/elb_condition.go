package model

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Rule condition fields.
const (
	FieldHostHeader  = "host-header"
	FieldPathPattern = "path-pattern"
	FieldHTTPHeader  = "http-header"
	FieldMethod      = "http-request-method"
	FieldQueryString = "query-string"
	FieldSourceIP    = "source-ip"
)

var conditionFields = []string{FieldHTTPHeader, FieldMethod, FieldHostHeader, FieldPathPattern, FieldQueryString, FieldSourceIP}

// RuleCondition is one rule condition in one form, whichever form (legacy
// Values or the *Config structures) the request used.
type RuleCondition struct {
	Field string `json:"field"`
	// Values are the condition's values (host-header, path-pattern,
	// http-header, http-request-method, source-ip).
	Values []string `json:"values,omitempty"`
	// HTTPHeaderName is the header an http-header condition inspects.
	HTTPHeaderName string `json:"httpHeaderName,omitempty"`
	// QueryString holds a query-string condition's pairs; Key may be empty.
	QueryString []QueryStringPair `json:"queryString,omitempty"`
}

// QueryStringPair is one key/value pair of a query-string condition.
type QueryStringPair struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value"`
}

var (
	methodPattern = regexp.MustCompile(`^[A-Za-z_-]{1,40}$`)
	headerPattern = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$")
)

// ValidateConditions checks a non-default rule's conditions as ELB does:
// at least one, known fields, host-header, path-pattern,
// http-request-method and source-ip at most once each, and at most
// MaxConditionValues values in all.
func ValidateConditions(conds []RuleCondition) error {
	if len(conds) == 0 {
		return elbInvalid("A rule must have at least one condition")
	}
	once := map[string]bool{}
	total, wildcards := 0, 0
	for _, c := range conds {
		if !slices.Contains(conditionFields, c.Field) {
			return elbInvalid("Condition field '%s' must be one of '[%s]'", c.Field, strings.Join(conditionFields, ", "))
		}
		if c.Field != FieldHTTPHeader && c.Field != FieldQueryString {
			if once[c.Field] {
				return elbInvalid("A rule can only have one '%s' condition", c.Field)
			}
			once[c.Field] = true
		}
		n, err := validateCondition(c)
		if err != nil {
			return err
		}
		total += n
		if c.Field == FieldHostHeader || c.Field == FieldPathPattern {
			for _, v := range c.Values {
				wildcards += strings.Count(v, "*") + strings.Count(v, "?")
			}
		}
	}
	if total > MaxConditionValues {
		return elbErr(ELBInvalidConfiguration, "A rule can only have '%d' condition values", MaxConditionValues)
	}
	if wildcards > MaxConditionWildcards {
		return elbErr(ELBInvalidConfiguration, "A rule can only have '%d' wildcards", MaxConditionWildcards)
	}
	return nil
}

// validateCondition returns how many values c counts toward the rule's limit.
func validateCondition(c RuleCondition) (int, error) {
	if c.Field == FieldQueryString {
		if len(c.QueryString) == 0 {
			return 0, elbInvalid("A '%s' condition must have at least one key/value pair", c.Field)
		}
		for _, kv := range c.QueryString {
			if kv.Value == "" || len(kv.Value) > 128 || len(kv.Key) > 128 || !printable(kv.Key) || !printable(kv.Value) {
				return 0, elbInvalid("Query string values must be 1 to 128 characters and keys at most 128 characters, without control characters")
			}
		}
		return len(c.QueryString), nil
	}
	if len(c.Values) == 0 {
		return 0, elbInvalid("A '%s' condition must have at least one value", c.Field)
	}
	if c.Field == FieldHTTPHeader && !headerPattern.MatchString(c.HTTPHeaderName) {
		return 0, elbInvalid("HTTP header name '%s' is not valid", c.HTTPHeaderName)
	}
	for _, v := range c.Values {
		if err := validateConditionValue(c.Field, v); err != nil {
			return 0, err
		}
	}
	return len(c.Values), nil
}

func validateConditionValue(field, v string) error {
	switch field {
	case FieldMethod:
		if !methodPattern.MatchString(v) {
			return elbInvalid("HTTP request method '%s' is not valid", v)
		}
	case FieldSourceIP:
		if _, err := netip.ParsePrefix(v); err != nil {
			return elbInvalid("Source IP '%s' must be a CIDR block", v)
		}
	default:
		if v == "" || len(v) > 128 || !printable(v) {
			return elbInvalid("Condition value %q must be 1 to 128 characters long, without control characters", v)
		}
	}
	return nil
}
