package docker

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// Labels the runtime puts on everything it creates. They tie a container to
// its task and to the store that started it, so that List finds this
// store's containers (and only those) without the agent's records.
const (
	labelStore     = "dev.slipway.store"
	labelTaskARN   = "dev.slipway.task-arn"
	labelTaskID    = "dev.slipway.task-id"
	labelContainer = "dev.slipway.container"
	labelRole      = "dev.slipway.role"
	// labelPorts and labelAddress record where a host or awsvpc container's
	// ports are reachable ("8080/tcp,53/udp" on the address).
	labelPorts   = "dev.slipway.ports"
	labelAddress = "dev.slipway.address"
)

// Roles of what the runtime creates.
const (
	roleContainer = "container" // a task's container
	roleNetwork   = "network"   // an awsvpc task's network holder
	roleVolume    = "volume"    // a task-scoped volume
)

// stateVersion is the version of savedState; Adopt refuses others.
const stateVersion = 1

// savedState is the Docker runtime's runtime.State: the container's id, from
// which everything else is read back from the engine. It is derived from the
// container alone, so List returns the very bytes Start returned.
type savedState struct {
	Version int    `json:"v"`
	ID      string `json:"id"`
}

func (s savedState) encode() runtime.State {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("docker: encoding state: %v", err)) // plain data: cannot fail
	}
	return b
}

func decodeState(state runtime.State) (savedState, error) {
	var s savedState
	if err := json.Unmarshal(state, &s); err != nil {
		return s, fmt.Errorf("%w: %w", runtime.ErrInvalidState, err)
	}
	if s.Version != stateVersion || s.ID == "" {
		return s, fmt.Errorf("%w: not a docker runtime state (version %d)", runtime.ErrInvalidState, s.Version)
	}
	return s, nil
}

// labels returns the labels of something created for a task: the spec's own,
// then the runtime's (which win).
func (r *Runtime) labels(base map[string]string, taskARN, taskID, container, role string) map[string]string {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	out[labelStore] = r.storeID
	out[labelTaskARN] = taskARN
	out[labelTaskID] = taskID
	out[labelRole] = role
	if container != "" {
		out[labelContainer] = container
	}
	return out
}

// containerName names a container as ECS's agent does,
// ecs-FAMILY-REVISION-CONTAINER-TASKID, so `docker ps` reads like an ECS
// instance. The task id makes it unique; a second Start of the same
// container finds the name taken (see Start).
func containerName(labels map[string]string, taskID, container string) string {
	family, rev := labels[runtime.LabelTaskDefinitionName], labels[runtime.LabelTaskDefinitionRev]
	if family == "" {
		return dockerSafe("slipway-" + container + "-" + taskID)
	}
	return dockerSafe("ecs-" + family + "-" + rev + "-" + container + "-" + taskID)
}

// holderName names an awsvpc task's network holder. The dot keeps it apart
// from every container name (ECS names have no dots).
func holderName(labels map[string]string, taskID string) string {
	return containerName(labels, taskID, "internal.pause")
}

// dockerSafe replaces what Docker refuses in names ([a-zA-Z0-9][a-zA-Z0-9_.-]*).
func dockerSafe(name string) string {
	return strings.Map(func(c rune) rune {
		if c == '_' || c == '.' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return c
		}
		return '_'
	}, name)
}
