package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestUtilizationOfDockerTasks runs two services on the Docker runtime, one
// whose task burns a CPU and one that idles, each reserving 1024 CPU units
// and 128 MiB, and reads AWS/ECS CPUUtilization and MemoryUtilization back
// through CloudWatch: the burner's CPU rises well above the idle one's. The
// burner's task metadata endpoint, asked from its other container, shows
// the same measurement in Docker's stats shape.
func TestUtilizationOfDockerTasks(t *testing.T) {
	t.Parallel()
	var storeID string
	t.Cleanup(func() { removeStoreContainers(t, storeID) }) // after the site's own cleanup
	s := newSite(t, server.RuntimeDocker, func(c *server.Config) { c.TimeScale = 60 })
	ctx := context.Background()
	probe := func(name string, cmd ...string) ecstypes.ContainerDefinition {
		return ecstypes.ContainerDefinition{Name: aws.String(name), Image: aws.String(probeImage), Essential: aws.Bool(true),
			Command: cmd, Cpu: 256, Memory: aws.Int32(64)}
	}
	web := probe("web", "serve")
	web.PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}
	for name, cmd := range map[string]string{"burn": "burn", "idle": "sleep"} {
		main := probe(name, cmd)
		main.Cpu = 768 // with web's 256, 1024 units: a busy CPU is 100%
		td := s.register(&awsecs.RegisterTaskDefinitionInput{Family: aws.String(name),
			ContainerDefinitions: []ecstypes.ContainerDefinition{main, web}})
		if _, err := s.ecs.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String(name),
			TaskDefinition: aws.String(td), DesiredCount: aws.Int32(1)}); err != nil {
			t.Fatal(err)
		}
	}
	cwc := cw.New(cw.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
	stat := func(metric, service string) (maxi, n float64) {
		now := time.Now()
		out, err := cwc.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("AWS/ECS"), MetricName: aws.String(metric),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("ClusterName"), Value: aws.String("default")}, {Name: aws.String("ServiceName"), Value: aws.String(service)}},
			StartTime:  aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(10 * time.Minute)), Period: aws.Int32(1200),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum, cwtypes.StatisticSampleCount}})
		if err != nil || len(out.Datapoints) == 0 {
			return 0, 0
		}
		return aws.ToFloat64(out.Datapoints[0].Maximum), aws.ToFloat64(out.Datapoints[0].SampleCount)
	}
	testutil.Eventually(t, 90*time.Second, func() (bool, string) {
		burn, n := stat("CPUUtilization", "burn")
		idle, m := stat("CPUUtilization", "idle")
		mem, k := stat("MemoryUtilization", "burn")
		// A busy CPU is 100% of 1024 units; beside other tests (2 CPUs
		// shared) it gets less, but far more than an idle task.
		return n >= 2 && m >= 2 && burn > 15 && idle < 5 && k >= 2 && mem > 0 && mem < 100,
			fmt.Sprintf("CPUUtilization burn %.1f%% (%v samples), idle %.1f%% (%v); MemoryUtilization burn %.2f%% (%v)", burn, n, idle, m, mem, k)
	})

	list, err := s.ecs.ListTasks(ctx, &awsecs.ListTasksInput{ServiceName: aws.String("burn")})
	if err != nil || len(list.TaskArns) != 1 {
		t.Fatalf("burn's tasks: %v, %v", list, err)
	}
	task := s.describe(list.TaskArns)[0]
	var burnID, webURL string
	for _, c := range task.Containers {
		switch aws.ToString(c.Name) {
		case "burn":
			burnID = aws.ToString(c.RuntimeId)
		case "web":
			webURL = fmt.Sprintf("http://127.0.0.1:%d", aws.ToInt32(c.NetworkBindings[0].HostPort))
		}
	}
	storeID = containerLabel(t, burnID, "dev.slipway.store")
	checkTaskStats(t, webURL, burnID)
}

// dockerStats is the part of Docker's stats JSON the test reads.
type dockerStats struct {
	Read, PreRead time.Time
	CPU           struct {
		Usage struct {
			Total uint64 `json:"total_usage"`
		} `json:"cpu_usage"`
		System uint64 `json:"system_cpu_usage"`
		Online int    `json:"online_cpus"`
	} `json:"cpu_stats"`
	PreCPU struct {
		Usage struct {
			Total uint64 `json:"total_usage"`
		} `json:"cpu_usage"`
		System uint64 `json:"system_cpu_usage"`
	} `json:"precpu_stats"`
	Memory struct{ Usage, Limit uint64 } `json:"memory_stats"`
}

// checkTaskStats asks /task/stats from inside the web container for a
// second: each answer's precpu_stats is the one before, and the burner's
// CPU share over that time, computed as `docker stats` does, is busy.
func checkTaskStats(t *testing.T, webURL, burnID string) {
	t.Helper()
	var env []string
	if err := json.Unmarshal([]byte(get(t, webURL+"/env")), &env); err != nil {
		t.Fatal(err)
	}
	uri := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ECS_CONTAINER_METADATA_URI_V4="); ok {
			uri = v
		}
	}
	taskStats := func() dockerStats {
		var all map[string]dockerStats
		if err := json.Unmarshal([]byte(get(t, webURL+"/get?url="+url.QueryEscape(uri+"/task/stats"))), &all); err != nil {
			t.Fatal(err)
		}
		st, ok := all[burnID]
		if !ok || len(all) != 2 {
			t.Fatalf("/task/stats has %d containers, burn (%s) %v", len(all), burnID, ok)
		}
		return st
	}
	first := taskStats()
	prev, last := first, first
	chained := true
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		last = taskStats()
		chained = chained && last.PreRead.Equal(prev.Read) && last.PreCPU.Usage.Total == prev.CPU.Usage.Total && last.PreCPU.System == prev.CPU.System
		prev = last
		return last.Read.Sub(first.Read) >= time.Second, "waiting for a second between samples"
	})
	if !chained || last.Memory.Limit != 64<<20 || last.Memory.Usage == 0 {
		t.Errorf("last sample %+v after %+v: want the one before as its precpu (%v), the 64 MiB limit and some memory", last, first, chained)
	}
	share := float64(last.CPU.Usage.Total-first.CPU.Usage.Total) / float64(last.CPU.System-first.CPU.System) * float64(last.CPU.Online)
	if share < 0.1 || share > 1.1 {
		t.Errorf("the burner used %.2f CPUs over a second of /stats, want a good part of one (and at most one)", share)
	}
}

// containerLabel reads one label of a container from the engine.
func containerLabel(t *testing.T, id, label string) string {
	t.Helper()
	cli := testutil.RequireDocker(t)
	insp, err := cli.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return insp.Container.Config.Labels[label]
}

// removeStoreContainers removes whatever containers a store's server left
// (none, if it stopped its tasks as it should).
func removeStoreContainers(t *testing.T, storeID string) {
	if storeID == "" {
		return
	}
	cli := testutil.RequireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", "dev.slipway.store="+storeID)})
	if err != nil {
		t.Log(err)
		return
	}
	for _, c := range list.Items {
		_, _ = cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	}
}
