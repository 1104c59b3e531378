package ecsops

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// Capacity providers: FARGATE and FARGATE_SPOT are always there; created
// ones (EC2_AUTOSCALING, MANAGED_INSTANCES) keep their configuration,
// stored and echoed, since Slipway's capacity is the container instances
// its agents register. Deleted ones stay INACTIVE.

// bucketCapacityProviders holds name → model.CapacityProvider.
const bucketCapacityProviders store.Bucket = "ecs_capacity_providers"

// CapacityProvider is a capacity provider as ECS describes it.
type CapacityProvider struct {
	model.CapacityProvider
	// Tags are the provider's tags, when asked for.
	Tags []model.Tag
}

// capacityProvider looks a provider up by name or ARN (ok false when none).
func capacityProvider(tx state.Tx, ref string) (model.CapacityProvider, bool, error) {
	name := ref[strings.LastIndex(ref, "/")+1:]
	if cp, ok := tx.Partition.BuiltinCapacityProvider(name); ok {
		return cp, true, nil
	}
	cp, err := store.GetJSON[model.CapacityProvider](tx, bucketCapacityProviders, name)
	if isStoreNotFound(err) {
		return cp, false, nil
	}
	return cp, err == nil, err
}

// CreateCapacityProviderInput is CreateCapacityProvider's input.
type CreateCapacityProviderInput struct {
	Name string `json:"name"`
	// Cluster scopes a MANAGED_INSTANCES provider.
	Cluster                  string          `json:"cluster"`
	AutoScalingGroupProvider json.RawMessage `json:"autoScalingGroupProvider"`
	ManagedInstancesProvider json.RawMessage `json:"managedInstancesProvider"`
	Tags                     []model.Tag     `json:"tags"`
}

// CreateCapacityProvider creates an ACTIVE provider of one of the two kinds.
func (s *Ops) CreateCapacityProvider(ctx context.Context, in *CreateCapacityProviderInput) (*CapacityProvider, error) {
	cp, err := newCapacityProvider(in)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(ctx, func(tx state.Tx) error {
		if have, ok, err := capacityProvider(tx, in.Name); err != nil {
			return err
		} else if ok && have.Status == model.CapacityProviderActive {
			return clientErr("The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.")
		}
		if in.Cluster != "" {
			c, err := tx.ActiveCluster(clusterName(in.Cluster))
			if err != nil {
				return err
			}
			cp.Cluster = c.ARN
		}
		cp.ARN = tx.Partition.CapacityProviderARN(cp.Name)
		if err := tx.PutTags(cp.ARN, in.Tags); err != nil {
			return err
		}
		return store.PutJSON(tx, bucketCapacityProviders, cp.Name, cp)
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("capacity provider created", "name", cp.Name, "type", cp.Type)
	return &CapacityProvider{CapacityProvider: cp, Tags: in.Tags}, nil
}

func newCapacityProvider(in *CreateCapacityProviderInput) (model.CapacityProvider, error) {
	cp := model.CapacityProvider{Name: in.Name, Status: model.CapacityProviderActive, UpdateStatus: model.CapacityCreateComplete,
		AutoScalingGroupProvider: in.AutoScalingGroupProvider, ManagedInstancesProvider: in.ManagedInstancesProvider}
	switch {
	case !model.ValidCapacityProviderName(in.Name):
		return cp, invalidParam("The capacity provider name must be 1-255 letters, numbers, hyphens and underscores, and can't be prefixed with \"aws\", \"ecs\", or \"fargate\".")
	case (len(in.AutoScalingGroupProvider) > 0) == (len(in.ManagedInstancesProvider) > 0):
		return cp, invalidParam("Specify either autoScalingGroupProvider or managedInstancesProvider.")
	case len(in.ManagedInstancesProvider) > 0 && in.Cluster == "":
		return cp, invalidParam("cluster must be specified for a managed instances capacity provider.")
	}
	cp.Type = model.CapacityEC2AutoScaling
	if len(in.ManagedInstancesProvider) > 0 {
		cp.Type = model.CapacityManaged
	} else if err := requireASGArn(in.AutoScalingGroupProvider); err != nil {
		return cp, err
	}
	if err := validateEchoed(echoed{"autoScalingGroupProvider", in.AutoScalingGroupProvider},
		echoed{"managedInstancesProvider", in.ManagedInstancesProvider}); err != nil {
		return cp, err
	}
	return cp, apiErr(model.ValidateTags(in.Tags))
}

func requireASGArn(raw json.RawMessage) error {
	var asg struct {
		ARN string `json:"autoScalingGroupArn"`
	}
	if json.Unmarshal(raw, &asg) != nil || asg.ARN == "" {
		return invalidParam("autoScalingGroupProvider.autoScalingGroupArn must be specified.")
	}
	return nil
}

// UpdateCapacityProviderInput is UpdateCapacityProvider's input.
type UpdateCapacityProviderInput struct {
	Name                     string          `json:"name"`
	Cluster                  string          `json:"cluster"`
	AutoScalingGroupProvider json.RawMessage `json:"autoScalingGroupProvider"`
	ManagedInstancesProvider json.RawMessage `json:"managedInstancesProvider"`
}

// UpdateCapacityProvider merges the given configuration into a created,
// ACTIVE provider's (stored and echoed).
func (s *Ops) UpdateCapacityProvider(ctx context.Context, in *UpdateCapacityProviderInput) (*CapacityProvider, error) {
	if err := validateEchoed(echoed{"autoScalingGroupProvider", in.AutoScalingGroupProvider},
		echoed{"managedInstancesProvider", in.ManagedInstancesProvider}); err != nil {
		return nil, err
	}
	var out CapacityProvider
	err := s.st.Update(ctx, func(tx state.Tx) error {
		cp, err := createdProvider(tx, in.Name)
		if err != nil {
			return err
		}
		if cp.AutoScalingGroupProvider, err = mergeJSON(cp.AutoScalingGroupProvider, in.AutoScalingGroupProvider); err != nil {
			return err
		}
		if cp.ManagedInstancesProvider, err = mergeJSON(cp.ManagedInstancesProvider, in.ManagedInstancesProvider); err != nil {
			return err
		}
		cp.UpdateStatus = model.CapacityUpdateComplete
		out.CapacityProvider = cp
		return store.PutJSON(tx, bucketCapacityProviders, cp.Name, cp)
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return &out, nil
}

// createdProvider is an ACTIVE provider that was created (not FARGATE or
// FARGATE_SPOT), with ECS's errors otherwise.
func createdProvider(tx state.Tx, ref string) (model.CapacityProvider, error) {
	cp, ok, err := capacityProvider(tx, ref)
	switch {
	case err != nil:
		return cp, err
	case !ok || cp.Status != model.CapacityProviderActive:
		return cp, invalidParam("The specified capacity provider does not exist.")
	case cp.Type == model.CapacityFargate || cp.Type == model.CapacityFargateSpot:
		return cp, invalidParam("The %s capacity provider is managed by AWS and cannot be changed.", cp.Name)
	}
	return cp, nil
}

// mergeJSON overlays the members of update on those of base (objects).
func mergeJSON(base, update json.RawMessage) (json.RawMessage, error) {
	if len(update) == 0 {
		return base, nil
	}
	m := map[string]json.RawMessage{}
	if len(base) > 0 && json.Unmarshal(base, &m) != nil {
		m = map[string]json.RawMessage{}
	}
	var u map[string]json.RawMessage
	if err := json.Unmarshal(update, &u); err != nil {
		return nil, invalidParam("The capacity provider configuration must be an object.")
	}
	for k, v := range u {
		m[k] = v
	}
	return json.Marshal(m)
}

// DeleteCapacityProviderInput is DeleteCapacityProvider's input.
type DeleteCapacityProviderInput struct {
	CapacityProvider string `json:"capacityProvider"`
	Cluster          string `json:"cluster"`
}

// DeleteCapacityProvider makes a created provider INACTIVE; one that an
// ACTIVE cluster still lists cannot be deleted.
func (s *Ops) DeleteCapacityProvider(ctx context.Context, in *DeleteCapacityProviderInput) (*CapacityProvider, error) {
	var out CapacityProvider
	err := s.st.Update(ctx, func(tx state.Tx) error {
		cp, err := createdProvider(tx, in.CapacityProvider)
		if err != nil {
			return err
		}
		clusters, err := tx.Clusters()
		if err != nil {
			return err
		}
		for _, c := range clusters {
			if c.Status == model.ClusterActive && slices.Contains(c.CapacityProviders, cp.Name) {
				return clientErr("The specified capacity provider is in use and cannot be removed: remove it from cluster %s first.", c.Name)
			}
		}
		cp.Status, cp.UpdateStatus = model.CapacityProviderInactive, model.CapacityDeleteComplete
		out.CapacityProvider = cp
		return store.PutJSON(tx, bucketCapacityProviders, cp.Name, cp)
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("capacity provider deleted", "name", out.Name)
	return &out, nil
}
