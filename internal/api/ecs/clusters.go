package ecs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

type clusterOut struct {
	model.Cluster
	RegisteredContainerInstancesCount int         `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int         `json:"runningTasksCount"`
	PendingTasksCount                 int         `json:"pendingTasksCount"`
	ActiveServicesCount               int         `json:"activeServicesCount"`
	Statistics                        []any       `json:"statistics"`
	Tags                              []model.Tag `json:"tags,omitempty"`
}

// clusterView derives the counts ECS reports from the cluster's records.
func clusterView(tx state.Tx, c model.Cluster, withTags bool) (clusterOut, error) {
	out := clusterOut{Cluster: c, Statistics: []any{}}
	if c.Status != model.ClusterActive {
		return out, nil
	}
	tasks, err := tx.Tasks(c.Name)
	if err != nil {
		return out, err
	}
	for _, t := range tasks {
		switch t.LastStatus {
		case model.TaskRunning:
			out.RunningTasksCount++
		case model.TaskProvisioning, model.TaskPending, model.TaskActivating:
			out.PendingTasksCount++
		}
	}
	services, err := tx.Services(c.Name)
	if err != nil {
		return out, err
	}
	for _, s := range services {
		if s.Status == model.ServiceActive {
			out.ActiveServicesCount++
		}
	}
	instances, err := tx.Instances(c.Name)
	if err != nil {
		return out, err
	}
	out.RegisteredContainerInstancesCount = len(instances)
	if withTags {
		out.Tags, err = tx.Tags(c.ARN)
	}
	return out, err
}

type createClusterIn struct {
	ClusterName                     string          `json:"clusterName"`
	Tags                            []model.Tag     `json:"tags"`
	Settings                        json.RawMessage `json:"settings"`
	Configuration                   json.RawMessage `json:"configuration"`
	CapacityProviders               []string        `json:"capacityProviders"`
	DefaultCapacityProviderStrategy json.RawMessage `json:"defaultCapacityProviderStrategy"`
	ServiceConnectDefaults          json.RawMessage `json:"serviceConnectDefaults"`
}

// validate bounds what CreateCluster stores and echoes: ECS's tag rules,
// "Capacity providers per cluster" and the size of the echoed settings.
func (in *createClusterIn) validate() error {
	if err := model.ValidateTags(in.Tags); err != nil {
		return err
	}
	if err := model.MaxItems("capacityProviders", len(in.CapacityProviders), model.MaxCapacityProviders); err != nil {
		return err
	}
	for _, cp := range in.CapacityProviders {
		if !model.ValidName(cp) {
			return invalidParam("Capacity provider names must be 1-255 letters, numbers, hyphens and underscores.")
		}
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"settings", in.Settings}, {"configuration", in.Configuration},
		{"defaultCapacityProviderStrategy", in.DefaultCapacityProviderStrategy}, {"serviceConnectDefaults", in.ServiceConnectDefaults},
	} {
		if err := model.ValidateEchoed(f.name, f.raw); err != nil {
			return err
		}
	}
	return nil
}

type clusterResult struct {
	Cluster clusterOut `json:"cluster"`
}

// createCluster follows ECS: creating a cluster that exists and is ACTIVE
// returns it unchanged; an INACTIVE one is created afresh.
func (h *Handler) createCluster(ctx context.Context, in *createClusterIn) (*clusterResult, error) {
	name := in.ClusterName
	if name == "" {
		name = model.DefaultClusterName
	}
	if !model.ValidName(name) {
		return nil, invalidParam("Cluster name must be 1-255 letters, numbers, hyphens and underscores.")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out clusterOut
	err := h.st.Update(ctx, func(tx state.Tx) error {
		c, err := tx.Cluster(name)
		if errors.Is(err, state.ErrClusterNotFound) || err == nil && c.Status != model.ClusterActive {
			c = model.Cluster{
				Name: name, ARN: tx.Partition.ClusterARN(name), Status: model.ClusterActive,
				CreatedAt: h.st.NowTime(), Settings: in.Settings, Configuration: in.Configuration,
				CapacityProviders: in.CapacityProviders, DefaultCapacityProviderStrategy: in.DefaultCapacityProviderStrategy,
				ServiceConnectDefaults: in.ServiceConnectDefaults,
			}
			if err := tx.PutCluster(c); err != nil {
				return err
			}
			if err := tx.PutTags(c.ARN, in.Tags); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		out, err = clusterView(tx, c, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &clusterResult{Cluster: out}, nil
}

type describeClustersIn struct {
	Clusters []string `json:"clusters"`
	Include  []string `json:"include"`
}

type failure struct {
	ARN    string `json:"arn,omitempty"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

type describeClustersOut struct {
	Clusters []clusterOut `json:"clusters"`
	Failures []failure    `json:"failures"`
}

func (h *Handler) describeClusters(ctx context.Context, in *describeClustersIn) (*describeClustersOut, error) {
	refs := in.Clusters
	if len(refs) == 0 {
		refs = []string{model.DefaultClusterName}
	}
	if len(refs) > 100 {
		return nil, invalidParam("clusters can have at most 100 items.")
	}
	withTags := slices.Contains(in.Include, "TAGS")
	out := &describeClustersOut{Clusters: []clusterOut{}, Failures: []failure{}}
	err := h.st.View(ctx, func(tx state.Tx) error {
		for _, ref := range refs {
			c, err := tx.Cluster(clusterName(ref))
			if errors.Is(err, state.ErrClusterNotFound) {
				out.Failures = append(out.Failures, failure{ARN: tx.Partition.ClusterARN(clusterName(ref)), Reason: "MISSING"})
				continue
			} else if err != nil {
				return err
			}
			view, err := clusterView(tx, c, withTags)
			if err != nil {
				return err
			}
			out.Clusters = append(out.Clusters, view)
		}
		return nil
	})
	return out, err
}

type listIn struct {
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

type listClustersOut struct {
	ClusterArns []string `json:"clusterArns"`
	NextToken   string   `json:"nextToken,omitempty"`
}

func (h *Handler) listClusters(ctx context.Context, in *listIn) (*listClustersOut, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, err
	}
	out := &listClustersOut{ClusterArns: []string{}}
	err = h.st.View(ctx, func(tx state.Tx) error {
		clusters, err := tx.Clusters()
		if err != nil {
			return err
		}
		for _, c := range clusters {
			if c.Name <= after || c.Status != model.ClusterActive {
				continue
			}
			if len(out.ClusterArns) == limit {
				out.NextToken = state.EncodeToken(out.lastName())
				break
			}
			out.ClusterArns = append(out.ClusterArns, c.ARN)
		}
		return nil
	})
	return out, err
}

func (o *listClustersOut) lastName() string {
	last := o.ClusterArns[len(o.ClusterArns)-1]
	a, _ := model.ParseARN(last)
	return a.LastSegment()
}

type clusterRefIn struct {
	Cluster string `json:"cluster"`
}

// deleteCluster follows ECS: a cluster with active services or with tasks
// that have not stopped cannot be deleted. The local agent's own container
// instance registration is implicit and is removed with the cluster.
func (h *Handler) deleteCluster(ctx context.Context, in *clusterRefIn) (*clusterResult, error) {
	if in.Cluster == "" {
		return nil, invalidParam("cluster must be specified.")
	}
	var out clusterOut
	err := h.st.Update(ctx, func(tx state.Tx) error {
		c, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		if err := checkClusterEmpty(tx, c.Name); err != nil {
			return err
		}
		c.Status = model.ClusterInactive
		if err := tx.PutCluster(c); err != nil {
			return err
		}
		out = clusterOut{Cluster: c, Statistics: []any{}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &clusterResult{Cluster: out}, nil
}

// checkClusterEmpty refuses, as ECS does, to delete a cluster that still
// has a service not yet INACTIVE (ACTIVE or DRAINING) or a task not yet
// STOPPED.
func checkClusterEmpty(tx state.Tx, cluster string) error {
	services, err := tx.Services(cluster)
	if err != nil {
		return err
	}
	for _, s := range services {
		if s.Status != model.ServiceInactive {
			return awsproto.ClientError("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
		}
	}
	tasks, err := tx.Tasks(cluster)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if t.LastStatus != model.TaskStopped {
			return awsproto.ClientError("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
		}
	}
	return nil
}
