package ecsops

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Cluster is a cluster as ECS describes it: the stored record and the counts
// ECS derives from the cluster's tasks, services and instances. An INACTIVE
// cluster's counts are 0.
type Cluster struct {
	model.Cluster
	RegisteredContainerInstancesCount int
	RunningTasksCount                 int
	PendingTasksCount                 int
	ActiveServicesCount               int
	// Tags are the cluster's tags, when they were asked for.
	Tags []model.Tag
	// Statistics are ECS's counts by launch type, when they were asked for
	// (include STATISTICS).
	Statistics []model.KeyValuePair
}

// CreateClusterInput is CreateCluster's input. Settings, configuration,
// capacity providers and service-connect defaults are stored and echoed:
// they have no effect on one local node.
type CreateClusterInput struct {
	// ClusterName defaults to "default".
	ClusterName string      `json:"clusterName"`
	Tags        []model.Tag `json:"tags"`
	// SystemTags are tags with the reserved aws: prefix that an in-process
	// caller sets (CloudFormation's; model.ValidateSystemTags), never the wire.
	SystemTags []model.Tag `json:"-"`
	// Settings default containerInsights to the account setting.
	Settings                        []model.ClusterSetting `json:"settings"`
	Configuration                   json.RawMessage        `json:"configuration"`
	CapacityProviders               []string               `json:"capacityProviders"`
	DefaultCapacityProviderStrategy json.RawMessage        `json:"defaultCapacityProviderStrategy"`
	ServiceConnectDefaults          json.RawMessage        `json:"serviceConnectDefaults"`
}

// validate bounds what CreateCluster stores and echoes: ECS's tag rules,
// "Capacity providers per cluster" and the size of the echoed settings.
func (in *CreateClusterInput) validate() error {
	if err := model.ValidateTags(in.Tags); err != nil {
		return err
	}
	if err := model.ValidateSystemTags(in.SystemTags); err != nil {
		return err
	}
	if err := model.ValidateClusterSettings(in.Settings); err != nil {
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
		{"configuration", in.Configuration},
		{"defaultCapacityProviderStrategy", in.DefaultCapacityProviderStrategy}, {"serviceConnectDefaults", in.ServiceConnectDefaults},
	} {
		if err := model.ValidateEchoed(f.name, f.raw); err != nil {
			return err
		}
	}
	return nil
}

// CreateCluster follows ECS: creating a cluster that exists and is ACTIVE
// returns it unchanged (the call is idempotent); an INACTIVE one is created
// afresh. The answer carries the cluster's tags.
func (s *Ops) CreateCluster(ctx context.Context, in *CreateClusterInput) (*Cluster, error) {
	name := in.ClusterName
	if name == "" {
		name = model.DefaultClusterName
	}
	if !model.ValidName(name) {
		return nil, invalidParam("Cluster name must be 1-255 letters, numbers, hyphens and underscores.")
	}
	if err := in.validate(); err != nil {
		return nil, apiErr(err)
	}
	var out Cluster
	created := false
	err := s.st.Update(ctx, func(tx state.Tx) error {
		created = false
		c, err := tx.Cluster(name)
		if errors.Is(err, state.ErrClusterNotFound) || err == nil && c.Status != model.ClusterActive {
			settings, err := clusterSettingsOf(tx, in.Settings)
			if err != nil {
				return err
			}
			c = model.Cluster{
				Name: name, ARN: tx.Partition.ClusterARN(name), Status: model.ClusterActive,
				CreatedAt: s.st.NowTime(), Settings: settings, Configuration: in.Configuration,
				CapacityProviders: in.CapacityProviders, DefaultCapacityProviderStrategy: in.DefaultCapacityProviderStrategy,
				ServiceConnectDefaults: in.ServiceConnectDefaults,
			}
			if err := tx.PutCluster(c); err != nil {
				return err
			}
			if err := tx.PutTags(c.ARN, withSystemTags(in.Tags, in.SystemTags)); err != nil {
				return err
			}
			created = true
		} else if err != nil {
			return err
		}
		out, err = clusterView(tx, c, true)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	if created {
		s.log.Info("cluster created", "cluster", name)
	}
	return &out, nil
}

// clusterSettingsOf is a new cluster's settings: those given, with
// containerInsights from the account setting when not given.
func clusterSettingsOf(tx state.Tx, given []model.ClusterSetting) ([]model.ClusterSetting, error) {
	if slices.ContainsFunc(given, func(cs model.ClusterSetting) bool { return cs.Name == model.SettingContainerInsights }) {
		return given, nil
	}
	spec, _ := model.AccountSettingSpec(model.SettingContainerInsights)
	set, err := effectiveSetting(tx, tx.Partition.RootARN(), spec)
	if err != nil {
		return nil, err
	}
	return append(slices.Clone(given), model.ClusterSetting{Name: set.Name, Value: set.Value}), nil
}

// clusterView derives the counts ECS reports from the cluster's records.
func clusterView(tx state.Tx, c model.Cluster, withTags bool) (Cluster, error) {
	return clusterViewStats(tx, c, withTags, false)
}

// clusterViewStats is clusterView, with the statistics when withStats.
func clusterViewStats(tx state.Tx, c model.Cluster, withTags, withStats bool) (Cluster, error) {
	out := Cluster{Cluster: c}
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
	if withStats {
		out.Statistics = clusterStatistics(tasks, services)
	}
	if withTags {
		out.Tags, err = tx.Tags(c.ARN)
	}
	return out, err
}

// MaxDescribeClusters is how many clusters one DescribeClusters names at most.
const MaxDescribeClusters = 100

// DescribeClustersInput is DescribeClusters' input.
type DescribeClustersInput struct {
	// Clusters are names or ARNs; none means the default cluster.
	Clusters []string `json:"clusters"`
	// Include may hold ATTACHMENTS, CONFIGURATIONS, SETTINGS, STATISTICS
	// and TAGS: without them, ECS leaves the cluster's configuration,
	// settings and tags out.
	Include []string `json:"include"`
}

// DescribeClustersOutput is DescribeClusters' output: the clusters found, in
// the order asked, and a MISSING failure for each one that does not exist.
type DescribeClustersOutput struct {
	Clusters []Cluster
	Failures []Failure
}

// DescribeClusters describes clusters, INACTIVE ones included.
func (s *Ops) DescribeClusters(ctx context.Context, in *DescribeClustersInput) (*DescribeClustersOutput, error) {
	refs := in.Clusters
	if len(refs) == 0 {
		refs = []string{model.DefaultClusterName}
	}
	if len(refs) > MaxDescribeClusters {
		return nil, invalidParam("clusters can have at most %d items.", MaxDescribeClusters)
	}
	for _, inc := range in.Include {
		if !slices.Contains([]string{"ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", IncludeStatistics, IncludeTags}, inc) {
			return nil, invalidParam("include must contain only ATTACHMENTS, CONFIGURATIONS, SETTINGS, STATISTICS or TAGS.")
		}
	}
	withTags := slices.Contains(in.Include, IncludeTags)
	withSettings, withConfig := slices.Contains(in.Include, "SETTINGS"), slices.Contains(in.Include, "CONFIGURATIONS")
	withStats := slices.Contains(in.Include, IncludeStatistics)
	out := &DescribeClustersOutput{Clusters: []Cluster{}, Failures: []Failure{}}
	err := s.st.View(ctx, func(tx state.Tx) error {
		out.Clusters, out.Failures = out.Clusters[:0], out.Failures[:0]
		for _, ref := range refs {
			c, err := tx.Cluster(clusterName(ref))
			if errors.Is(err, state.ErrClusterNotFound) {
				out.Failures = append(out.Failures, Failure{ARN: tx.Partition.ClusterARN(clusterName(ref)), Reason: "MISSING"})
				continue
			} else if err != nil {
				return err
			}
			if !withSettings {
				c.Settings = nil
			}
			if !withConfig {
				c.Configuration = nil
			}
			view, err := clusterViewStats(tx, c, withTags, withStats)
			if err != nil {
				return err
			}
			out.Clusters = append(out.Clusters, view)
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// ListInput is the paging input of the List operations that take nothing else.
type ListInput struct {
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

// ListClustersOutput is ListClusters' output.
type ListClustersOutput struct {
	ClusterARNs []string
	NextToken   string
}

// ListClusters lists the ACTIVE clusters' ARNs by name, 100 a page at most.
func (s *Ops) ListClusters(ctx context.Context, in *ListInput) (*ListClustersOutput, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, apiErr(err)
	}
	out := &ListClustersOutput{ClusterARNs: []string{}}
	err = s.st.View(ctx, func(tx state.Tx) error {
		clusters, err := tx.Clusters()
		if err != nil {
			return err
		}
		out.ClusterARNs, out.NextToken = out.ClusterARNs[:0], ""
		last := ""
		for _, c := range clusters {
			if c.Name <= after || c.Status != model.ClusterActive {
				continue
			}
			if len(out.ClusterARNs) == limit {
				out.NextToken = state.EncodeToken(last)
				break
			}
			out.ClusterARNs = append(out.ClusterARNs, c.ARN)
			last = c.Name
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// DeleteClusterInput is DeleteCluster's input.
type DeleteClusterInput struct {
	// Cluster is a name or ARN; it must be given.
	Cluster string `json:"cluster"`
}

// DeleteCluster follows ECS: a cluster with active services or with tasks
// that have not stopped cannot be deleted. The local agent's own container
// instance registration is implicit and is removed with the cluster. The
// answer is the cluster as it is now, INACTIVE.
func (s *Ops) DeleteCluster(ctx context.Context, in *DeleteClusterInput) (*Cluster, error) {
	if in.Cluster == "" {
		return nil, invalidParam("cluster must be specified.")
	}
	var out Cluster
	err := s.st.Update(ctx, func(tx state.Tx) error {
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
		out = Cluster{Cluster: c}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("cluster deleted", "cluster", out.Name)
	return &out, nil
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
			return awserr.New("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
		}
	}
	tasks, err := tx.Tasks(cluster)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if t.LastStatus != model.TaskStopped {
			return awserr.New("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
		}
	}
	return nil
}
