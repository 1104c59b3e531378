package ecsops

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// CodeNamespaceNotFound is the exception of a namespace nothing uses.
const CodeNamespaceNotFound = "NamespaceNotFoundException"

// ListServicesByNamespaceInput is ListServicesByNamespace's input.
type ListServicesByNamespaceInput struct {
	// Namespace is a Cloud Map namespace's name or ARN.
	Namespace string `json:"namespace"`
	NextToken string `json:"nextToken"`
	// MaxResults is 1 to 100, 10 by default.
	MaxResults *int `json:"maxResults"`
}

// ListServicesByNamespace lists the services, of every cluster, whose
// Service Connect namespace is the one named. There is no Cloud Map here:
// a namespace is the name or ARN stored in a service's
// serviceConnectConfiguration (or, when the service names none, its
// cluster's serviceConnectDefaults), matched as given or by the ARN's last
// segment; one that no cluster or service names is NamespaceNotFoundException.
func (s *Ops) ListServicesByNamespace(ctx context.Context, in *ListServicesByNamespaceInput) (*ListServicesOutput, error) {
	if in.Namespace == "" {
		return nil, apiErr(invalidParam("namespace must be specified."))
	}
	if len(in.Namespace) > 2048 {
		return nil, apiErr(invalidParam("namespace must be at most 2048 characters."))
	}
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 10, 100)
	if err != nil {
		return nil, apiErr(err)
	}
	out := &ListServicesOutput{ServiceARNs: []string{}}
	err = s.st.View(ctx, func(tx state.Tx) error {
		keys, arns, known, err := servicesInNamespace(tx, in.Namespace)
		if err != nil {
			return err
		}
		if !known {
			return awserr.New(CodeNamespaceNotFound, "The specified namespace wasn't found.")
		}
		page, next := paginate(keys, after, limit)
		out.ServiceARNs, out.NextToken = append(out.ServiceARNs, arns[page.start:page.end]...), next
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// servicesInNamespace returns the keys (cluster/name, in order) and ARNs
// of the ACTIVE services in the namespace, and whether any
// cluster or service names it at all.
func servicesInNamespace(tx state.Tx, ns string) (keys, arns []string, known bool, err error) {
	clusters, err := tx.Clusters()
	if err != nil {
		return nil, nil, false, err
	}
	for _, c := range clusters {
		dflt := namespaceOf(c.ServiceConnectDefaults)
		known = known || namespaceMatches(dflt, ns)
		services, err := tx.Services(c.Name)
		if err != nil {
			return nil, nil, false, err
		}
		for _, svc := range services {
			own := namespaceOf(svc.ServiceConnectConfig)
			known = known || namespaceMatches(own, ns)
			if svc.Status != model.ServiceActive || !serviceConnectEnabled(svc.ServiceConnectConfig) {
				continue
			}
			if own == "" {
				own = dflt
			}
			if namespaceMatches(own, ns) {
				keys, arns = append(keys, c.Name+"/"+svc.Name), append(arns, svc.ARN)
			}
		}
	}
	return keys, arns, known, nil
}

func namespaceOf(raw json.RawMessage) string {
	var v struct {
		Namespace string `json:"namespace"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return v.Namespace
}

func serviceConnectEnabled(raw json.RawMessage) bool {
	var v struct {
		Enabled bool `json:"enabled"`
	}
	return len(raw) > 0 && json.Unmarshal(raw, &v) == nil && v.Enabled
}

// namespaceMatches compares a stored namespace with a requested one, each
// a name or an ARN (servicediscovery:...:namespace/ID): equal, or equal
// last segments.
func namespaceMatches(stored, asked string) bool {
	if stored == "" {
		return false
	}
	last := func(s string) string { return s[strings.LastIndex(s, "/")+1:] }
	return stored == asked || last(stored) == last(asked)
}
