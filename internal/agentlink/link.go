// Package agentlink is the embedded implementation of agent.ControlPlane:
// it registers the local node as a container instance in every cluster and
// carries task assignments and status reports through the state store.
package agentlink

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Link is the store-backed agent.ControlPlane. Given a State of a
// state.Regions (the server's home region), it spans every region open in
// the store: the node is one machine whatever region its tasks are in.
type Link struct {
	st *state.State
}

// New returns a Link over st.
func New(st *state.State) *Link { return &Link{st: st} }

var _ agent.ControlPlane = (*Link)(nil)

// InstanceID is the container instance id of a node in a cluster. It is
// derived, not random, so a restarted node re-registers under the same ARN.
func InstanceID(nodeID, cluster string) string {
	sum := sha256.Sum256([]byte(nodeID + "/" + cluster))
	return hex.EncodeToString(sum[:16])
}

// Register implements agent.ControlPlane: one ACTIVE container instance per
// ACTIVE cluster, written only when missing or changed.
func (l *Link) Register(ctx context.Context, n agent.Node) error {
	missing := map[string][]string{} // region -> clusters
	err := l.st.View(ctx, func(home state.Tx) error {
		for _, tx := range regions(home) {
			clusters, err := tx.Clusters()
			if err != nil {
				return err
			}
			for _, c := range clusters {
				if c.Status != model.ClusterActive {
					continue
				}
				ci, err := tx.Instance(c.Name, InstanceID(n.ID, c.Name))
				if errors.Is(err, state.ErrInstanceNotFound) || err == nil && (!ci.AgentConnected || instanceStale(ci, n)) {
					missing[tx.Partition.Region] = append(missing[tx.Partition.Region], c.Name)
				} else if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil || len(missing) == 0 {
		return err
	}
	return l.st.Update(ctx, func(home state.Tx) error {
		for _, tx := range regions(home) {
			for _, c := range missing[tx.Partition.Region] {
				if err := tx.PutInstance(l.instance(tx, n, c)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// regions is home's transaction as a Tx of each open region, home first.
func regions(home state.Tx) []state.Tx { return append([]state.Tx{home}, home.OtherRegions()...) }

func (l *Link) instance(tx state.Tx, n agent.Node, cluster string) model.ContainerInstance {
	id := InstanceID(n.ID, cluster)
	return model.ContainerInstance{
		ARN: tx.Partition.ContainerInstanceARN(cluster, id), EC2InstanceID: "i-" + id[:17],
		Status: model.InstanceActive, AgentConnected: true, RegisteredAt: l.st.NowTime(),
		RegisteredResources: []model.Resource{
			{Name: "CPU", Type: "INTEGER", IntegerValue: n.CPU},
			{Name: "MEMORY", Type: "INTEGER", IntegerValue: n.Memory},
			{Name: "PORTS", Type: "STRINGSET", StringSetValue: []string{}},
			{Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: []string{}},
		},
		VersionInfo: model.VersionInfo{AgentVersion: n.AgentVersion, DockerVersion: dockerVersion(n)},
		Attributes:  nodeAttributes(n),
		Internal:    model.InstanceInternal{ID: id, Cluster: cluster, Runtime: n.Runtime},
	}
}

// Assigned implements agent.ControlPlane.
func (l *Link) Assigned(ctx context.Context, nodeID string) ([]model.Task, error) {
	var out []model.Task
	err := l.st.View(ctx, func(home state.Tx) error {
		out = out[:0]
		for _, tx := range regions(home) {
			tasks, err := tx.AllTasks()
			if err != nil {
				return err
			}
			for _, t := range tasks {
				if t.LastStatus == model.TaskStopped {
					continue
				}
				if strings.HasSuffix(t.ContainerInstanceARN, "/"+InstanceID(nodeID, t.Internal.Cluster)) {
					out = append(out, t)
				}
			}
		}
		return nil
	})
	return out, err
}

// TaskDefinition implements agent.ControlPlane: the definition is looked
// up in the region its ARN names.
func (l *Link) TaskDefinition(ctx context.Context, arn string) (model.TaskDefinition, error) {
	var td model.TaskDefinition
	err := l.st.View(ctx, func(home state.Tx) error {
		tx := home
		if a, ok := model.ParseARN(arn); ok {
			for _, t := range home.OtherRegions() {
				if t.Partition.Region == a.Region {
					tx = t
				}
			}
		}
		var err error
		td, err = tx.ResolveTaskDefinition(arn)
		return err
	})
	return td, err
}

// Changed implements agent.ControlPlane.
func (l *Link) Changed() <-chan struct{} {
	ch, _ := l.st.Changes().Wait()
	return ch
}

// Report implements agent.ControlPlane.
func (l *Link) Report(ctx context.Context, r agent.TaskReport) error {
	return l.st.Update(ctx, func(home state.Tx) error {
		var err error
		for _, tx := range regions(home) {
			var t model.Task
			if t, err = tx.Task(r.Cluster, r.TaskID); err == nil {
				ApplyReport(&t, r)
				return tx.PutTask(t)
			}
			if !errors.Is(err, state.ErrTaskNotFound) {
				break
			}
		}
		return fmt.Errorf("report on %s: %w", r.TaskID, err)
	})
}
