package ecsops

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// DescribeCapacityProvidersInput is DescribeCapacityProviders' input.
type DescribeCapacityProvidersInput struct {
	// CapacityProviders are names or ARNs (at most 100); none means every
	// provider: FARGATE, FARGATE_SPOT and the created ones, by name.
	CapacityProviders []string `json:"capacityProviders"`
	// Cluster, when given, lists only the providers that cluster lists.
	Cluster string `json:"cluster"`
	// Include may hold IncludeTags.
	Include    []string `json:"include"`
	MaxResults *int     `json:"maxResults"`
	NextToken  string   `json:"nextToken"`
}

// DescribeCapacityProvidersOutput is DescribeCapacityProviders' output.
type DescribeCapacityProvidersOutput struct {
	CapacityProviders []CapacityProvider
	Failures          []Failure
	NextToken         string
}

// DescribeCapacityProviders describes providers, 10 a page by default.
func (s *Ops) DescribeCapacityProviders(ctx context.Context, in *DescribeCapacityProvidersInput) (*DescribeCapacityProvidersOutput, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 10, 10)
	if err != nil {
		return nil, apiErr(err)
	}
	if len(in.CapacityProviders) > 100 {
		return nil, invalidParam("capacityProviders can have at most 100 items.")
	}
	withTags := slices.Contains(in.Include, IncludeTags)
	out := &DescribeCapacityProvidersOutput{}
	err = s.st.View(ctx, func(tx state.Tx) error {
		found, failures, err := capacityProvidersNamed(tx, in.CapacityProviders, in.Cluster)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(found))
		for _, cp := range found {
			keys = append(keys, cp.Name)
		}
		page, next := paginate(keys, after, limit)
		out.CapacityProviders, out.Failures, out.NextToken = []CapacityProvider{}, failures, next
		for _, cp := range found[page.start:page.end] {
			view := CapacityProvider{CapacityProvider: cp}
			if withTags {
				if view.Tags, err = tx.Tags(cp.ARN); err != nil {
					return err
				}
			}
			out.CapacityProviders = append(out.CapacityProviders, view)
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// capacityProvidersNamed resolves the names (none: every provider, the
// INACTIVE ones left out), restricted to a cluster's when one is given.
func capacityProvidersNamed(tx state.Tx, refs []string, clusterRef string) ([]model.CapacityProvider, []Failure, error) {
	failures := []Failure{}
	if len(refs) == 0 {
		refs = []string{model.CapacityFargate, model.CapacityFargateSpot}
		created, err := store.ListJSON[model.CapacityProvider](tx, bucketCapacityProviders, "")
		if err != nil {
			return nil, nil, err
		}
		for _, cp := range created {
			if cp.Status == model.CapacityProviderActive {
				refs = append(refs, cp.Name)
			}
		}
	}
	var listed []string
	if clusterRef != "" {
		c, err := tx.ActiveCluster(clusterName(clusterRef))
		if err != nil {
			return nil, nil, err
		}
		listed = c.CapacityProviders
	}
	var found []model.CapacityProvider
	for _, ref := range refs {
		cp, ok, err := capacityProvider(tx, ref)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			failures = append(failures, Failure{ARN: tx.Partition.CapacityProviderARN(ref), Reason: "MISSING"})
			continue
		}
		if clusterRef == "" || slices.Contains(listed, cp.Name) {
			found = append(found, cp)
		}
	}
	return found, failures, nil
}

// PutClusterCapacityProvidersInput is PutClusterCapacityProviders' input.
type PutClusterCapacityProvidersInput struct {
	Cluster string `json:"cluster"`
	// CapacityProviders replace the cluster's (ACTIVE providers only).
	CapacityProviders []string `json:"capacityProviders"`
	// DefaultCapacityProviderStrategy may name only those providers.
	DefaultCapacityProviderStrategy []model.CapacityProviderStrategyItem `json:"defaultCapacityProviderStrategy"`
}

// PutClusterCapacityProviders sets an ACTIVE cluster's capacity providers
// and default strategy (stored and echoed: every task runs on the
// cluster's registered container instances).
func (s *Ops) PutClusterCapacityProviders(ctx context.Context, in *PutClusterCapacityProvidersInput) (*Cluster, error) {
	if err := model.MaxItems("capacityProviders", len(in.CapacityProviders), model.MaxCapacityProviders); err != nil {
		return nil, apiErr(err)
	}
	if err := model.ValidateCapacityProviderStrategy(in.DefaultCapacityProviderStrategy); err != nil {
		return nil, apiErr(err)
	}
	for _, it := range in.DefaultCapacityProviderStrategy {
		if !slices.Contains(in.CapacityProviders, it.CapacityProvider) {
			return nil, invalidParam("The capacity provider strategy names %s, which is not one of the cluster's capacity providers.", it.CapacityProvider)
		}
	}
	strategy, err := json.Marshal(in.DefaultCapacityProviderStrategy)
	if err != nil {
		return nil, err
	}
	out, err := s.updateClusterTx(ctx, in.Cluster, func(tx state.Tx, c *model.Cluster) error {
		for _, name := range in.CapacityProviders {
			cp, ok, err := capacityProvider(tx, name)
			if err != nil {
				return err
			}
			if !ok || cp.Status != model.CapacityProviderActive {
				return invalidParam("The specified capacity provider %s does not exist.", name)
			}
		}
		c.CapacityProviders = slices.Clone(in.CapacityProviders)
		c.DefaultCapacityProviderStrategy = strategy
		if len(in.DefaultCapacityProviderStrategy) == 0 {
			c.DefaultCapacityProviderStrategy = nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("cluster capacity providers put", "cluster", out.Name, "providers", len(in.CapacityProviders))
	return out, nil
}

// checkCapacityStrategy applies ECS's rules to a service's
// capacityProviderStrategy: its bounds, no launchType beside it, and only
// FARGATE, FARGATE_SPOT or the cluster's own providers. The strategy
// splits tasks across its providers (scheduler.SplitByStrategy), all of
// which run on the cluster's container instances (docs/ecs.md).
func checkCapacityStrategy(cluster model.Cluster, raw json.RawMessage, launchType string) error {
	if len(raw) == 0 {
		return nil
	}
	var items []model.CapacityProviderStrategyItem
	if err := json.Unmarshal(raw, &items); err != nil {
		return invalidParam("capacityProviderStrategy is not valid: %v", err)
	}
	if len(items) > 0 && launchType != "" {
		return invalidParam("Specifying both a launchType and capacityProviderStrategy is not supported.")
	}
	if err := model.ValidateCapacityProviderStrategy(items); err != nil {
		return apiErr(err)
	}
	for _, it := range items {
		if !slices.Contains(cluster.CapacityProviders, it.CapacityProvider) &&
			it.CapacityProvider != model.CapacityFargate && it.CapacityProvider != model.CapacityFargateSpot {
			return invalidParam("The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. " +
				"Associate the capacity provider with the cluster or specify a valid capacity provider and try again.")
		}
	}
	return nil
}
