package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// errTaskDefFile marks a --task-definition file that cannot be used.
var errTaskDefFile = errors.New("task definition file")

// taskDefAPI is what registering a revision needs from ECS.
type taskDefAPI interface {
	DescribeTaskDefinition(context.Context, *awsecs.DescribeTaskDefinitionInput, ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error)
	RegisterTaskDefinition(context.Context, *awsecs.RegisterTaskDefinitionInput, ...func(*awsecs.Options)) (*awsecs.RegisterTaskDefinitionOutput, error)
}

// containerChange is what `deploy --image/--env` changes in one container.
type containerChange struct {
	container string // "" picks the only container
	image     string
	env       []string // KEY=VALUE, replacing a variable of the same name
}

// deriveTaskDefinition describes the current task definition and returns
// the input that registers it again with the change applied, every other
// field (and the tags) kept.
func deriveTaskDefinition(ctx context.Context, c taskDefAPI, current string, ch containerChange) (*awsecs.RegisterTaskDefinitionInput, error) {
	out, err := c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(current),
		Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	if err != nil {
		return nil, err
	}
	in := registerInputOf(out.TaskDefinition, out.Tags)
	i, err := pickContainer(in.ContainerDefinitions, ch.container)
	if err != nil {
		return nil, err
	}
	cd := &in.ContainerDefinitions[i]
	if ch.image != "" {
		cd.Image = aws.String(ch.image)
	}
	for _, kv := range ch.env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("%w: --env %q: want KEY=VALUE", ErrUsage, kv)
		}
		cd.Environment = setEnv(cd.Environment, name, value)
	}
	return in, nil
}

// registerInputOf copies every registrable field of a described task
// definition; the read-only ones (ARN, revision, status, ...) are left out.
func registerInputOf(td *types.TaskDefinition, tags []types.Tag) *awsecs.RegisterTaskDefinitionInput {
	return &awsecs.RegisterTaskDefinitionInput{
		ContainerDefinitions: slices.Clone(td.ContainerDefinitions), Family: td.Family, Cpu: td.Cpu, Memory: td.Memory,
		EnableFaultInjection: td.EnableFaultInjection, EphemeralStorage: td.EphemeralStorage,
		ExecutionRoleArn: td.ExecutionRoleArn, InferenceAccelerators: td.InferenceAccelerators, IpcMode: td.IpcMode,
		NetworkMode: td.NetworkMode, PidMode: td.PidMode, PlacementConstraints: td.PlacementConstraints,
		ProxyConfiguration: td.ProxyConfiguration, RequiresCompatibilities: td.RequiresCompatibilities,
		RuntimePlatform: td.RuntimePlatform, Tags: tags, TaskRoleArn: td.TaskRoleArn, Volumes: td.Volumes,
	}
}

// pickContainer finds the container to change: the named one, or the only
// one when no name is given.
func pickContainer(defs []types.ContainerDefinition, name string) (int, error) {
	var names []string
	for i, cd := range defs {
		if aws.ToString(cd.Name) == name {
			return i, nil
		}
		names = append(names, aws.ToString(cd.Name))
	}
	switch {
	case name == "" && len(defs) == 1:
		return 0, nil
	case name == "":
		return 0, fmt.Errorf("%w: the task definition has %d containers (%s): choose one with --container", ErrUsage, len(defs), strings.Join(names, ", "))
	}
	return 0, fmt.Errorf("%w: no container %q in the task definition (it has %s)", ErrUsage, name, strings.Join(names, ", "))
}

// setEnv sets a variable, keeping the list's order; copy-on-write so the
// described definition is not changed under its other users.
func setEnv(env []types.KeyValuePair, name, value string) []types.KeyValuePair {
	out := slices.Clone(env)
	for i := range out {
		if aws.ToString(out[i].Name) == name {
			out[i].Value = aws.String(value)
			return out
		}
	}
	return append(out, types.KeyValuePair{Name: aws.String(name), Value: aws.String(value)})
}

// readOnlyTaskDefFields are what describe-task-definition returns but
// register-task-definition does not take; a file saved from the former is
// accepted with them left out.
var readOnlyTaskDefFields = []string{"taskDefinitionArn", "revision", "status", "requiresAttributes",
	"compatibilities", "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt"}

// loadTaskDefinitionFile reads a register-task-definition input as the AWS
// CLI's --cli-input-json takes it ("file://" prefix allowed). The output of
// describe-task-definition is accepted too: its read-only fields are named
// in the returned note and left out. Unknown fields are refused, as the AWS
// CLI refuses them.
func loadTaskDefinitionFile(path string) (*awsecs.RegisterTaskDefinitionInput, string, error) {
	path = strings.TrimPrefix(path, "file://")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", errTaskDefFile, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, "", fmt.Errorf("%w %s: not a JSON object: %w", errTaskDefFile, path, err)
	}
	if inner, ok := top["taskDefinition"]; ok {
		tags := top["tags"]
		top = nil // a fresh map: Unmarshal would merge into the old one
		if err := json.Unmarshal(inner, &top); err != nil {
			return nil, "", fmt.Errorf("%w %s: taskDefinition: %w", errTaskDefFile, path, err)
		}
		if tags != nil {
			top["tags"] = tags
		}
	}
	var dropped []string
	for _, k := range readOnlyTaskDefFields {
		if _, ok := top[k]; ok {
			dropped = append(dropped, k)
			delete(top, k)
		}
	}
	clean, _ := json.Marshal(top)
	dec := json.NewDecoder(bytes.NewReader(clean))
	dec.DisallowUnknownFields()
	var in awsecs.RegisterTaskDefinitionInput
	if err := dec.Decode(&in); err != nil {
		return nil, "", fmt.Errorf("%w %s: %w (it takes the fields of `aws ecs register-task-definition --cli-input-json`)", errTaskDefFile, path, err)
	}
	if aws.ToString(in.Family) == "" || len(in.ContainerDefinitions) == 0 {
		return nil, "", fmt.Errorf("%w %s: family and containerDefinitions are required", errTaskDefFile, path)
	}
	note := ""
	if len(dropped) > 0 {
		note = "ignored read-only fields of describe-task-definition: " + strings.Join(dropped, ", ")
	}
	return &in, note, nil
}
