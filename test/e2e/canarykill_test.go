package e2e

import (
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestKillNineDuringCanaryBakeKeepsTheWeights: `slipway server` is killed
// with SIGKILL while a CANARY deployment bakes at 10% and started again on
// the same data directory. Through the listener green's share stays at the
// canary's 10% before the crash, while the server is down (the data plane
// process serves on) and after the restart (the new server resumes at the
// stored weights, not at blue's or green's full share); the deployment
// then completes, and not one request fails.
func TestKillNineDuringCanaryBakeKeepsTheWeights(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	// At 12x the canary's 5-minute bake lasts 25 s: room for the crash and
	// the restart on a loaded machine.
	first := site.startServer(t, "--time-scale", "12")
	cli := first.cli
	v1 := site.registerTalk(t, cli, "v1")["taskDefinitionArn"].(string)
	tg, port := createLoadBalancer(t, cli)
	alt, prodRule := addAlternate(t, cli, tg, port)
	path := site.writeFile(t, "canary-service.json", fmt.Sprintf(`{
  "serviceName": "talk", "taskDefinition": %q, "desiredCount": 2,
  "deploymentConfiguration": {"minimumHealthyPercent": 100, "maximumPercent": 200, "strategy": "CANARY",
    "canaryConfiguration": {"canaryPercent": 10, "canaryBakeTimeInMinutes": 5}, "bakeTimeInMinutes": 0},
  "loadBalancers": [{"targetGroupArn": %q, "containerName": "web", "containerPort": 8080,
    "advancedConfiguration": {"alternateTargetGroupArn": %q, "productionListenerRule": %q,
      "roleArn": "arn:aws:iam::000000000000:role/ecsInfrastructure"}}]
}`, v1, tg, alt, prodRule))
	cli.must(t, nil, "ecs", "create-service", "--cli-input-json", "file://"+path)
	cli.waitService(t, "talk", 60*time.Second, steadyOn(v1, 2))

	load := testutil.StartLoad(fmt.Sprintf("http://127.0.0.1:%d/talk", port), loadRate)
	defer load.Stop()
	smp := startShareSampler(port, "v2")
	defer smp.stop()
	v2 := site.registerTalk(t, cli, "v2")["taskDefinitionArn"].(string)
	cli.must(t, nil, "ecs", "update-service", "--service", "talk", "--task-definition", v2)
	waitFor(t, 60*time.Second, func() (bool, string) {
		w := ruleWeights(t, cli, prodRule)
		return share(w, alt) == 10, fmt.Sprintf("production rule %v", w)
	})
	canaryAt := time.Now()
	smp.waitMore(t, phaseSamples) // about a second of the canary with the server up
	killedAt := time.Now()
	first.kill9(t)
	waitSent(t, load, 2*loadRate) // two seconds with the server down
	smp.waitMore(t, phaseSamples)
	second := site.startServer(t, "--time-scale", "12")
	restartedAt := time.Now()
	smp.waitMore(t, phaseSamples) // and with the new server
	afterAt := time.Now()
	if w := ruleWeights(t, second.cli, prodRule); share(w, alt) != 10 {
		t.Fatalf("after the restart the production rule is %v, want green at 10%%", w)
	}
	for _, ph := range []struct {
		name     string
		from, to time.Time
	}{{"before the crash", canaryAt, killedAt}, {"while the server was down", killedAt, restartedAt},
		{"after the restart", restartedAt, afterAt}} {
		// The load balancer picks a weighted target group at random: the
		// observed share is within 4 standard deviations of 10% (at least
		// 2 points), far from blue's 0% or green's 100%.
		green, n := smp.share(ph.from, ph.to)
		tol := max(2, 4*100*math.Sqrt(0.1*0.9/float64(max(n, 1))))
		t.Logf("%s: green answered %.2f%% of %d requests (tolerance %.1f points)", ph.name, green, n, tol)
		if n < 500 || math.Abs(green-10) > tol {
			t.Errorf("%s: green answered %.2f%% of %d requests, want 10 +-%.1f over at least 500", ph.name, green, n, tol)
		}
	}
	second.cli.waitService(t, "talk", 90*time.Second, steadyOn(v2, 2))
	if w := ruleWeights(t, second.cli, prodRule); share(w, alt) != 100 {
		t.Errorf("after the deployment the production rule is %v, want all on %s", w, alt)
	}
	res := load.Stop()
	smp.stop()
	failed, firstErr := smp.failedCount()
	t.Logf("load: %s; sampler: %d requests, %d failed", res, smp.total(), failed)
	if res.Failed > 0 || failed > 0 {
		t.Fatalf("requests failed across the crash: load %s, sampler %d (%v)", res, failed, firstErr)
	}
}

// addAlternate creates the alternate target group of tg and returns it with
// the ARN of the production listener's default rule (on port).
func addAlternate(t *testing.T, cli *awsCLI, tg string, port int) (alt, rule string) {
	t.Helper()
	var tgOut struct {
		TargetGroups []struct{ TargetGroupArn string }
	}
	cli.must(t, &tgOut, "elbv2", "create-target-group", "--name", "talk-alt", "--protocol", "HTTP", "--port", "8080",
		"--vpc-id", "vpc-e2e", "--health-check-path", "/health", "--health-check-interval-seconds", "5",
		"--health-check-timeout-seconds", "2", "--healthy-threshold-count", "2")
	alt = tgOut.TargetGroups[0].TargetGroupArn
	for _, g := range []string{tg, alt} {
		cli.must(t, nil, "elbv2", "modify-target-group-attributes", "--target-group-arn", g,
			"--attributes", "Key=deregistration_delay.timeout_seconds,Value=5")
	}
	var listeners struct {
		Listeners []struct {
			ListenerArn string
			Port        int
		}
	}
	cli.must(t, &listeners, "elbv2", "describe-listeners", "--load-balancer-arn", loadBalancerOf(t, cli))
	for _, l := range listeners.Listeners {
		if l.Port != port {
			continue
		}
		var rules struct {
			Rules []struct {
				RuleArn   string
				IsDefault bool
			}
		}
		cli.must(t, &rules, "elbv2", "describe-rules", "--listener-arn", l.ListenerArn)
		for _, r := range rules.Rules {
			if r.IsDefault {
				return alt, r.RuleArn
			}
		}
	}
	t.Fatalf("no default rule on the listener of port %d", port)
	return "", ""
}

// loadBalancerOf is the ARN of the site's only load balancer.
func loadBalancerOf(t *testing.T, cli *awsCLI) string {
	t.Helper()
	var out struct {
		LoadBalancers []struct{ LoadBalancerArn string }
	}
	cli.must(t, &out, "elbv2", "describe-load-balancers")
	if len(out.LoadBalancers) != 1 {
		t.Fatalf("load balancers: %+v", out.LoadBalancers)
	}
	return out.LoadBalancers[0].LoadBalancerArn
}

// ruleWeights reads a rule's forward action as target group -> weight.
func ruleWeights(t *testing.T, cli *awsCLI, rule string) map[string]int {
	t.Helper()
	var out struct {
		Rules []struct {
			Actions []struct {
				ForwardConfig *struct {
					TargetGroups []struct {
						TargetGroupArn string
						Weight         int
					}
				}
			}
		}
	}
	cli.must(t, &out, "elbv2", "describe-rules", "--rule-arns", rule)
	w := map[string]int{}
	for _, r := range out.Rules {
		for _, a := range r.Actions {
			if a.ForwardConfig == nil {
				continue
			}
			for _, g := range a.ForwardConfig.TargetGroups {
				w[g.TargetGroupArn] = g.Weight
			}
		}
	}
	return w
}

// share is tg's share (0..100) of a forward's weights.
func share(w map[string]int, tg string) float64 {
	total := 0
	for _, n := range w {
		total += n
	}
	if total == 0 {
		return 0
	}
	return 100 * float64(w[tg]) / float64(total)
}

// shareSampler asks GET /talk over a few keep-alive connections at a
// steady pace and records when each request started and whether green (by
// its version) answered it.
type shareSampler struct {
	stopOnce sync.Once
	done     chan struct{}
	wg       sync.WaitGroup

	mu       sync.Mutex // protects the fields below
	samples  []shareSample
	failed   int
	firstErr error
}

type shareSample struct {
	at    time.Time
	green bool
}

// shareSamplerConns is how many requests the sampler keeps in flight, each
// at most one per shareSamplerGap: about 1,000 requests a second in all,
// so that a second holds enough samples without taking the machine.
const (
	shareSamplerConns = 4
	shareSamplerGap   = 4 * time.Millisecond
)

func startShareSampler(port int, green string) *shareSampler {
	s := &shareSampler{done: make(chan struct{})}
	for range shareSamplerConns {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			tick := time.NewTicker(shareSamplerGap)
			defer tick.Stop()
			for {
				select {
				case <-s.done:
					return
				case <-tick.C:
				}
				start := time.Now()
				a, err := getTalk(port)
				s.mu.Lock()
				if err != nil {
					s.failed++
					if s.firstErr == nil {
						s.firstErr = err
					}
				} else {
					s.samples = append(s.samples, shareSample{start, a.Version == green})
				}
				s.mu.Unlock()
			}
		}()
	}
	return s
}

// phaseSamples is how many sampled requests each phase of the crash test
// waits for.
const phaseSamples = 1000

// waitMore waits until n more requests were sampled.
func (s *shareSampler) waitMore(t *testing.T, n int) {
	t.Helper()
	until := s.total() + n
	waitFor(t, 60*time.Second, func() (bool, string) {
		return s.total() >= until, fmt.Sprintf("%d of %d requests sampled", s.total(), until)
	})
}

func (s *shareSampler) stop() {
	s.stopOnce.Do(func() { close(s.done) })
	s.wg.Wait()
}

// share is green's share (0..100) of the requests started in [from, to),
// and their number.
func (s *shareSampler) share(from, to time.Time) (float64, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, green := 0, 0
	for _, smp := range s.samples {
		if !smp.at.Before(from) && smp.at.Before(to) {
			n++
			if smp.green {
				green++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return 100 * float64(green) / float64(n), n
}

func (s *shareSampler) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.samples)
}

// failedCount is the number of failed requests and the first error.
func (s *shareSampler) failedCount() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed, s.firstErr
}
