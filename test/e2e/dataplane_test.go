package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// loadRate is the request rate the crash tests keep up through a listener.
const loadRate = 200

// TestKillNineOfTheServerDropsNoRequest: under 200 requests/s through a
// listener (keep-alive and new connections), `slipway server` is killed with
// SIGKILL and started again. The data plane process serves on while the
// server is down, the new server adopts the same process, and a rolling
// deployment made afterwards (targets registered, deregistered, drained,
// all acknowledged by that process) completes. Not one request fails.
func TestKillNineOfTheServerDropsNoRequest(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	first := site.startServer(t)
	v1 := site.registerTalk(t, first.cli, "v1")["taskDefinitionArn"].(string)
	tg, port := createLoadBalancer(t, first.cli)
	first.cli.must(t, nil, "elbv2", "modify-target-group-attributes", "--target-group-arn", tg,
		"--attributes", "Key=deregistration_delay.timeout_seconds,Value=5")
	first.cli.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", v1, "--desired-count", "2",
		"--deployment-configuration", "minimumHealthyPercent=100,maximumPercent=200",
		"--load-balancers", "targetGroupArn="+tg+",containerName=web,containerPort=8080")
	waitHealthyTargets(t, first.cli, tg, 2)
	pid := dataPlanePID(t, site)

	load := testutil.StartLoad(fmt.Sprintf("http://127.0.0.1:%d/talk", port), loadRate)
	defer load.Stop()
	waitSent(t, load, loadRate) // a second of traffic with the server up
	first.kill9(t)
	waitSent(t, load, 2*loadRate) // two seconds with the server down
	second := site.startServer(t)
	if got := dataPlanePID(t, site); got != pid {
		t.Fatalf("the restarted server runs data plane %d; the one that served through the crash was %d", got, pid)
	}
	v2 := site.registerTalk(t, second.cli, "v2")["taskDefinitionArn"].(string)
	second.cli.must(t, nil, "ecs", "update-service", "--service", "talk", "--task-definition", v2)
	second.cli.waitService(t, "talk", 120*time.Second, steadyOn(v2, 2))
	waitFor(t, 10*time.Second, func() (bool, string) {
		a, err := getTalk(port)
		return err == nil && a.Version == "v2", fmt.Sprintf("through the listener: %+v %v", a, err)
	})
	res := load.Stop()
	t.Logf("load: %s", res)
	if res.Failed > 0 {
		t.Fatalf("requests failed across the crash and the deployment: %s", res)
	}
	if got := dataPlanePID(t, site); got != pid {
		t.Fatalf("the deployment ran on data plane %d, not %d", got, pid)
	}
}

// TestHealthChecksGoOnWhileTheServerIsDown: a target whose health check
// starts failing while the server is down is taken out of rotation by the
// data plane on its own, and the restarted server reports it unhealthy.
func TestHealthChecksGoOnWhileTheServerIsDown(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	first := site.startServer(t)
	sick, well := startIPTarget(t), startIPTarget(t)
	var tgOut struct {
		TargetGroups []struct{ TargetGroupArn string }
	}
	first.cli.must(t, &tgOut, "elbv2", "create-target-group", "--name", "ips", "--protocol", "HTTP", "--port", "80",
		"--vpc-id", "vpc-e2e", "--target-type", "ip", "--health-check-path", "/health", "--health-check-interval-seconds", "5",
		"--health-check-timeout-seconds", "2", "--healthy-threshold-count", "2", "--unhealthy-threshold-count", "2")
	tg := tgOut.TargetGroups[0].TargetGroupArn
	var lbOut struct {
		LoadBalancers []struct{ LoadBalancerArn string }
	}
	first.cli.must(t, &lbOut, "elbv2", "create-load-balancer", "--name", "ips", "--subnets", "subnet-a", "subnet-b")
	port := freePort(t)
	first.cli.must(t, nil, "elbv2", "create-listener", "--load-balancer-arn", lbOut.LoadBalancers[0].LoadBalancerArn,
		"--protocol", "HTTP", "--port", strconv.Itoa(port), "--default-actions", "Type=forward,TargetGroupArn="+tg)
	first.cli.must(t, nil, "elbv2", "register-targets", "--target-group-arn", tg, "--targets",
		"Id=127.0.0.1,Port="+strconv.Itoa(sick.port), "Id=127.0.0.1,Port="+strconv.Itoa(well.port))
	waitHealthyTargets(t, first.cli, tg, 2)

	first.kill9(t)
	sick.failing.Store(true)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	// Two failed checks 5 s apart; then every request goes to the other target.
	waitFor(t, 30*time.Second, func() (bool, string) {
		before := sick.hits.Load()
		for range 20 {
			if err := getOK(url); err != nil {
				return false, err.Error()
			}
		}
		return sick.hits.Load() == before, fmt.Sprintf("the failing target still got %d of 20 requests", sick.hits.Load()-before)
	})
	second := site.startServer(t)
	var th struct {
		TargetHealthDescriptions []struct {
			Target       struct{ Port int }
			TargetHealth struct{ State, Reason string }
		}
	}
	second.cli.must(t, &th, "elbv2", "describe-target-health", "--target-group-arn", tg)
	got := map[int]string{}
	for _, d := range th.TargetHealthDescriptions {
		got[d.Target.Port] = d.TargetHealth.State + " " + d.TargetHealth.Reason
	}
	if got[sick.port] != "unhealthy Target.ResponseCodeMismatch" || got[well.port] != "healthy " {
		t.Fatalf("after the restart the server reports %v (failing target on %d)", got, sick.port)
	}
}

// TestKilledDataPlaneIsRestarted: the server starts a new data plane when
// its process dies, feeds it the routing, and traffic resumes. What the
// dead process had is lost: open connections, requests in flight, health
// (re-checked at once) and counters.
func TestKilledDataPlaneIsRestarted(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	srv := site.startServer(t)
	site.registerTalk(t, srv.cli, "v1")
	tg, port := createLoadBalancer(t, srv.cli)
	srv.cli.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", "talk", "--desired-count", "2",
		"--load-balancers", "targetGroupArn="+tg+",containerName=web,containerPort=8080")
	waitHealthyTargets(t, srv.cli, tg, 2)
	pid := dataPlanePID(t, site)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, func() (bool, string) {
		a, err := getTalk(port)
		return err == nil && a.Version == "v1", fmt.Sprintf("through the listener: %+v %v", a, err)
	})
	if got := dataPlanePID(t, site); got == pid {
		t.Fatalf("data plane %d still listed after SIGKILL", pid)
	}
	waitHealthyTargets(t, srv.cli, tg, 2)
	if svc := srv.cli.describeService(t, "talk"); svc.RunningCount != 2 || len(svc.Deployments) != 1 {
		t.Fatalf("the service changed when the data plane restarted: %+v", svc)
	}
}

// dataPlanePID finds the site's data plane process: `slipway __lb --dir
// DATA/lb ...`, by walking /proc.
func dataPlanePID(t *testing.T, s *site) int {
	t.Helper()
	dir := filepath.Join(s.dataDir, "lb")
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var found []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		args := cmdline(pid)
		if len(args) >= 4 && args[1] == "__lb" && args[2] == "--dir" && args[3] == dir && !zombie(pid) {
			found = append(found, pid)
		}
	}
	if len(found) != 1 {
		t.Fatalf("data plane processes of %s: %v; want exactly one", dir, found)
	}
	return found[0]
}

func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	rest := string(b[bytes.LastIndexByte(b, ')')+1:])
	var state string
	fmt.Sscan(rest, &state)
	return state == "Z" || state == "X"
}

// waitSent waits until load has sent n more requests.
func waitSent(t *testing.T, load *testutil.Load, n int64) {
	t.Helper()
	until := load.Sent() + n
	waitFor(t, 30*time.Second, func() (bool, string) {
		return load.Sent() >= until, fmt.Sprintf("%d of %d requests sent", load.Sent(), until)
	})
}

// ipTarget is an HTTP server in the test registered as an IP target.
type ipTarget struct {
	port    int
	hits    atomic.Int64
	failing atomic.Bool
}

func startIPTarget(t *testing.T) *ipTarget {
	t.Helper()
	it := &ipTarget{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			if it.failing.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
			return
		}
		it.hits.Add(1)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	it.port = srv.Listener.Addr().(*net.TCPAddr).Port
	return it
}

func getOK(url string) error {
	resp, err := httpClient.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
