package model

import (
	"strings"
	"unicode/utf8"
)

// MaxELBTags is ELB's quota of tags per resource.
const MaxELBTags = 50

// ValidateELBTags checks the tags of one request: keys 1-128 characters,
// values up to 256, of the characters AWS allows, no "aws:" prefix, no key
// twice (DuplicateTagKeys).
func ValidateELBTags(tags []Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case utf8.RuneCountInString(t.Key) < 1 || utf8.RuneCountInString(t.Key) > 128:
			return elbInvalid("Tag key '%s' must be 1 to 128 characters long", t.Key)
		case utf8.RuneCountInString(t.Value) > 256:
			return elbInvalid("Tag value of key '%s' cannot be longer than '256' characters", t.Key)
		case !ValidTagText(t.Key) || !ValidTagText(t.Value):
			return elbInvalid("Tag keys and values can only contain letters, numbers, spaces and the characters _ . : / = + - @")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return elbInvalid("Tag key '%s' cannot start with the reserved prefix 'aws:'", t.Key)
		case seen[t.Key]:
			return elbErr(ELBDuplicateTagKeys, "Tag key '%s' is specified more than once", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}
