package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// talkBinary is the talk-service example built once by TestMain.
var talkBinary string

func TestMain(m *testing.M) {
	// The test binary also serves as its servers' children: the process
	// runtime's shim (through testutil's environment variable, or as the
	// default shim command, this executable with "__shim", which `slipway
	// demo` uses), the data plane and the reaper.
	if code, ok := testutil.RunAsChild(testutil.Children{ShimArg: process.ShimArg, Shim: process.ShimMain,
		DataPlaneArg: lbnode.Arg, DataPlane: lbnode.Main}); ok {
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "slipway-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	talkBinary, err = testutil.BuildTalkService(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testutil.OwnChildren()
	code := testutil.RunWithReaper(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixture is an embedded server with service "talk" of 3 tasks of talk:1,
// circuit breaker with rollback on.
type fixture struct {
	t     *testing.T
	srv   *server.Server
	c     deployClients
	lbURL string // "" without a load balancer
}

// newFixture starts the server and the service. Without a load balancer the
// service is fast to deploy (no health-check interval to wait for).
func newFixture(t *testing.T, withLB bool) *fixture {
	t.Helper()
	srv := startEmbedded(t, "")
	g := &globals{endpoint: srv.URL(), region: "us-east-1", cluster: "default"}
	c, err := g.deployClients(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, srv: srv, c: c}
	taskDef, err := registerTalk(t.Context(), c.ecs, talkBinary)
	if err != nil {
		t.Fatal(err)
	}
	in := &awsecs.CreateServiceInput{ServiceName: aws.String("talk"), TaskDefinition: aws.String(taskDef), DesiredCount: aws.Int32(3),
		DeploymentConfiguration: &types.DeploymentConfiguration{DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}}}
	if withLB {
		lb, err := createLoadBalancing(t.Context(), c.elb)
		if err != nil {
			t.Fatal(err)
		}
		f.lbURL = lb.url
		in.LoadBalancers = []types.LoadBalancer{{TargetGroupArn: aws.String(lb.tg), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}}
	}
	if _, err := c.ecs.CreateService(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	f.waitSteady("talk:1")
	return f
}

// waitSteady waits until the service runs only revision, its deployment
// COMPLETED.
func (f *fixture) waitSteady(revision string) {
	f.t.Helper()
	testutil.Eventually(f.t, 30*time.Second, func() (bool, string) {
		svc := f.service()
		ok := len(svc.Deployments) == 1 && svc.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted &&
			shortARN(aws.ToString(svc.Deployments[0].TaskDefinition)) == revision
		return ok, fmt.Sprintf("deployments %s", deploymentsString(svc))
	})
}

func (f *fixture) service() types.Service {
	f.t.Helper()
	out, err := f.c.ecs.DescribeServices(f.t.Context(), &awsecs.DescribeServicesInput{Services: []string{"talk"}})
	if err != nil || len(out.Services) != 1 {
		f.t.Fatalf("DescribeServices: %v %v", out, err)
	}
	return out.Services[0]
}

func deploymentsString(svc types.Service) string {
	var parts []string
	for _, d := range svc.Deployments {
		parts = append(parts, fmt.Sprintf("%s %s %s %s", aws.ToString(d.Id), aws.ToString(d.Status), shortARN(aws.ToString(d.TaskDefinition)), d.RolloutState))
	}
	return strings.Join(parts, "; ")
}

// run runs the slipway command line against the fixture's server and
// returns its stdout, stderr and exit code as Main would.
func (f *fixture) run(args ...string) (string, string, int) {
	f.t.Helper()
	return runCLI(f.t, append([]string{"--endpoint-url", f.srv.URL(), "--metrics-url", f.srv.MetricsURL()}, args...)...)
}

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return runCLIContext(t, t.Context(), args...)
}

func runCLIContext(t *testing.T, ctx context.Context, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	root := newRoot(&stdout, &stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ec exitCode
	if err != nil && !errors.As(err, &ec) {
		fmt.Fprintln(&stderr, "slipway:", err) // as Main prints it
	}
	t.Logf("slipway %s\n%s%s", strings.Join(args, " "), stdout.String(), stderr.String())
	return stdout.String(), stderr.String(), exitStatus(err)
}

// exitStatus maps a command's error to its exit code as Main does.
func exitStatus(err error) int {
	var ec exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ec):
		return int(ec)
	case errors.Is(err, ErrUsage):
		return 2
	}
	return 1
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// duration matches the duration in a verdict, e.g. "in 3.2s".
var duration = regexp.MustCompile(`\b\d+\.\ds\b`)

func TestDeployImageCompletes(t *testing.T) {
	f := newFixture(t, true)
	image := filepath.Join(t.TempDir(), "talk-service-2")
	copyFile(t, talkBinary, image)
	load := startLoad(t.Context(), f.lbURL+"/talk", 40, 2)
	if err := load.waitAnswered(t.Context(), 20, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	out, _, code := f.run("deploy", "talk", "--image", image)
	res := load.stop()
	last := lastLine(out)
	if code != 0 || !strings.HasPrefix(last, "COMPLETED in ") || !strings.Contains(last, "talk runs talk:2") || !duration.MatchString(last) {
		t.Fatalf("exit %d, last line %q", code, last)
	}
	// Behind a Slipway listener the line reports the requests per revision.
	if !regexp.MustCompile(`requests (talk:1 \d+ served, 0 failed; )?talk:2 \d+ served, 0 failed`).MatchString(last) {
		t.Errorf("no per-revision requests in %q", last)
	}
	if res.Failed > 0 {
		t.Errorf("load generator: %s", res)
	}
	// Line-per-change progress (stdout is not a terminal): the new revision
	// shows up, and no status line repeats the one before it.
	if !strings.Contains(out, "talk:2 new 0/3 running") && !strings.Contains(out, "talk:2 new 3/3 running") {
		t.Errorf("no progress line for talk:2 in:\n%s", out)
	}
	assertNoRepeats(t, out)
	td, err := f.c.ecs.DescribeTaskDefinition(t.Context(), &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("talk:2")})
	if err != nil {
		t.Fatal(err)
	}
	cd := td.TaskDefinition.ContainerDefinitions[0]
	if aws.ToString(cd.Image) != image || aws.ToString(cd.Environment[0].Value) != "v1" || aws.ToInt32(cd.PortMappings[0].ContainerPort) != 8080 ||
		aws.ToInt32(cd.Memory) != 256 || cd.Cpu != 128 {
		t.Errorf("talk:2 container = %+v: want the new image and every other field kept", cd)
	}
}

// assertNoRepeats fails when two consecutive progress lines say the same.
func assertNoRepeats(t *testing.T, out string) {
	t.Helper()
	prev := ""
	for _, l := range strings.Split(out, "\n") {
		_, rest, _ := strings.Cut(l, "] ")
		if strings.HasPrefix(rest, "(service ") {
			continue // events may repeat: they are what happened
		}
		if rest != "" && rest == prev {
			t.Errorf("repeated progress line %q", l)
		}
		prev = rest
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// The crashing version runs behind a load balancer: without one, the
// controller may count a task that exits at once as healthy (see
// TestKnownBugCrashAfterRunningCompletes).
func TestDeployCrashingVersionRollsBack(t *testing.T) {
	f := newFixture(t, true)
	out, _, code := f.run("deploy", "talk", "--env", "TALK_CRASH_AT_START=true")
	last := lastLine(out)
	if code != 1 || !strings.HasPrefix(last, "FAILED, rolled back to talk:1 in ") || !duration.MatchString(last) {
		t.Fatalf("exit %d, last line %q", code, last)
	}
	// Why: the circuit breaker's reason with the task's exit code; the log
	// tail is printed above the verdict.
	if !strings.Contains(last, "talk:2 did not deploy") || !strings.Contains(last, "exit code 1") || !strings.Contains(last, "circuit breaker") {
		t.Errorf("verdict does not say why: %q", last)
	}
	if !strings.Contains(out, "crashing at start as asked") {
		t.Errorf("no log tail of the failed task in:\n%s", out)
	}
	f.waitSteady("talk:1")
}

func TestDeployTaskDefinitionFile(t *testing.T) {
	f := newFixture(t, false)
	path := filepath.Join(t.TempDir(), "taskdef.json")
	doc := fmt.Sprintf(`{
  "family": "talk",
  "containerDefinitions": [{
    "name": "web", "image": %q, "essential": true, "cpu": 64, "memory": 128,
    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
    "environment": [{"name": "TALK_VERSION", "value": "v9"}]
  }],
  "tags": [{"key": "team", "value": "talkers"}]
}`, talkBinary)
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := f.run("deploy", "talk", "--task-definition", "file://"+path)
	if last := lastLine(out); code != 0 || !strings.HasPrefix(last, "COMPLETED in ") || !strings.Contains(last, "talk:2") {
		t.Fatalf("exit %d, last line %q", code, last)
	}
	td, err := f.c.ecs.DescribeTaskDefinition(t.Context(), &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("talk:2"),
		Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	if err != nil {
		t.Fatal(err)
	}
	cd := td.TaskDefinition.ContainerDefinitions[0]
	if aws.ToString(cd.Environment[0].Value) != "v9" || cd.Cpu != 64 || len(td.Tags) != 1 {
		t.Errorf("registered %+v tags %+v", cd, td.Tags)
	}
}

func TestDeployJSONOutput(t *testing.T) {
	f := newFixture(t, false)
	out, stderr, code := f.run("--output", "json", "deploy", "talk", "--env", "TALK_VERSION=v2")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var frames int
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("stdout line %q is not JSON: %v", l, err)
		}
		if _, ok := m["tasks"]; ok {
			frames++
		}
	}
	var final jsonOutcome
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &final); err != nil || final.Outcome != outcomeCompleted ||
		final.Revision != "talk:2" || !strings.HasPrefix(final.Verdict, "COMPLETED in ") {
		t.Errorf("final line %q: %+v %v", lines[len(lines)-1], final, err)
	}
	if frames == 0 {
		t.Error("no progress frames")
	}
	if !strings.Contains(stderr, "Registered talk:2.") {
		t.Errorf("notes belong on stderr with --output json; stderr %q", stderr)
	}
}

func TestDeployNoWaitAndTimeout(t *testing.T) {
	f := newFixture(t, false)
	out, _, code := f.run("deploy", "talk", "--env", "TALK_VERSION=v2", "--no-wait")
	if code != 0 || !strings.Contains(out, "Not following it (--no-wait)") {
		t.Fatalf("--no-wait: exit %d, output %q", code, out)
	}
	f.waitSteady("talk:2")
	// A version whose container health check is in its start period for a
	// minute cannot complete within 300 ms.
	path := filepath.Join(t.TempDir(), "taskdef.json")
	doc := fmt.Sprintf(`{"family": "talk", "containerDefinitions": [{"name": "web", "image": %q, "memory": 128,
  "portMappings": [{"containerPort": 8080}],
  "healthCheck": {"command": ["CMD", "/bin/false"], "interval": 30, "startPeriod": 60}}]}`, talkBinary)
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = f.run("deploy", "talk", "--task-definition", path, "--timeout", "300ms")
	if last := lastLine(out); code != 1 || !strings.HasPrefix(last, "TIMED OUT after ") || !strings.Contains(last, "slipway rollback talk") {
		t.Fatalf("--timeout: exit %d, last line %q", code, last)
	}
	// Ctrl-C while following: the verdict says the deployment goes on.
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(500*time.Millisecond, cancel)
	out, _, code = runCLIContext(t, ctx, "--endpoint-url", f.srv.URL(), "deploy", "talk", "--env", "TALK_VERSION=v4")
	if last := lastLine(out); code != 130 || !strings.HasPrefix(last, "INTERRUPTED after ") || !strings.Contains(last, "goes on on the server") {
		t.Fatalf("interrupted: exit %d, last line %q", code, last)
	}
}

func TestDeployUsageErrors(t *testing.T) {
	cases := map[string][]string{
		"nothing to deploy": {"deploy", "talk"},
		"file and image":    {"deploy", "talk", "--task-definition", "x.json", "--image", "y"},
		"no service":        {"deploy"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, code := runCLI(t, append([]string{"--endpoint-url", "http://127.0.0.1:1"}, args...)...)
			if code == 0 {
				t.Errorf("exit 0")
			}
		})
	}
	// Reaching no server says what to do.
	var stdout bytes.Buffer
	g := &globals{endpoint: "http://127.0.0.1:1", region: "us-east-1", cluster: "default", stdout: &stdout, stderr: io.Discard}
	err := g.deploy(t.Context(), "talk", deployFlags{image: "x"})
	if err == nil || !strings.Contains(err.Error(), "is `slipway server` running?") {
		t.Errorf("err = %v", err)
	}
}
