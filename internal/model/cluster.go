package model

import (
	"encoding/json"
	"slices"
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
	// Echoed as given: settings, configuration, capacity providers and
	// service-connect defaults have no effect on one local node.
	Settings                        json.RawMessage `json:"settings,omitempty"`
	Configuration                   json.RawMessage `json:"configuration,omitempty"`
	CapacityProviders               []string        `json:"capacityProviders,omitempty"`
	DefaultCapacityProviderStrategy json.RawMessage `json:"defaultCapacityProviderStrategy,omitempty"`
	ServiceConnectDefaults          json.RawMessage `json:"serviceConnectDefaults,omitempty"`
}

// Tag is an ECS resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ValidateTags applies ECS's tag limits: at most 50 tags, keys 1-128 and
// values 0-256 characters, no duplicate keys, no "aws:" prefix.
func ValidateTags(tags []Tag) error {
	if len(tags) > 50 {
		return paramErr("Tags can have a maximum of 50 tags.")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case len(t.Key) < 1 || len(t.Key) > 128:
			return paramErr("Tag keys must be between 1 and 128 characters.")
		case len(t.Value) > 256:
			return paramErr("Tag values must be at most 256 characters.")
		case len(t.Key) >= 4 && (t.Key[:4] == "aws:" || t.Key[:4] == "AWS:"):
			return paramErr("Tag keys may not start with the reserved prefix 'aws:'.")
		case seen[t.Key]:
			return paramErr("Duplicate tag key '%s'.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

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
