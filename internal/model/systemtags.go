package model

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// The tags CloudFormation adds to every resource it makes whose type takes
// tags. They are "system tags": the APIs refuse the aws: prefix from their
// callers, so only an in-process caller sets them (the operations layers'
// SystemTags input members, which no wire decoder fills), and they do not
// count against a resource's tag quota.
const (
	TagCloudFormationStackName = "aws:cloudformation:stack-name"
	TagCloudFormationStackID   = "aws:cloudformation:stack-id"
	TagCloudFormationLogicalID = "aws:cloudformation:logical-id"
)

// ReservedTagKey reports whether key has the aws: prefix AWS keeps for
// itself (in any case, as AWS compares it).
func ReservedTagKey(key string) bool { return strings.HasPrefix(strings.ToLower(key), "aws:") }

// ValidateSystemTags checks the system tags an in-process caller sets: only
// CloudFormation's three keys, each once, with a value of 1-256 characters.
func ValidateSystemTags(tags []Tag) error {
	allowed := []string{TagCloudFormationStackName, TagCloudFormationStackID, TagCloudFormationLogicalID}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case !slices.Contains(allowed, t.Key):
			return paramErr("System tag key '%s' is not one of CloudFormation's.", t.Key)
		case seen[t.Key]:
			return paramErr("Duplicate tag key '%s'.", t.Key)
		case t.Value == "" || utf8.RuneCountInString(t.Value) > 256:
			return paramErr("System tag values must be between 1 and 256 characters.")
		}
		seen[t.Key] = true
	}
	return nil
}

// UserTags returns tags without the reserved (system) ones: what a tag
// quota counts.
func UserTags(tags []Tag) []Tag {
	return slices.DeleteFunc(append([]Tag(nil), tags...), func(t Tag) bool { return ReservedTagKey(t.Key) })
}
