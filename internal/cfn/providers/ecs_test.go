package providers

import (
	"context"
	"errors"
	"testing"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// TestClusterUpdateInPlace: a ClusterSettings or Configuration change goes
// through ecsops.UpdateCluster on the same cluster; a capacity provider
// change is still refused.
func TestClusterUpdateInPlace(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ops := ecsops.New(state.New(db, model.Partition{Region: "eu-central-1", Account: "123456789012"}, nil), nil, ecsops.Options{})
	p := ECSClusters{Ops: ops}
	before := map[string]any{"ClusterName": "c1", "ClusterSettings": []any{map[string]any{"Name": "containerInsights", "Value": "disabled"}}}
	res, err := p.Create(ctx, &stack.Request{Properties: before})
	if err != nil {
		t.Fatal(err)
	}
	after := map[string]any{"ClusterName": "c1", "ClusterSettings": []any{map[string]any{"Name": "containerInsights", "Value": "enabled"}},
		"Configuration": map[string]any{"ExecuteCommandConfiguration": map[string]any{"Logging": "DEFAULT"}}}
	if _, err := p.Update(ctx, &stack.Request{PhysicalID: res.PhysicalID, Properties: after, Previous: before, Attributes: res.Attributes}); err != nil {
		t.Fatal(err)
	}
	out, err := ops.DescribeClusters(ctx, &ecsops.DescribeClustersInput{Clusters: []string{"c1"}, Include: []string{"CONFIGURATIONS", "SETTINGS"}})
	if err != nil || len(out.Clusters) != 1 {
		t.Fatal(out, err)
	}
	c := out.Clusters[0]
	if len(c.Settings) != 1 || c.Settings[0].Value != "enabled" {
		t.Errorf("settings = %+v, want containerInsights enabled", c.Settings)
	}
	if len(c.Configuration) == 0 {
		t.Errorf("configuration not stored")
	}
	moved := map[string]any{"ClusterName": "c1", "CapacityProviders": []any{"FARGATE"}}
	if _, err := p.Update(ctx, &stack.Request{PhysicalID: res.PhysicalID, Properties: moved, Previous: after, Attributes: res.Attributes}); !errors.Is(err, stack.ErrUnsupported) {
		t.Errorf("capacity provider change: err = %v, want ErrUnsupported", err)
	}
}
