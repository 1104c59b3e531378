package resourcetype

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrPropertiesInvalid classifies a resource whose properties break its
// type's schema (a required one absent, an unknown one present).
var ErrPropertiesInvalid = errors.New("properties validation failed")

// PropertiesError is CloudFormation's "Properties validation failed" status
// reason for a resource.
type PropertiesError struct {
	LogicalID string
	Problems  []string
}

// Error is worded as CloudFormation's resource status reason.
func (e *PropertiesError) Error() string {
	return fmt.Sprintf("Properties validation failed for resource %s with message: %s", e.LogicalID, strings.Join(e.Problems, ", "))
}

// Unwrap lets errors.Is(err, ErrPropertiesInvalid) match.
func (e *PropertiesError) Unwrap() error { return ErrPropertiesInvalid }

// CheckProperties checks resolved properties against the type: every
// required property present, no property the type does not have.
func (t *Type) CheckProperties(logicalID string, props map[string]any) error {
	var problems []string
	for _, name := range t.RequiredProperties() {
		if _, ok := props[name]; !ok {
			problems = append(problems, fmt.Sprintf("#: required key [%s] not found", name))
		}
	}
	var extra []string
	for name := range props {
		if _, ok := t.Properties[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		problems = append(problems, fmt.Sprintf("#: extraneous key [%s] is not permitted", name))
	}
	if len(problems) > 0 {
		return &PropertiesError{LogicalID: logicalID, Problems: problems}
	}
	return nil
}
