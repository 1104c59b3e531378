package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestDownDrainsThenStops runs a service of two tasks behind a listener whose
// application cuts in-flight requests at SIGTERM (TALK_SHUTDOWN_DELAY=0s), and
// runs `slipway down` while slow requests are in flight and load flows. The
// in-flight requests all succeed, so each task got SIGTERM only once its
// target had drained; no request fails other than with the load balancer's
// own 503 once no target is left; the tasks stop with ECS's reason for a
// draining instance; the service keeps its desired count, and the next start
// runs its tasks again.
func TestDownDrainsThenStops(t *testing.T) {
	dir := t.TempDir()
	srv := startEmbedded(t, dir)
	ctx := t.Context()
	g := &globals{endpoint: srv.URL(), region: "us-east-1", cluster: "default"}
	c, err := g.deployClients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lbURL := createDrainService(t, c.ecs, c.elb)

	slow := make(chan error, 4)
	for range cap(slow) {
		go func() { slow <- getOK(lbURL + "/slow?d=1500ms") }()
	}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		n := inFlight(t, srv)
		return n == int64(cap(slow)), fmt.Sprintf("%d requests in flight to the targets", n)
	})
	load := startStatusLoad(lbURL + "/talk")
	stopped := make(chan struct{})
	go func() {
		<-srv.Done()
		load.stop() // before the listener goes with the server
		srv.Close()
		close(stopped)
	}()

	out, _, code := runCLI(t, "down", "--data-dir", dir)
	if last := lastLine(out); code != 0 || !strings.HasPrefix(last, "stopped 2 tasks and the server in ") || !duration.MatchString(last) {
		t.Fatalf("exit %d, last line %q", code, last)
	}
	if !strings.Contains(out, "stopping 2 tasks: their targets are deregistered and drained before they get SIGTERM") {
		t.Errorf("no progress line in:\n%s", out)
	}
	<-stopped
	for range cap(slow) {
		if err := <-slow; err != nil {
			t.Errorf("a request in flight when down began failed: %v (its task got SIGTERM before its target drained)", err)
		}
	}
	if bad := load.unexpected(); len(bad) > 0 || load.ok() == 0 {
		t.Errorf("load through the listener during the down: %d answered 200, unexpected: %v", load.ok(), bad)
	}

	again := startEmbedded(t, dir)
	checkDownState(t, again)
	ecsAgain, err := (&globals{endpoint: again.URL(), region: "us-east-1"}).ecsClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		out, err := ecsAgain.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"talk"}})
		if err != nil || len(out.Services) != 1 {
			return false, fmt.Sprint(out, err)
		}
		s := out.Services[0]
		return s.RunningCount == 2, fmt.Sprintf("after the restart the service runs %d of %d", s.RunningCount, s.DesiredCount)
	})
}

// createDrainService creates service talk of two tasks behind a listener and
// returns the listener's URL once both targets answer.
func createDrainService(t *testing.T, ecs *awsecs.Client, elbc *elb.Client) string {
	t.Helper()
	ctx := t.Context()
	td, err := ecs.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("talk"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String(talkBinary), Essential: aws.Bool(true), Memory: aws.Int32(128),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080)}},
			Environment:  []types.KeyValuePair{{Name: aws.String("TALK_SHUTDOWN_DELAY"), Value: aws.String("0s")}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	lb, err := createLoadBalancing(ctx, elbc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ecs.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("talk"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(2),
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(lb.tg), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}}})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 60*time.Second, func() (bool, string) {
		h, err := elbc.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(lb.tg)})
		if err != nil {
			return false, err.Error()
		}
		healthy := 0
		for _, d := range h.TargetHealthDescriptions {
			if d.TargetHealth != nil && d.TargetHealth.State == "healthy" {
				healthy++
			}
		}
		return healthy == 2, fmt.Sprintf("%d healthy targets", healthy)
	})
	return lb.url
}

// inFlight sums the requests in flight to the targets of the server's tasks.
func inFlight(t *testing.T, srv *server.Server) int64 {
	t.Helper()
	var n int64
	err := srv.State().View(t.Context(), func(tx state.Tx) error {
		tasks, err := tx.AllTasks()
		for _, tk := range tasks {
			for _, tg := range tk.Internal.Targets {
				n += srv.DataPlane().InFlight(tg.TargetGroupARN, tg.TargetID, tg.Port)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkDownState checks, on the restarted server, what the down left: the
// tasks stopped for the drain, the service untouched.
func checkDownState(t *testing.T, srv *server.Server) {
	t.Helper()
	err := srv.State().View(t.Context(), func(tx state.Tx) error {
		svc, err := tx.Service(model.DefaultClusterName, "talk")
		if err != nil {
			return err
		}
		if svc.Status != model.ServiceActive || svc.DesiredCount != 2 {
			t.Errorf("after down the service is %s with desired count %d; want ACTIVE, 2", svc.Status, svc.DesiredCount)
		}
		tasks, err := tx.AllTasks()
		stopped := 0
		for _, tk := range tasks {
			if tk.LastStatus != model.TaskStopped {
				continue
			}
			stopped++
			if tk.StopCode != model.StopServiceSchedulerInitiated || tk.StoppedReason != "Task stopped during instance draining" {
				t.Errorf("stopped task %s: stop code %q, reason %q", tk.Internal.ID, tk.StopCode, tk.StoppedReason)
			}
		}
		if stopped != 2 {
			t.Errorf("%d stopped tasks, want the 2 that down stopped", stopped)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// getOK gets url and fails unless it answers 200 with its whole body.
func getOK(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// statusLoad sends requests back to back over two connections and keeps
// every answer that is neither 200 nor the load balancer's 503 for a target
// group without targets.
type statusLoad struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	n200   int
	bad    []string
}

func startStatusLoad(url string) *statusLoad {
	ctx, cancel := context.WithCancel(context.Background())
	l := &statusLoad{cancel: cancel}
	for range 2 {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				resp, err := client.Do(req)
				if ctx.Err() != nil {
					return
				}
				l.record(resp, err)
				time.Sleep(10 * time.Millisecond) // pacing, not waiting for a state
			}
		}()
	}
	return l
}

func (l *statusLoad) record(resp *http.Response, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.bad = append(l.bad, err.Error())
		return
	}
	_, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case rerr != nil:
		l.bad = append(l.bad, "reading: "+rerr.Error())
	case resp.StatusCode == http.StatusOK:
		l.n200++
	case resp.StatusCode != http.StatusServiceUnavailable:
		l.bad = append(l.bad, resp.Status)
	}
}

func (l *statusLoad) stop() {
	l.cancel()
	l.wg.Wait()
}

func (l *statusLoad) ok() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n200
}

func (l *statusLoad) unexpected() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.bad...)
}
