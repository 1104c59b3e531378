package ecs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// taskDefinitionView is the ECS TaskDefinition shape: the registered document
// plus the fields ECS adds (ARN, revision, status, times, compatibilities).
// The document never holds those fields (normalisation drops them), so they
// are spliced in front of its fields without decoding it.
func taskDefinitionView(td *ecsops.TaskDefinition) (json.RawMessage, error) {
	if len(td.Document) < 2 || td.Document[0] != '{' {
		return nil, fmt.Errorf("task definition %s: stored document is not an object", td.ARN)
	}
	head, err := json.Marshal(struct {
		ARN             string      `json:"taskDefinitionArn"`
		Revision        int         `json:"revision"`
		Status          string      `json:"status"`
		RegisteredAt    model.Time  `json:"registeredAt"`
		DeregisteredAt  *model.Time `json:"deregisteredAt,omitempty"`
		DeleteRequest   *model.Time `json:"deleteRequestedAt,omitempty"`
		RequiresAttrs   []any       `json:"requiresAttributes"`
		Compatibilities []string    `json:"compatibilities"`
		NetworkMode     string      `json:"networkMode,omitempty"`
	}{td.ARN, td.Revision, td.Status, td.RegisteredAt, td.DeregisteredAt, td.DeleteRequestedAt, []any{}, td.Compatibilities,
		defaultNetworkMode(td)})
	if err != nil {
		return nil, err
	}
	rest := bytes.TrimSpace(td.Document[1:])
	out := make([]byte, 0, len(head)+len(rest)+1)
	out = append(out, head[:len(head)-1]...)
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...), nil
}

// defaultNetworkMode is the network mode ECS answers for a definition that
// names none (bridge), or "" when the document has its own.
func defaultNetworkMode(td *ecsops.TaskDefinition) string {
	if td.Spec.NetworkMode == "" {
		return "bridge"
	}
	return ""
}

type taskDefinitionResult struct {
	TaskDefinition json.RawMessage `json:"taskDefinition"`
	// Tags are []model.Tag: sent when asked for (include TAGS), as [] when
	// there are none, as ECS does.
	Tags any `json:"tags,omitempty"`
}

// taskDefinitionOut answers with the definition and its tags, if any.
func taskDefinitionOut(td *ecsops.TaskDefinition) (any, error) {
	view, err := taskDefinitionView(td)
	if err != nil {
		return nil, err
	}
	out := &taskDefinitionResult{TaskDefinition: view}
	if td.Tags != nil {
		out.Tags = td.Tags
	}
	return out, nil
}

// registerTaskDefinition hands the raw body to the operation, because every
// member ECS accepts must be stored and echoed, including the ones Slipway
// does not model.
func registerTaskDefinition(o *ecsops.Ops) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		td, err := o.RegisterTaskDefinition(ctx, &ecsops.RegisterTaskDefinitionInput{Request: body})
		if err != nil {
			return nil, err
		}
		return taskDefinitionOut(td)
	}
}

type listTaskDefinitionsResp struct {
	TaskDefinitionArns []string `json:"taskDefinitionArns"`
	NextToken          string   `json:"nextToken,omitempty"`
}

func listTaskDefinitionsOut(o *ecsops.ListTaskDefinitionsOutput) any {
	return listTaskDefinitionsResp{TaskDefinitionArns: o.TaskDefinitionARNs, NextToken: o.NextToken}
}

type listFamiliesResp struct {
	Families  []string `json:"families"`
	NextToken string   `json:"nextToken,omitempty"`
}

func listFamiliesOut(o *ecsops.ListTaskDefinitionFamiliesOutput) any {
	return listFamiliesResp{Families: o.Families, NextToken: o.NextToken}
}

type deleteTaskDefinitionsResp struct {
	TaskDefinitions []json.RawMessage `json:"taskDefinitions"`
	Failures        []failure         `json:"failures"`
}

func deleteTaskDefinitionsOut(o *ecsops.DeleteTaskDefinitionsOutput) (any, error) {
	resp := deleteTaskDefinitionsResp{TaskDefinitions: make([]json.RawMessage, 0, len(o.TaskDefinitions)), Failures: failuresWire(o.Failures)}
	for i := range o.TaskDefinitions {
		view, err := taskDefinitionView(&o.TaskDefinitions[i])
		if err != nil {
			return nil, err
		}
		resp.TaskDefinitions = append(resp.TaskDefinitions, view)
	}
	return resp, nil
}
