package ecsops

import (
	"context"
	"encoding/json"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// UpdateClusterInput is UpdateCluster's input. Members left out keep the
// cluster's values; configuration and serviceConnectDefaults are stored and
// echoed (execute command and Cloud Map have no meaning here).
type UpdateClusterInput struct {
	// Cluster is a name or ARN; it must be given.
	Cluster                string                 `json:"cluster"`
	Settings               []model.ClusterSetting `json:"settings"`
	Configuration          json.RawMessage        `json:"configuration"`
	ServiceConnectDefaults json.RawMessage        `json:"serviceConnectDefaults"`
}

// UpdateCluster changes an ACTIVE cluster's settings, configuration or
// service-connect defaults and answers with the cluster.
func (s *Ops) UpdateCluster(ctx context.Context, in *UpdateClusterInput) (*Cluster, error) {
	if in.Cluster == "" {
		return nil, invalidParam("cluster must be specified.")
	}
	if err := model.ValidateClusterSettings(in.Settings); err != nil {
		return nil, apiErr(err)
	}
	if err := validateEchoed(echoed{"configuration", in.Configuration}, echoed{"serviceConnectDefaults", in.ServiceConnectDefaults}); err != nil {
		return nil, err
	}
	return s.updateCluster(ctx, in.Cluster, func(c *model.Cluster) {
		c.Settings = model.MergeClusterSettings(c.Settings, in.Settings)
		if len(in.Configuration) > 0 {
			c.Configuration = in.Configuration
		}
		if len(in.ServiceConnectDefaults) > 0 {
			c.ServiceConnectDefaults = in.ServiceConnectDefaults
		}
	})
}

// UpdateClusterSettingsInput is UpdateClusterSettings' input.
type UpdateClusterSettingsInput struct {
	// Cluster is a name or ARN; it must be given.
	Cluster string `json:"cluster"`
	// Settings must hold at least one setting (containerInsights).
	Settings []model.ClusterSetting `json:"settings"`
}

// UpdateClusterSettings changes an ACTIVE cluster's settings; a cluster's
// containerInsights overrides the account setting.
func (s *Ops) UpdateClusterSettings(ctx context.Context, in *UpdateClusterSettingsInput) (*Cluster, error) {
	if in.Cluster == "" {
		return nil, invalidParam("cluster must be specified.")
	}
	if len(in.Settings) == 0 {
		return nil, invalidParam("settings must be specified.")
	}
	if err := model.ValidateClusterSettings(in.Settings); err != nil {
		return nil, apiErr(err)
	}
	return s.updateCluster(ctx, in.Cluster, func(c *model.Cluster) {
		c.Settings = model.MergeClusterSettings(c.Settings, in.Settings)
	})
}

// updateCluster applies change to an ACTIVE cluster and answers with it
// (settings, configuration and tags included, as ECS answers updates).
func (s *Ops) updateCluster(ctx context.Context, ref string, change func(*model.Cluster)) (*Cluster, error) {
	out, err := s.updateClusterTx(ctx, ref, func(_ state.Tx, c *model.Cluster) error {
		change(c)
		return nil
	})
	if err == nil {
		s.log.Info("cluster updated", "cluster", out.Name)
	}
	return out, err
}

// updateClusterTx is updateCluster with a change that reads the store and can fail.
func (s *Ops) updateClusterTx(ctx context.Context, ref string, change func(state.Tx, *model.Cluster) error) (*Cluster, error) {
	var out Cluster
	err := s.st.Update(ctx, func(tx state.Tx) error {
		c, err := tx.ActiveCluster(clusterName(ref))
		if err != nil {
			return err
		}
		if err := change(tx, &c); err != nil {
			return err
		}
		if err := tx.PutCluster(c); err != nil {
			return err
		}
		out, err = clusterView(tx, c, true)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return &out, nil
}

// echoed is a stored-and-echoed member of a request, by its name.
type echoed struct {
	name string
	raw  json.RawMessage
}

// validateEchoed bounds echoed members as model.ValidateEchoed does.
func validateEchoed(fields ...echoed) error {
	for _, f := range fields {
		if err := model.ValidateEchoed(f.name, f.raw); err != nil {
			return apiErr(err)
		}
	}
	return nil
}
