package ecsops

import (
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// clusterName resolves a cluster reference (name, ARN or empty for the
// default cluster) to its name.
func clusterName(ref string) string {
	if ref == "" {
		return model.DefaultClusterName
	}
	if a, ok := model.ParseARN(ref); ok {
		return strings.TrimPrefix(a.Resource, "cluster/")
	}
	return ref
}

// serviceName resolves a service name or ARN (short service/NAME or long
// service/CLUSTER/NAME format) to its name.
func serviceName(ref string) string {
	if a, ok := model.ParseARN(ref); ok {
		return a.LastSegment()
	}
	return ref
}

// taskID resolves a task id or ARN (task/ID or task/CLUSTER/ID) to its id.
func taskID(ref string) string {
	if a, ok := model.ParseARN(ref); ok {
		return a.LastSegment()
	}
	return ref
}

// pageSize applies ECS's paging bounds: default def, at most max.
func pageSize(maxResults *int, def, max int) (int, error) {
	if maxResults == nil {
		return def, nil
	}
	if *maxResults < 1 || *maxResults > max {
		return 0, invalidParam("maxResults must be between 1 and %d.", max)
	}
	return *maxResults, nil
}

// pageParams reads a list operation's paging input: the page size within
// ECS's bounds and the position after which the page starts.
func pageParams(maxResults *int, token string, def, max int) (int, string, error) {
	limit, err := pageSize(maxResults, def, max)
	if err != nil {
		return 0, "", err
	}
	after, err := state.DecodeToken(token)
	return limit, after, err
}

// enumParam checks an enumerated parameter; an empty value means the first
// allowed one, which is ECS's default for each of these parameters.
func enumParam(name, value string, allowed ...string) (string, error) {
	if value == "" {
		return allowed[0], nil
	}
	if !slices.Contains(allowed, value) {
		return "", invalidParam("%s must be one of %s.", name, strings.Join(allowed, ", "))
	}
	return value, nil
}

type pageRange struct{ start, end int }

// paginate finds the page after the key `after` in an ordered key list and
// returns its bounds and the next token.
func paginate(keys []string, after string, limit int) (pageRange, string) {
	start := 0
	if after != "" {
		start = slices.Index(keys, after) + 1
	}
	end := min(start+limit, len(keys))
	next := ""
	if end < len(keys) {
		next = state.EncodeToken(keys[end-1])
	}
	return pageRange{start, end}, next
}
