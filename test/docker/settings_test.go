package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestContainerSettingsReachTheContainers runs a task of three containers
// that uses the settings the Docker runtime honours: secrets and an
// environment file read from the secrets directory, dockerLabels, a host
// path and task storage shared between containers, dependsOn SUCCESS and
// HEALTHY (the engine running the health check), and the task metadata
// endpoint as seen from inside a container.
func TestContainerSettingsReachTheContainers(t *testing.T) {
	t.Parallel()
	secrets, hostDir := t.TempDir(), t.TempDir()
	write(t, filepath.Join(secrets, "db-password"), "from-a-file\n")
	write(t, filepath.Join(secrets, "api", "key"), `{"key":"k-123"}`)
	write(t, filepath.Join(secrets, "s3", "config-bucket", "web.env"), "# comment\nFROM_FILE=1\nFROM_ENV=overridden\n")
	write(t, filepath.Join(hostDir, "greeting"), "hello from the host")
	s := newSite(t, server.RuntimeDocker, func(c *server.Config) { c.SecretsDir = secrets })

	td := s.register(settingsTaskDefinition(hostDir))
	task := s.waitStatus(s.run(td, 1, nil), "RUNNING", 90*time.Second)[0]
	byName := map[string]ecstypes.Container{}
	for _, c := range task.Containers {
		byName[aws.ToString(c.Name)] = c
	}
	if c := byName["init"]; aws.ToString(c.LastStatus) != "STOPPED" || aws.ToInt32(c.ExitCode) != 0 {
		t.Errorf("init container %s exit %d, want STOPPED 0 before web started", aws.ToString(c.LastStatus), aws.ToInt32(c.ExitCode))
	}
	if c := byName["side"]; c.HealthStatus != ecstypes.HealthStatusHealthy {
		t.Errorf("side container health %s, want HEALTHY (web depends on it)", c.HealthStatus)
	}
	web := fmt.Sprintf("http://127.0.0.1:%d", aws.ToInt32(byName["web"].NetworkBindings[0].HostPort))
	side := fmt.Sprintf("http://127.0.0.1:%d", aws.ToInt32(byName["side"].NetworkBindings[0].HostPort))

	var env []string
	if err := json.Unmarshal([]byte(get(t, web+"/env")), &env); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DB_PASSWORD=from-a-file", "API_KEY=k-123", "FROM_FILE=1", "FROM_ENV=given"} {
		if !slices.Contains(env, want) {
			t.Errorf("web's environment lacks %s: %v", want, env)
		}
	}
	if got := get(t, web+"/file?path=/config/greeting"); got != "hello from the host" {
		t.Errorf("host path reads %q", got)
	}
	get(t, web+"/write?path=/shared/note&data=between-containers")
	if got := get(t, side+"/file?path=/shared/note"); got != "between-containers" {
		t.Errorf("task storage seen by the other container: %q", got)
	}
	checkMetadataInside(t, web, env, aws.ToString(task.TaskArn))
	checkLabels(t, task)
}

func settingsTaskDefinition(hostDir string) *awsecs.RegisterTaskDefinitionInput {
	probe := func(name string, essential bool, cmd ...string) ecstypes.ContainerDefinition {
		return ecstypes.ContainerDefinition{Name: aws.String(name), Image: aws.String(probeImage), Essential: aws.Bool(essential),
			Command: cmd, MemoryReservation: aws.Int32(16)}
	}
	initC := probe("init", false, "exit", "0")
	side := probe("side", true, "serve")
	side.Environment = []ecstypes.KeyValuePair{{Name: aws.String("PROBE_PORT"), Value: aws.String("9090")}}
	side.PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(9090)}}
	side.MountPoints = []ecstypes.MountPoint{{SourceVolume: aws.String("shared"), ContainerPath: aws.String("/shared")}}
	side.HealthCheck = &ecstypes.HealthCheck{Command: []string{"CMD", "/probe", "exit", "0"}, Interval: aws.Int32(5), Retries: aws.Int32(1)}
	web := probe("web", true, "serve")
	web.PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}
	web.DependsOn = []ecstypes.ContainerDependency{
		{ContainerName: aws.String("init"), Condition: ecstypes.ContainerConditionSuccess},
		{ContainerName: aws.String("side"), Condition: ecstypes.ContainerConditionHealthy},
	}
	web.Environment = []ecstypes.KeyValuePair{{Name: aws.String("FROM_ENV"), Value: aws.String("given")}}
	web.EnvironmentFiles = []ecstypes.EnvironmentFile{{Value: aws.String("arn:aws:s3:::config-bucket/web.env"), Type: ecstypes.EnvironmentFileTypeS3}}
	web.Secrets = []ecstypes.Secret{
		{Name: aws.String("DB_PASSWORD"), ValueFrom: aws.String("arn:aws:secretsmanager:us-east-1:000000000000:secret:db-password-AbCdEf")},
		{Name: aws.String("API_KEY"), ValueFrom: aws.String("arn:aws:secretsmanager:us-east-1:000000000000:secret:api/key:key::")},
	}
	web.MountPoints = []ecstypes.MountPoint{
		{SourceVolume: aws.String("shared"), ContainerPath: aws.String("/shared")},
		{SourceVolume: aws.String("config"), ContainerPath: aws.String("/config"), ReadOnly: aws.Bool(true)},
	}
	web.DockerLabels = map[string]string{"team": "blue"}
	return &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("settings"), ContainerDefinitions: []ecstypes.ContainerDefinition{initC, side, web},
		Volumes: []ecstypes.Volume{{Name: aws.String("shared")}, {Name: aws.String("config"), Host: &ecstypes.HostVolumeProperties{SourcePath: aws.String(hostDir)}}},
	}
}

// checkMetadataInside asks the task metadata endpoint from inside the web
// container, at the URI the container was given.
func checkMetadataInside(t *testing.T, web string, env []string, taskARN string) {
	t.Helper()
	uri := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ECS_CONTAINER_METADATA_URI_V4="); ok {
			uri = v
		}
	}
	var task struct {
		TaskARN    string
		Containers []struct{ Name, DockerName string }
	}
	if err := json.Unmarshal([]byte(get(t, web+"/get?url="+url.QueryEscape(uri+"/task"))), &task); err != nil {
		t.Fatal(err)
	}
	if task.TaskARN != taskARN || len(task.Containers) != 3 {
		t.Errorf("/task from inside: %+v", task)
	}
	var stats struct {
		MemoryStats struct{ Usage uint64 } `json:"memory_stats"`
	}
	if err := json.Unmarshal([]byte(get(t, web+"/get?url="+url.QueryEscape(uri+"/stats"))), &stats); err != nil || stats.MemoryStats.Usage == 0 {
		t.Errorf("/stats from inside: %+v %v", stats, err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal([]byte(get(t, web+"/get?url="+url.QueryEscape(uri+"/task/stats"))), &all); err != nil || len(all) != 3 {
		t.Errorf("/task/stats from inside: %d containers, %v", len(all), err)
	}
}

// checkLabels reads the web container's labels from the engine.
func checkLabels(t *testing.T, task ecstypes.Task) {
	t.Helper()
	cli := testutil.RequireDocker(t)
	arn := aws.ToString(task.TaskArn)
	f := make(client.Filters).Add("label", "dev.slipway.task-id="+arn[strings.LastIndex(arn, "/")+1:], "dev.slipway.container=web")
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{Filters: f})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("web container: %v %v", list.Items, err)
	}
	for _, c := range task.Containers {
		if aws.ToString(c.Name) == "web" && aws.ToString(c.RuntimeId) != list.Items[0].ID {
			t.Errorf("web's runtimeId %q, want the engine's container id %s", aws.ToString(c.RuntimeId), list.Items[0].ID)
		}
	}
	l := list.Items[0].Labels
	if l["team"] != "blue" || l["com.amazonaws.ecs.task-arn"] != arn || l["com.amazonaws.ecs.container-name"] != "web" || l["dev.slipway.store"] == "" {
		t.Errorf("labels %v", l)
	}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
