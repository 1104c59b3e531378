package model

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Cluster statuses.
const (
	ClusterActive   = "ACTIVE"
	ClusterInactive = "INACTIVE"
)

// DefaultClusterName is the cluster used when a request names none, and
// which ECS creates on first use.
const DefaultClusterName = "default"

// Cluster is an ECS cluster. Counts are derived from tasks and services when
// it is described, never stored.
type Cluster struct {
	Name      string `json:"clusterName"`
	ARN       string `json:"clusterArn"`
	Status    string `json:"status"`
	CreatedAt Time   `json:"createdAt"`
	// Settings hold the cluster's containerInsights (from the account
	// setting unless given). Echoed as given: configuration, capacity
	// providers and service-connect defaults have no effect on one local
	// node.
	Settings                        []ClusterSetting `json:"settings,omitempty"`
	Configuration                   json.RawMessage  `json:"configuration,omitempty"`
	CapacityProviders               []string         `json:"capacityProviders,omitempty"`
	DefaultCapacityProviderStrategy json.RawMessage  `json:"defaultCapacityProviderStrategy,omitempty"`
	ServiceConnectDefaults          json.RawMessage  `json:"serviceConnectDefaults,omitempty"`
}

// ClusterSetting is a cluster setting: containerInsights is the only one.
type ClusterSetting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ValidateClusterSettings applies ECS's rules: each setting is
// containerInsights with the account setting's values, given once.
func ValidateClusterSettings(settings []ClusterSetting) error {
	spec, _ := AccountSettingSpec(SettingContainerInsights)
	seen := map[string]bool{}
	for _, cs := range settings {
		switch {
		case cs.Name != SettingContainerInsights:
			return paramErr("The cluster setting name must be %s.", SettingContainerInsights)
		case !slices.Contains(spec.Values, cs.Value):
			return paramErr("The value of %s must be one of %s.", cs.Name, strings.Join(spec.Values, ", "))
		case seen[cs.Name]:
			return paramErr("The cluster setting %s is given more than once.", cs.Name)
		}
		seen[cs.Name] = true
	}
	return nil
}

// MergeClusterSettings returns have with the settings of set changed or added.
func MergeClusterSettings(have, set []ClusterSetting) []ClusterSetting {
	out := slices.Clone(have)
	for _, cs := range set {
		if i := slices.IndexFunc(out, func(o ClusterSetting) bool { return o.Name == cs.Name }); i >= 0 {
			out[i] = cs
		} else {
			out = append(out, cs)
		}
	}
	return out
}

// Tag is an ECS resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// MaxTags is ECS's and ELB's quota of tags per resource.
const MaxTags = 50

// tagPattern is the character set AWS allows in tag keys and values:
// letters, numbers, spaces and _ . : / = + - @ (no control characters).
var tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// ValidateTags applies ECS's tag limits: at most 50 tags, keys 1-128 and
// values 0-256 characters of the allowed set, no duplicate keys, no "aws:"
// prefix.
func ValidateTags(tags []Tag) error {
	if len(tags) > MaxTags {
		return paramErr("Tags can have a maximum of %d tags.", MaxTags)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case utf8.RuneCountInString(t.Key) < 1 || utf8.RuneCountInString(t.Key) > 128:
			return paramErr("Tag keys must be between 1 and 128 characters.")
		case utf8.RuneCountInString(t.Value) > 256:
			return paramErr("Tag values must be at most 256 characters.")
		case !ValidTagText(t.Key) || !ValidTagText(t.Value):
			return paramErr("Tag keys and values may only contain letters, numbers, spaces and the characters _ . : / = + - @.")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return paramErr("Tag keys may not start with the reserved prefix 'aws:'.")
		case seen[t.Key]:
			return paramErr("Duplicate tag key '%s'.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// ValidTagText reports whether s uses only the characters AWS allows in
// tag keys and values.
func ValidTagText(s string) bool { return utf8.ValidString(s) && tagPattern.MatchString(s) }

// MergeTags returns have with add applied: a key already present takes the
// new value, a new key is appended.
func MergeTags(have, add []Tag) []Tag {
	out := append([]Tag(nil), have...)
	for _, t := range add {
		i := slices.IndexFunc(out, func(o Tag) bool { return o.Key == t.Key })
		if i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	return out
}

// RemoveTagKeys returns have without the tags whose keys are listed.
func RemoveTagKeys(have []Tag, keys []string) []Tag {
	return slices.DeleteFunc(append([]Tag(nil), have...), func(t Tag) bool { return slices.Contains(keys, t.Key) })
}
