package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// talkAnswer is talk-service's answer to GET /talk.
type talkAnswer struct {
	Version string `json:"version"`
	TaskArn string `json:"taskArn"`
}

var httpClient = &http.Client{Timeout: 3 * time.Second}

// getTalk asks http://127.0.0.1:PORT/talk and decodes the answer.
func getTalk(port int) (talkAnswer, error) {
	resp, err := httpClient.Get(fmt.Sprintf("http://127.0.0.1:%d/talk", port))
	if err != nil {
		return talkAnswer{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return talkAnswer{}, fmt.Errorf("GET /talk on port %d: %s: %s", port, resp.Status, body)
	}
	var a talkAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return talkAnswer{}, fmt.Errorf("GET /talk on port %d: %v: %s", port, err, body)
	}
	return a, nil
}

// waitTalk polls a task's port until it answers /talk with its ARN:
// talk-service learns the ARN from the metadata endpoint in the background,
// so the first answers may carry none yet.
func waitTalk(t *testing.T, port int, wantARN, wantVersion string) {
	t.Helper()
	waitFor(t, 10*time.Second, func() (bool, string) {
		a, err := getTalk(port)
		if err != nil {
			return false, err.Error()
		}
		return a.TaskArn == wantARN && a.Version == wantVersion,
			fmt.Sprintf("port %d answered %+v, want task %s version %s", port, a, wantARN, wantVersion)
	})
}

// talkTaskDef is a task definition in the style of the seeds' ECS examples
// (family talk, container web on 8080), with the site's talk-service as the
// image and fields Slipway stores but cannot honour here.
func (s *site) talkTaskDef(version string) string {
	return fmt.Sprintf(`{
  "family": "talk",
  "executionRoleArn": "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
  "networkMode": "bridge",
  "containerDefinitions": [
    {
      "name": "web",
      "image": %q,
      "essential": true,
      "memoryReservation": 64,
      "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
      "environment": [{"name": "TALK_VERSION", "value": %q}],
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": {
          "awslogs-group": "talk",
          "awslogs-region": "eu-central-1",
          "awslogs-stream-prefix": "talk"
        }
      }
    }
  ]
}`, s.talk, version)
}

// registerTalk registers talkTaskDef(version) with --cli-input-json and
// returns the task definition the CLI printed.
func (s *site) registerTalk(t *testing.T, cli *awsCLI, version string) map[string]any {
	t.Helper()
	// Its awslogs group must exist, as on ECS (without awslogs-create-group).
	if err := cli.call(nil, "logs", "create-log-group", "--log-group-name", "talk"); err != nil &&
		!strings.Contains(err.Error(), "ResourceAlreadyExistsException") {
		t.Fatal(err)
	}
	path := s.writeFile(t, "taskdef-"+version+".json", s.talkTaskDef(version))
	var out struct{ TaskDefinition map[string]any }
	cli.must(t, &out, "ecs", "register-task-definition", "--cli-input-json", "file://"+path)
	return out.TaskDefinition
}
