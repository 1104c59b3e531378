package providers

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

func TestAPIDocumentAndCoercion(t *testing.T) {
	props := map[string]any{
		"Family": "web", "Cpu": "256", "NetworkMode": "awsvpc",
		"ContainerDefinitions": []any{map[string]any{
			"Name": "web", "Image": "img", "Cpu": "256", "Essential": "true",
			"PortMappings":     []any{map[string]any{"ContainerPort": "8080"}, map[string]any{"ContainerPort": json.Number("9090")}},
			"LogConfiguration": map[string]any{"LogDriver": "awslogs", "Options": map[string]any{"awslogs-group": "g"}},
		}},
		"Volumes": []any{map[string]any{"Name": "v", "EFSVolumeConfiguration": map[string]any{"FilesystemId": "fs-1"}}},
	}
	doc := apiDocument(props).(map[string]any)
	var spec model.TaskSpec
	if err := decodeAPI(doc, &spec, false); err != nil {
		t.Fatal(err)
	}
	c := spec.ContainerDefinitions[0]
	if spec.CPU != "256" || c.PortMappings[0].ContainerPort != 8080 || c.PortMappings[1].ContainerPort != 9090 || c.Essential == nil || !*c.Essential {
		t.Errorf("spec %+v", spec)
	}
	b, _ := json.Marshal(doc)
	for _, want := range []string{`"awslogs-group":"g"`, `"efsVolumeConfiguration"`, `"containerPort":8080`, `"cpu":"256"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("document %s lacks %s", b, want)
		}
	}
}

func TestServiceInputRefusesUnknownProperties(t *testing.T) {
	in, err := ECSServices{}.input(map[string]any{"ServiceName": "s", "DesiredCount": "3",
		"DeploymentConfiguration": map[string]any{"MaximumPercent": "200", "DeploymentCircuitBreaker": map[string]any{"Enable": "true", "Rollback": true}}})
	if err != nil {
		t.Fatal(err)
	}
	if *in.DesiredCount != 3 || *in.DeploymentConfiguration.MaximumPercent != 200 || !in.DeploymentConfiguration.DeploymentCircuitBreaker.Enable {
		t.Errorf("input %+v", in)
	}
	one, err := ECSServices{}.input(map[string]any{"ServiceName": "s"})
	if err != nil || *one.DesiredCount != 1 {
		t.Errorf("default desired count: %v %v", one, err)
	}
	_, err = ECSServices{}.input(map[string]any{"ServiceName": "s", "Bogus": 1})
	if !errors.Is(err, stack.ErrUnsupported) || !strings.Contains(err.Error(), `"bogus"`) {
		t.Errorf("unknown property: %v", err)
	}
	var cl ecsops.CreateClusterInput
	if err := decodeAPI(apiDocument(map[string]any{"ClusterName": "c", "ClusterSettings": []any{map[string]any{"Name": "containerInsights", "Value": "enabled"}}}).(map[string]any), &cl, true); err != nil || len(cl.Settings) == 0 {
		t.Errorf("cluster settings: %v %s", err, cl.Settings)
	}
}

func TestDecodeStrict(t *testing.T) {
	var rp ruleProps
	err := decode(map[string]any{"ListenerArn": "l", "Priority": "1", "Conditions": []any{map[string]any{"Field": "path-pattern", "Values": []any{"*"}}},
		"Actions": []any{map[string]any{"Type": "forward", "TargetGroupArn": "tg"}}}, &rp)
	if err != nil || *rp.Priority != 1 || rp.Conditions[0].Values[0] != "*" || actions(rp.Actions)[0].TargetGroupARN != "tg" {
		t.Errorf("rule %+v %v", rp, err)
	}
	err = decode(map[string]any{"Actions": []any{map[string]any{"Type": "authenticate-oidc", "AuthenticateOidcConfig": map[string]any{}}}}, &rp)
	if !errors.Is(err, stack.ErrUnsupported) || !strings.Contains(err.Error(), "Actions/0/AuthenticateOidcConfig") {
		t.Errorf("unsupported action: %v", err)
	}
	var tp tgProps
	if err := decode(map[string]any{"Port": "abc"}, &tp); !errors.Is(err, stack.ErrUnsupported) {
		t.Errorf("bad port: %v", err)
	}
}
