package ecs

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// rawCall posts a JSON 1.1 request the way the AWS CLI does, returning the
// status and decoded body.
func rawCall(t *testing.T, url, op, body string) (int, map[string]any) {
	t.Helper()
	return rawCallAuth(t, url, op, body, testutil.DummyAuthorization)
}

// rawCallAuth is rawCall with the given Authorization header ("" for none).
func rawCallAuth(t *testing.T, url, op, body, auth string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", TargetPrefix+"."+op)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: answer is not JSON: %s", op, raw)
	}
	return resp.StatusCode, out
}

const fargateTaskDef = `{
  "family": "aws101-todo-app",
  "cpu": "256",
  "memory": "512",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "executionRoleArn": "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
  "containerDefinitions": [{
    "cpu": 256, "memory": 512, "name": "aws101-todo-app", "image": "todo:latest",
    "portMappings": [{"containerPort": 8080}],
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "aws101-todo-app", "awslogs-region": "eu-central-1", "awslogs-stream-prefix": "aws101-todo-app"}},
    "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
    "someFutureField": {"x": 1.50}
  }],
  "tags": [{"key": "app", "value": "todo"}]
}`

func TestRegisterTaskDefinitionEchoesEveryField(t *testing.T) {
	api := newTestAPI(t, nil, nil)
	status, out := rawCall(t, api.url, "RegisterTaskDefinition", fargateTaskDef)
	if status != 200 {
		t.Fatalf("status %d: %v", status, out)
	}
	td := out["taskDefinition"].(map[string]any)
	if td["taskDefinitionArn"] != "arn:aws:ecs:us-east-1:000000000000:task-definition/aws101-todo-app:1" ||
		td["revision"] != 1.0 || td["status"] != "ACTIVE" || td["executionRoleArn"] == nil ||
		td["networkMode"] != "awsvpc" || td["cpu"] != "256" || td["memory"] != "512" {
		t.Fatalf("task definition: %v", td)
	}
	c := td["containerDefinitions"].([]any)[0].(map[string]any)
	pm := c["portMappings"].([]any)[0].(map[string]any)
	if c["essential"] != true || pm["protocol"] != "tcp" || pm["hostPort"] != 8080.0 {
		t.Fatalf("defaults: %v", c)
	}
	if c["ulimits"] == nil || c["logConfiguration"] == nil || c["someFutureField"] == nil {
		t.Fatalf("fields not echoed: %v", c)
	}
	if !bytes.Contains(mustJSON(t, c["someFutureField"]), []byte(`1.5`)) {
		t.Fatalf("number changed: %v", c["someFutureField"])
	}
	if len(out["tags"].([]any)) != 1 {
		t.Fatalf("tags: %v", out["tags"])
	}
	_, again := rawCall(t, api.url, "RegisterTaskDefinition", fargateTaskDef)
	if again["taskDefinition"].(map[string]any)["revision"] != 2.0 {
		t.Fatalf("second revision: %v", again)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRegisterTaskDefinitionValidation(t *testing.T) {
	api := newTestAPI(t, nil, nil)
	cases := []struct{ name, body, code, msg string }{
		{"missing family", `{"containerDefinitions":[{"name":"a","image":"b"}]}`, "ClientException", "Family"},
		{"no containers", `{"family":"f","containerDefinitions":[]}`, "ClientException", "Container list cannot be empty."},
		{"no name", `{"family":"f","containerDefinitions":[{"image":"b"}]}`, "ClientException", "Container.name should not be null or empty."},
		{"no image", `{"family":"f","containerDefinitions":[{"name":"a"}]}`, "ClientException", "Container.image should not be null or empty."},
		{"duplicate names", `{"family":"f","containerDefinitions":[{"name":"a","image":"b"},{"name":"a","image":"c"}]}`, "ClientException", "Duplicate container name"},
		{"no essential", `{"family":"f","containerDefinitions":[{"name":"a","image":"b","essential":false}]}`, "ClientException", "doesn't have any essential container"},
		{"bad port", `{"family":"f","containerDefinitions":[{"name":"a","image":"b","portMappings":[{"containerPort":70000}]}]}`, "ClientException", "containerPort"},
		{"bad protocol", `{"family":"f","containerDefinitions":[{"name":"a","image":"b","portMappings":[{"containerPort":80,"protocol":"sctp"}]}]}`, "ClientException", "protocol"},
		{"dup host port", `{"family":"f","containerDefinitions":[{"name":"a","image":"b","portMappings":[{"containerPort":80,"hostPort":80}]},{"name":"c","image":"b","portMappings":[{"containerPort":81,"hostPort":80}]}]}`, "ClientException", "Host port 80"},
		{"awsvpc ports differ", `{"family":"f","networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"b","portMappings":[{"containerPort":80,"hostPort":81}]}]}`, "ClientException", "must match"},
		{"health interval", `{"family":"f","containerDefinitions":[{"name":"a","image":"b","healthCheck":{"command":["CMD","true"],"interval":1}}]}`, "ClientException", "'interval' must be between 5 and 300"},
		{"health command", `{"family":"f","containerDefinitions":[{"name":"a","image":"b","healthCheck":{"command":["true"]}}]}`, "ClientException", "CMD"},
		{"bad task cpu", `{"family":"f","cpu":"lots","containerDefinitions":[{"name":"a","image":"b"}]}`, "ClientException", "Invalid 'cpu' setting for task."},
		{"bad container memory", `{"family":"f","containerDefinitions":[{"name":"a","image":"b","memory":"x"}]}`, "ClientException", "Invalid 'memory' setting for container 'a'."},
		{"wrong type", `{"family":"f","containerDefinitions":[{"name":"a","image":"b","command":"echo hi"}]}`, "SerializationException", ""},
		{"malformed json", `{"family":`, "SerializationException", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := rawCall(t, api.url, "RegisterTaskDefinition", c.body)
			if status != 400 || out["__type"] != c.code || !strings.Contains(out["message"].(string), c.msg) {
				t.Fatalf("status %d, %v", status, out)
			}
		})
	}
	list, err := api.client.ListTaskDefinitionFamilies(context.Background(), &awsecs.ListTaskDefinitionFamiliesInput{Status: types.TaskDefinitionFamilyStatusAll})
	if err != nil || len(list.Families) != 0 {
		t.Fatalf("a rejected definition left a family behind: %v %v", list, err)
	}
}

func TestRegisterTaskDefinitionSizesAsStringsOrNumbers(t *testing.T) {
	api := newTestAPI(t, nil, nil)
	_, out := rawCall(t, api.url, "RegisterTaskDefinition",
		`{"family":"f","cpu":512,"memory":"1 GB","containerDefinitions":[{"name":"a","image":"b","cpu":"128","memoryReservation":"64"}]}`)
	td := out["taskDefinition"].(map[string]any)
	c := td["containerDefinitions"].([]any)[0].(map[string]any)
	if td["cpu"] != "512" || td["memory"] != "1024" || c["cpu"] != 128.0 || c["memoryReservation"] != 64.0 {
		t.Fatalf("sizes: %v", td)
	}
}

func TestTaskDefinitionRevisionsAndDeregistration(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	for range 3 {
		rawCall(t, api.url, "RegisterTaskDefinition", `{"family":"talk","containerDefinitions":[{"name":"web","image":"talk-service"}]}`)
	}
	rawCall(t, api.url, "RegisterTaskDefinition", `{"family":"other","containerDefinitions":[{"name":"web","image":"x"}]}`)
	latest, err := c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("talk")})
	if err != nil || latest.TaskDefinition.Revision != 3 {
		t.Fatalf("latest = %v, %v", latest, err)
	}
	dereg, err := c.DeregisterTaskDefinition(ctx, &awsecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("talk:3")})
	if err != nil || dereg.TaskDefinition.Status != types.TaskDefinitionStatusInactive || dereg.TaskDefinition.DeregisteredAt == nil {
		t.Fatalf("deregister = %+v, %v", dereg, err)
	}
	latest, _ = c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("talk")})
	if latest.TaskDefinition.Revision != 2 {
		t.Fatalf("latest active after deregistering 3 = %d", latest.TaskDefinition.Revision)
	}
	inactive, _ := c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("arn:aws:ecs:us-east-1:000000000000:task-definition/talk:3")})
	if inactive.TaskDefinition.Status != types.TaskDefinitionStatusInactive {
		t.Fatalf("talk:3 = %v", inactive.TaskDefinition.Status)
	}
	_, err = c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("talk:9")})
	wantCode(t, err, "ClientException")
	_, err = c.DeregisterTaskDefinition(ctx, &awsecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("talk")})
	wantCode(t, err, "ClientException")

	list, _ := c.ListTaskDefinitions(ctx, &awsecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("talk"), Sort: types.SortOrderDesc})
	if len(list.TaskDefinitionArns) != 2 || !strings.HasSuffix(list.TaskDefinitionArns[0], "talk:2") {
		t.Fatalf("list = %v", list.TaskDefinitionArns)
	}
	var all []string
	p := awsecs.NewListTaskDefinitionsPaginator(c, &awsecs.ListTaskDefinitionsInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.TaskDefinitionArns...)
	}
	if len(all) != 3 {
		t.Fatalf("paged list = %v", all)
	}
	fams, _ := c.ListTaskDefinitionFamilies(ctx, &awsecs.ListTaskDefinitionFamiliesInput{})
	if len(fams.Families) != 2 {
		t.Fatalf("families = %v", fams.Families)
	}
}
