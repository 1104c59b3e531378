package aasops

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// ecsName is the pattern of ECS cluster and service names.
var ecsName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,255}$`)

// errUnsupported is the service's answer for a namespace, resource type and
// dimension that do not go together.
func errUnsupported() error {
	return invalid("Unsupported service namespace, resource type or scalable dimension")
}

// checkNamespace checks ServiceNamespace: required, one of the model's, and
// ecs, the only one Slipway scales.
func checkNamespace(ns string) error {
	if ns == "" {
		return required("serviceNamespace")
	}
	if err := checkEnum("serviceNamespace", ns, serviceNamespaces); err != nil {
		return err
	}
	if ns != NamespaceECS {
		return invalid("Slipway scales ECS services only: service namespace %s is not supported; use ecs with scalable dimension %s.", ns, DimensionECSDesire)
	}
	return nil
}

// checkDimension checks an optional ScalableDimension.
func checkDimension(dim string) error {
	if err := checkEnum("scalableDimension", dim, scalableDimensions); err != nil {
		return err
	}
	if dim != "" && dim != DimensionECSDesire {
		return errUnsupported()
	}
	return nil
}

// parseResourceID splits an ECS service's resource id service/CLUSTER/SERVICE.
func parseResourceID(member, rid string) (cluster, service string, err error) {
	if err := checkString(member, rid, 1, 1600); err != nil {
		return "", "", err
	}
	parts := strings.Split(rid, "/")
	if len(parts) != 3 || parts[0] != "service" {
		return "", "", errUnsupported()
	}
	if !ecsName.MatchString(parts[1]) || !ecsName.MatchString(parts[2]) {
		return "", "", invalid("Invalid resource ID %s: an ECS service's is service/CLUSTER/SERVICE with the cluster's and the service's names.", rid)
	}
	return parts[1], parts[2], nil
}

// checkTarget checks the three members that name a scalable target, all
// required, and returns the ECS cluster and service.
func checkTarget(ns, rid, dim string) (cluster, service string, err error) {
	if err := checkNamespace(ns); err != nil {
		return "", "", err
	}
	if rid == "" {
		return "", "", required("resourceId")
	}
	if dim == "" {
		return "", "", required("scalableDimension")
	}
	if err := checkDimension(dim); err != nil {
		return "", "", err
	}
	return parseResourceID("resourceId", rid)
}

// checkFilter checks a Describe operation's namespace, optional resource id
// and dimension.
func checkFilter(ns, rid, dim string) error {
	if err := checkNamespace(ns); err != nil {
		return err
	}
	if err := checkDimension(dim); err != nil {
		return err
	}
	if rid != "" {
		return checkString("resourceId", rid, 1, 1600)
	}
	return nil
}

// Page tokens carry the key of the last item returned; they are opaque to
// clients, and one that does not decode is refused.
func pageToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte("aas1:" + key)) }

func parsePageToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	key, ok := strings.CutPrefix(string(b), "aas1:")
	if err != nil || !ok || tok == "" {
		return "", errorf(CodeInvalidNextToken, "Invalid NextToken")
	}
	return key, nil
}

// page cuts the items after the token's key; the items are in key order
// (descending when desc), keyOf gives an item's key.
func page[T any](items []T, keyOf func(T) string, desc bool, token string, limit int) ([]T, string, error) {
	start := 0
	if token != "" {
		after, err := parsePageToken(token)
		if err != nil {
			return nil, "", err
		}
		start = len(items)
		for i, it := range items {
			if k := keyOf(it); (!desc && k > after) || (desc && k < after) {
				start = i
				break
			}
		}
	}
	items = items[start:]
	if len(items) > limit {
		return items[:limit], pageToken(keyOf(items[limit-1])), nil
	}
	return items, "", nil
}

func boolPtr(b bool) *bool { return &b }

func intPtr(n int) *int { return &n }
