package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// fakeTaskDefs answers DescribeTaskDefinition with one definition.
type fakeTaskDefs struct {
	td   types.TaskDefinition
	tags []types.Tag
}

func (f fakeTaskDefs) DescribeTaskDefinition(context.Context, *awsecs.DescribeTaskDefinitionInput, ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error) {
	td := f.td
	return &awsecs.DescribeTaskDefinitionOutput{TaskDefinition: &td, Tags: f.tags}, nil
}

func (f fakeTaskDefs) RegisterTaskDefinition(context.Context, *awsecs.RegisterTaskDefinitionInput, ...func(*awsecs.Options)) (*awsecs.RegisterTaskDefinitionOutput, error) {
	return nil, errors.New("not used")
}

func TestDeriveTaskDefinition(t *testing.T) {
	env := []types.KeyValuePair{{Name: aws.String("A"), Value: aws.String("1")}, {Name: aws.String("B"), Value: aws.String("2")}}
	api := fakeTaskDefs{td: types.TaskDefinition{Family: aws.String("talk"), Cpu: aws.String("256"), NetworkMode: types.NetworkModeBridge,
		TaskDefinitionArn: aws.String("arn:aws:ecs:us-east-1:0:task-definition/talk:4"), Revision: 4,
		ContainerDefinitions: []types.ContainerDefinition{
			{Name: aws.String("web"), Image: aws.String("talk:1"), Environment: env},
			{Name: aws.String("log"), Image: aws.String("fluent")},
		}}, tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("x")}}}
	_, err := deriveTaskDefinition(t.Context(), api, "talk:4", containerChange{image: "talk:2"})
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "choose one with --container") || !strings.Contains(err.Error(), "web, log") {
		t.Errorf("two containers, none named: %v", err)
	}
	in, err := deriveTaskDefinition(t.Context(), api, "talk:4", containerChange{container: "web", image: "talk:2", env: []string{"B=3", "C=4"}})
	if err != nil {
		t.Fatal(err)
	}
	web := in.ContainerDefinitions[0]
	if aws.ToString(web.Image) != "talk:2" || len(web.Environment) != 3 || aws.ToString(web.Environment[1].Value) != "3" ||
		aws.ToString(web.Environment[2].Name) != "C" || aws.ToString(in.ContainerDefinitions[1].Image) != "fluent" ||
		aws.ToString(in.Cpu) != "256" || in.NetworkMode != types.NetworkModeBridge || len(in.Tags) != 1 {
		t.Errorf("derived %+v", in)
	}
	if aws.ToString(env[1].Value) != "2" {
		t.Error("the described definition was changed in place")
	}
	if _, err := deriveTaskDefinition(t.Context(), api, "talk:4", containerChange{container: "db", image: "x"}); !errors.Is(err, ErrUsage) {
		t.Errorf("unknown container: %v", err)
	}
	if _, err := deriveTaskDefinition(t.Context(), api, "talk:4", containerChange{container: "web", env: []string{"NOVALUE"}}); !errors.Is(err, ErrUsage) {
		t.Errorf("bad --env: %v", err)
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "td.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadTaskDefinitionFile(t *testing.T) {
	in, note, err := loadTaskDefinitionFile("file://" + writeFile(t, `{"family": "talk", "cpu": "256", "networkMode": "bridge",
  "containerDefinitions": [{"name": "web", "image": "talk", "cpu": 128, "essential": true,
    "portMappings": [{"containerPort": 8080}], "healthCheck": {"command": ["CMD", "true"], "interval": 10}}]}`))
	if err != nil || note != "" || aws.ToString(in.Family) != "talk" || in.NetworkMode != types.NetworkModeBridge ||
		in.ContainerDefinitions[0].Cpu != 128 || aws.ToInt32(in.ContainerDefinitions[0].HealthCheck.Interval) != 10 {
		t.Errorf("plain file: %+v %q %v", in, note, err)
	}
	// The output of describe-task-definition, saved as it is.
	in, note, err = loadTaskDefinitionFile(writeFile(t, `{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:0:task-definition/talk:3",
  "family": "talk", "revision": 3, "status": "ACTIVE", "containerDefinitions": [{"name": "web", "image": "talk"}],
  "registeredAt": "2024-01-01T00:00:00Z"}, "tags": [{"key": "k", "value": "v"}]}`))
	if err != nil || !strings.Contains(note, "taskDefinitionArn, revision, status, registeredAt") || len(in.Tags) != 1 {
		t.Errorf("describe output: %+v %q %v", in, note, err)
	}
	for name, body := range map[string]string{
		"unknown field": `{"family": "talk", "containerDefinitions": [{"name": "web", "image": "x", "imagee": "y"}]}`,
		"no family":     `{"containerDefinitions": [{"name": "web", "image": "x"}]}`,
		"not an object": `[1, 2]`,
		"wrong type":    `{"family": "talk", "cpu": 256, "containerDefinitions": [{"name": "web"}]}`,
	} {
		if _, _, err := loadTaskDefinitionFile(writeFile(t, body)); !errors.Is(err, errTaskDefFile) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, _, err := loadTaskDefinitionFile(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// fakeHistory is a service deployment history as Slipway's API returns it.
type fakeHistory []types.ServiceDeployment

func (f fakeHistory) ListServiceDeployments(context.Context, *awsecs.ListServiceDeploymentsInput, ...func(*awsecs.Options)) (*awsecs.ListServiceDeploymentsOutput, error) {
	out := &awsecs.ListServiceDeploymentsOutput{}
	for _, d := range f {
		out.ServiceDeployments = append(out.ServiceDeployments, types.ServiceDeploymentBrief{ServiceDeploymentArn: d.ServiceDeploymentArn, Status: d.Status})
	}
	return out, nil
}

func (f fakeHistory) DescribeServiceDeployments(_ context.Context, in *awsecs.DescribeServiceDeploymentsInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeServiceDeploymentsOutput, error) {
	out := &awsecs.DescribeServiceDeploymentsOutput{}
	for _, d := range f {
		for _, a := range in.ServiceDeploymentArns {
			if a == aws.ToString(d.ServiceDeploymentArn) {
				out.ServiceDeployments = append(out.ServiceDeployments, d)
			}
		}
	}
	return out, nil
}

// DescribeServiceRevisions answers from the task definition each fake
// deployment recorded in its target revision's ARN fragment.
func (f fakeHistory) DescribeServiceRevisions(_ context.Context, in *awsecs.DescribeServiceRevisionsInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeServiceRevisionsOutput, error) {
	out := &awsecs.DescribeServiceRevisionsOutput{}
	for _, arn := range in.ServiceRevisionArns {
		_, td, _ := strings.Cut(arn, "#")
		out.ServiceRevisions = append(out.ServiceRevisions, types.ServiceRevision{ServiceRevisionArn: aws.String(arn), TaskDefinition: aws.String(td)})
	}
	return out, nil
}

const tdPrefix = "arn:aws:ecs:us-east-1:0:task-definition/"

// past is one deployment of taskDef; the fake carries the task definition
// in its revision ARN after a "#".
func past(seq string, status types.ServiceDeploymentStatus, at time.Time, taskDef string) types.ServiceDeployment {
	return types.ServiceDeployment{ServiceDeploymentArn: aws.String("arn:aws:ecs:us-east-1:0:service-deployment/default/talk/" + seq),
		Status: status, CreatedAt: aws.Time(at),
		TargetServiceRevision: &types.ServiceRevisionSummary{Arn: aws.String("arn:aws:ecs:us-east-1:0:service-revision/default/talk/" + seq + "#" + tdPrefix + taskDef)}}
}

// The history after talk:1, talk:2, a broken talk:3 and the circuit
// breaker's rollback to talk:2 (deployment 4).
func TestPreviousCompleted(t *testing.T) {
	t0 := time.Now().Add(-time.Hour)
	h := fakeHistory{
		past("4", types.ServiceDeploymentStatusSuccessful, t0.Add(4*time.Minute), "talk:2"),
		past("3", types.ServiceDeploymentStatusRollbackSuccessful, t0.Add(3*time.Minute), "talk:3"),
		past("2", types.ServiceDeploymentStatusSuccessful, t0.Add(2*time.Minute), "talk:2"),
		past("1", types.ServiceDeploymentStatusSuccessful, t0.Add(time.Minute), "talk:1"),
	}
	svc := types.Service{ServiceName: aws.String("talk"), TaskDefinition: aws.String(tdPrefix + "talk:2"),
		Deployments: []types.Deployment{{Id: aws.String("ecs-svc/4"), Status: aws.String("PRIMARY"), TaskDefinition: aws.String(tdPrefix + "talk:2"),
			RolloutState: types.DeploymentRolloutStateCompleted, CreatedAt: aws.Time(t0.Add(4 * time.Minute))}}}
	d, err := previousCompleted(t.Context(), h, "default", svc)
	if err != nil || d.taskDef != tdPrefix+"talk:1" || deploymentLabel(d.id) != "1" {
		t.Errorf("previous = %+v, %v; want talk:1 of deployment 1", d, err)
	}
	svc.TaskDefinition = aws.String(tdPrefix + "talk:1")
	if d, err := previousCompleted(t.Context(), h, "default", svc); err != nil || d.taskDef != tdPrefix+"talk:2" {
		t.Errorf("from talk:1: %+v, %v; want talk:2", d, err)
	}
	if _, err := previousCompleted(t.Context(), h[3:], "default", types.Service{ServiceName: aws.String("talk"), TaskDefinition: aws.String(tdPrefix + "talk:1")}); !errors.Is(err, errNothingToRollBack) {
		t.Errorf("only the current revision ever completed: %v", err)
	}
}

func TestSameDeployment(t *testing.T) {
	arn := "arn:aws:ecs:us-east-1:0:service-deployment/default/talk/7"
	if !sameDeployment("ecs-svc/0000000000000000007", arn) || sameDeployment("ecs-svc/0000000000000000017", arn) || sameDeployment("ecs-svc/0", "x/0") {
		t.Error("sameDeployment")
	}
}
