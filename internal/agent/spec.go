package agent

import (
	"encoding/json"
	"path/filepath"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// containerOverride is the part of ECS's containerOverrides the agent honours.
type containerOverride struct {
	Name        string               `json:"name"`
	Command     []string             `json:"command"`
	Environment []model.KeyValuePair `json:"environment"`
}

type taskOverrides struct {
	ContainerOverrides []containerOverride `json:"containerOverrides"`
}

func overridesFor(raw json.RawMessage, container string) containerOverride {
	var ov taskOverrides
	_ = json.Unmarshal(raw, &ov) // validated by the API when the task was created
	for _, co := range ov.ContainerOverrides {
		if co.Name == container {
			return co
		}
	}
	return containerOverride{}
}

// buildSpec turns a container definition of a task into a runtime Spec:
// the definition's environment, then the override's (later wins), then the
// variables ECS's agent gives every container.
func buildSpec(t model.Task, cd model.ContainerDefinition, metadataURI, logRoot, region string) runtime.Spec {
	ov := overridesFor(t.Overrides, cd.Name)
	env := make([]string, 0, len(cd.Environment)+len(ov.Environment)+4)
	for _, kv := range cd.Environment {
		env = append(env, kv.Name+"="+kv.Value)
	}
	for _, kv := range ov.Environment {
		env = append(env, kv.Name+"="+kv.Value)
	}
	env = append(env,
		"ECS_CONTAINER_METADATA_URI_V4="+metadataURI,
		"ECS_CONTAINER_METADATA_URI="+metadataURI,
		"AWS_EXECUTION_ENV=AWS_ECS_EC2",
		"AWS_DEFAULT_REGION="+region,
		"AWS_REGION="+region,
	)
	command := cd.Command
	if len(ov.Command) > 0 {
		command = ov.Command
	}
	spec := runtime.Spec{
		TaskARN: t.ARN, TaskID: t.Internal.ID, ContainerName: cd.Name, Image: cd.Image,
		EntryPoint: cd.EntryPoint, Command: command, Env: env, WorkingDir: cd.WorkingDirectory,
		LogDir: filepath.Join(logRoot, t.Internal.ID, cd.Name),
	}
	for _, pm := range cd.PortMappings {
		spec.PortMappings = append(spec.PortMappings, runtime.PortMapping{
			ContainerPort: pm.ContainerPort, HostPort: pm.HostPort, Protocol: pm.Protocol})
	}
	return spec
}

func bindingsOf(h runtime.Handle) []model.NetworkBinding {
	out := []model.NetworkBinding{}
	for _, b := range h.Bindings() {
		proto := b.Protocol
		if proto == "" {
			proto = "tcp"
		}
		out = append(out, model.NetworkBinding{BindIP: b.BindIP, ContainerPort: b.ContainerPort, HostPort: b.HostPort, Protocol: proto})
	}
	return out
}
