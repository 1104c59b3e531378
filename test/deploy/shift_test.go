package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// shiftTimeScale runs bake times 12 times faster: a one-minute bake lasts
// five seconds, long enough to sample thousands of requests.
const shiftTimeScale = 12

// shiftTimeout bounds one traffic-shifting deployment.
const shiftTimeout = 50 * time.Second

// setUpShifting adds what ECS's blue/green needs: an alternate target
// group, the production listener's default rule as productionListenerRule,
// and a second listener whose rule is the testListenerRule.
func (h *harness) setUpShifting(ctx context.Context) {
	t := h.t
	targetType := elbtypes.TargetTypeEnumInstance
	if h.v.awsvpc {
		targetType = elbtypes.TargetTypeEnumIp
	}
	h.altTG = h.createTargetGroup(ctx, "talk-alt", targetType)
	rules, err := h.elb.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: aws.String(h.listener)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.Rules {
		if aws.ToBool(r.IsDefault) {
			h.prodRule = aws.ToString(r.RuleArn)
		}
	}
	port := testutil.FreePort(t)
	test, err := h.elb.CreateListener(ctx, &elb.CreateListenerInput{
		LoadBalancerArn: aws.String(h.lbARN), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(int32(port)),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("404")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rule, err := h.elb.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: test.Listeners[0].ListenerArn, Priority: aws.Int32(1),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/*"}}},
		Actions:    []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(h.tg)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.testRule = aws.ToString(rule.Rules[0].RuleArn)
	h.testURL = "http://127.0.0.1:" + strconv.Itoa(port)
}

// forward reads a rule's forward action as target group -> weight.
func (h *harness) forward(ruleARN string) map[string]int32 {
	out, err := h.elb.DescribeRules(context.Background(), &elb.DescribeRulesInput{RuleArns: []string{ruleARN}})
	if err != nil || len(out.Rules) != 1 {
		h.t.Fatalf("describe rule %s: %v", ruleARN, err)
	}
	m := map[string]int32{}
	for _, a := range out.Rules[0].Actions {
		if a.ForwardConfig == nil {
			continue
		}
		for _, g := range a.ForwardConfig.TargetGroups {
			m[aws.ToString(g.TargetGroupArn)] = aws.ToInt32(g.Weight)
		}
	}
	return m
}

// greenShare is the share (0..100) of a forward's weight on tg.
func greenShare(fwd map[string]int32, tg string) float64 {
	total := int32(0)
	for _, w := range fwd {
		total += w
	}
	if total == 0 {
		return 0
	}
	return 100 * float64(fwd[tg]) / float64(total)
}

// weightChange is when the watcher saw the production weights change.
type weightChange struct {
	at    time.Time
	share float64 // green's share of production traffic
}

// watchWeights polls the production rule through the ELB API and records
// each change of green's share until stop.
func (h *harness) watchWeights(greenTG string) (stop func() []weightChange) {
	ctx, cancel := context.WithCancel(context.Background())
	var changes []weightChange
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := -1.0
		for ctx.Err() == nil {
			out, err := h.elb.DescribeRules(ctx, &elb.DescribeRulesInput{RuleArns: []string{h.prodRule}})
			if err == nil && len(out.Rules) == 1 {
				fwd := map[string]int32{}
				for _, g := range out.Rules[0].Actions[0].ForwardConfig.TargetGroups {
					fwd[aws.ToString(g.TargetGroupArn)] = aws.ToInt32(g.Weight)
				}
				if s := greenShare(fwd, greenTG); s != last {
					changes = append(changes, weightChange{time.Now(), s})
					last = s
				}
			}
			time.Sleep(watchInterval)
		}
	}()
	return func() []weightChange {
		cancel()
		<-done
		return changes
	}
}

const watchInterval = 10 * time.Millisecond

// sampler sends GET /talk as fast as a few connections allow and records
// when each request started and whether green (version) answered it.
type sampler struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	failed atomic.Int64

	mu       sync.Mutex // protects samples and failures
	samples  []sample
	failures []string
}

type sample struct {
	at    time.Time
	green bool
}

const samplerConns = 6

func startSampler(url, green string) *sampler {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sampler{cancel: cancel}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: samplerConns}}
	for range samplerConns {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for ctx.Err() == nil {
				start := time.Now()
				version, err := talkVersion(client, url)
				s.mu.Lock()
				if err != nil {
					s.failed.Add(1)
					if len(s.failures) < maxFailureNotes {
						s.failures = append(s.failures, err.Error())
					}
				} else {
					s.samples = append(s.samples, sample{start, version == green})
				}
				s.mu.Unlock()
			}
		}()
	}
	return s
}

func talkVersion(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url + "/talk")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	var out struct {
		Version string `json:"version"`
	}
	return out.Version, json.NewDecoder(resp.Body).Decode(&out)
}

func (s *sampler) stop(t *testing.T) []sample {
	t.Helper()
	s.cancel()
	s.wg.Wait()
	if s.failed.Load() > 0 {
		t.Errorf("%d sampled requests failed: %v", s.failed.Load(), s.failures)
	}
	return s.samples
}

// stepShare is green's observed share of the requests sent while the
// production weights gave it a share strictly between 0 and 100.
type stepShare struct {
	weight, observed float64
	requests         int
}

// shares groups the samples by weight step. A request counts for a step
// when it started well after the step was seen (the watcher sees a change
// up to one poll late) and before the next one could have been made.
func shares(changes []weightChange, samples []sample) []stepShare {
	const margin = 50 * time.Millisecond
	var out []stepShare
	for i, c := range changes {
		if c.share <= 0 || c.share >= 100 {
			continue
		}
		from, to := c.at.Add(margin), time.Now().Add(time.Hour)
		if i+1 < len(changes) {
			to = changes[i+1].at.Add(-watchInterval - margin)
		}
		st := stepShare{weight: c.share}
		green := 0
		for _, s := range samples {
			if s.at.After(from) && s.at.Before(to) {
				st.requests++
				if s.green {
					green++
				}
			}
		}
		if st.requests > 0 {
			st.observed = 100 * float64(green) / float64(st.requests)
		}
		out = append(out, st)
	}
	return out
}

// runShift deploys v2 with a traffic-shifting configuration under load and
// checks: no failed request; every intermediate weight step, and only
// those, observed within 2 points over at least 1,000 requests; test
// traffic moved before production traffic; the live target group is the
// alternate afterwards and the deployment SUCCESSFUL.
func runShift(t *testing.T, cfg *ecstypes.DeploymentConfiguration, steps []float64) *harness {
	h := newHarness(t, variants[0], serviceConfig{desired: 4, minPct: 100, maxPct: 200, shift: cfg, timeScale: shiftTimeScale})
	l := startLoad(h.url)
	stopWatch := h.watchWeights(h.altTG)
	smp := startSampler(h.url, "v2")
	td := h.register(map[string]string{"TALK_VERSION": "v2"})
	id := h.deploy(td)
	d := h.waitRollout(id, shiftTimeout)
	samples := smp.stop(t)
	changes := stopWatch()
	l.stop(t)
	if d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
		t.Fatalf("deployment %s: %s", d.RolloutState, aws.ToString(d.RolloutStateReason))
	}
	got := shares(changes, samples)
	var weights []float64
	for _, st := range got {
		weights = append(weights, st.weight)
		t.Logf("weight %.1f%%: green answered %.2f%% of %d requests", st.weight, st.observed, st.requests)
		if st.requests < 1000 || math.Abs(st.observed-st.weight) > 2 {
			t.Errorf("weight %.1f%%: observed %.2f%% over %d requests, want within 2 points over at least 1000", st.weight, st.observed, st.requests)
		}
	}
	if fmt.Sprint(weights) != fmt.Sprint(steps) {
		t.Errorf("production weight steps %v, want %v (changes %v)", weights, steps, changes)
	}
	if fwd := h.forward(h.prodRule); greenShare(fwd, h.altTG) != 100 {
		t.Errorf("production rule after the deployment: %v, want all on %s", fwd, h.altTG)
	}
	if v, err := talkVersion(http.DefaultClient, h.testURL); err != nil || v != "v2" {
		t.Errorf("test listener after the deployment: %q %v", v, err)
	}
	h.expectEventsInOrder("test traffic is shifted to the new service revision.", "of production traffic is shifted")
	if sd := h.expectServiceDeployment(id, ecstypes.ServiceDeploymentStatusSuccessful); sd.LifecycleStage != ecstypes.ServiceDeploymentLifecycleStageCleanUp {
		t.Errorf("lifecycle stage %q, want CLEAN_UP", sd.LifecycleStage)
	}
	return h
}

// expectEventsInOrder checks that events containing first and then second
// were recorded, in that order.
func (h *harness) expectEventsInOrder(first, second string) {
	h.t.Helper()
	s := h.describe()
	iFirst, iSecond := -1, -1
	for i, e := range s.Events { // newest first
		m := aws.ToString(e.Message)
		if strings.Contains(m, first) {
			iFirst = i
		}
		if strings.Contains(m, second) {
			iSecond = i // ends as the oldest
		}
	}
	if iFirst < 0 || iSecond < 0 || iFirst <= iSecond {
		h.t.Errorf("want %q before %q: %s", first, second, h.summary(s))
	}
}

// expectServiceDeployment checks a deployment's status in
// DescribeServiceDeployments and returns it.
func (h *harness) expectServiceDeployment(id string, status ecstypes.ServiceDeploymentStatus) ecstypes.ServiceDeployment {
	h.t.Helper()
	ctx := context.Background()
	seq := strings.TrimLeft(strings.TrimPrefix(id, "ecs-svc/"), "0")
	list, err := h.ecs.ListServiceDeployments(ctx, &awsecs.ListServiceDeploymentsInput{Service: aws.String(h.service)})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, b := range list.ServiceDeployments {
		if !strings.HasSuffix(aws.ToString(b.ServiceDeploymentArn), "/"+seq) {
			continue
		}
		out, err := h.ecs.DescribeServiceDeployments(ctx, &awsecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{aws.ToString(b.ServiceDeploymentArn)}})
		if err != nil || len(out.ServiceDeployments) != 1 {
			h.t.Fatalf("describe %s: %v", id, err)
		}
		sd := out.ServiceDeployments[0]
		if sd.Status != status {
			h.t.Errorf("service deployment %s: %s %q, want %s", id, sd.Status, aws.ToString(sd.StatusReason), status)
		}
		return sd
	}
	h.t.Errorf("service deployment %s not listed", id)
	return ecstypes.ServiceDeployment{}
}

func TestCanaryShiftsTenPercentThenTheRest(t *testing.T) {
	runShift(t, &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyCanary,
		CanaryConfiguration: &ecstypes.CanaryConfiguration{CanaryPercent: aws.Float64(10), CanaryBakeTimeInMinutes: aws.Int32(1)},
		BakeTimeInMinutes:   aws.Int32(0)}, []float64{10})
}

func TestLinearShiftsInQuarters(t *testing.T) {
	runShift(t, &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyLinear,
		LinearConfiguration: &ecstypes.LinearConfiguration{StepPercent: aws.Float64(25), StepBakeTimeInMinutes: aws.Int32(1)},
		BakeTimeInMinutes:   aws.Int32(0)}, []float64{25, 50, 75})
}

// waitShare waits until the production rule gives tg the share want.
func (h *harness) waitShare(tg string, want float64, timeout time.Duration) {
	h.t.Helper()
	testutil.Eventually(h.t, timeout, func() (bool, string) {
		fwd := h.forward(h.prodRule)
		return greenShare(fwd, tg) == want, fmt.Sprintf("production rule %v: %s", fwd, h.summary(h.describe()))
	})
}

// TestCanarySurvivesRestartAndAlternates: a server restarted during the
// canary's bake resumes at the same weights, a repeated UpdateService
// changes nothing, a rule edited by hand is restored, and the next
// deployment shifts back to the first target group: the live group
// alternates.
func TestCanarySurvivesRestartAndAlternates(t *testing.T) {
	// A two-minute bake (10 s) leaves room for the restart and the edit.
	cfg := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyCanary,
		CanaryConfiguration: &ecstypes.CanaryConfiguration{CanaryPercent: aws.Float64(10), CanaryBakeTimeInMinutes: aws.Int32(2)}}
	h := newHarness(t, variants[0], serviceConfig{desired: 2, minPct: 100, maxPct: 200, shift: cfg, timeScale: shiftTimeScale})
	l := startLoad(h.url)
	td := h.register(map[string]string{"TALK_VERSION": "v2"})
	id := h.deploy(td)
	h.waitShare(h.altTG, 10, shiftTimeout)
	h.restart()
	if share := greenShare(h.forward(h.prodRule), h.altTG); share != 10 {
		t.Fatalf("after the restart green has %v%%, want 10", share)
	}
	if again := h.deploy(td); again != id {
		t.Fatalf("a repeated UpdateService started deployment %s", again)
	}
	if share := greenShare(h.forward(h.prodRule), h.altTG); share != 10 {
		t.Fatalf("after a repeated UpdateService green has %v%%, want 10", share)
	}
	// A rule edited by hand during the deployment gets the deployment's
	// weights back.
	_, err := h.elb.ModifyListener(context.Background(), &elb.ModifyListenerInput{ListenerArn: aws.String(h.listener),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(h.tg)}}})
	if err != nil {
		t.Fatal(err)
	}
	h.waitShare(h.altTG, 10, 5*time.Second)
	if d := h.waitRollout(id, shiftTimeout); d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
		t.Fatalf("deployment %s: %s", d.RolloutState, aws.ToString(d.RolloutStateReason))
	}
	h.waitShare(h.altTG, 100, time.Second)
	td3 := h.register(map[string]string{"TALK_VERSION": "v3"})
	if d := h.waitRollout(h.deploy(td3), shiftTimeout); d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
		t.Fatalf("second deployment %s: %s", d.RolloutState, aws.ToString(d.RolloutStateReason))
	}
	h.waitShare(h.tg, 100, time.Second)
	h.waitSteady(td3, 2, shiftTimeout)
	l.stop(t)
	h.expectVersion(t, "v3")
}

// TestBrokenCanaryFailsBack: a green whose tasks crash trips the circuit
// breaker; traffic, which never left blue, stays there, green scales in
// and blue is PRIMARY again, with no failed request and no new deployment.
func TestBrokenCanaryFailsBack(t *testing.T) {
	cfg := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyCanary}
	h := newHarness(t, variants[0], serviceConfig{desired: 4, minPct: 100, maxPct: 200, shift: cfg, timeScale: shiftTimeScale})
	good := h.currentTD()
	l := startLoad(h.url)
	bad := h.register(map[string]string{"TALK_VERSION": "bad", "TALK_CRASH_AT_START": "true"})
	id := h.deploy(bad)
	d := h.waitRollout(id, shiftTimeout)
	if d.RolloutState != ecstypes.DeploymentRolloutStateFailed {
		t.Fatalf("broken deployment: %s %q", d.RolloutState, aws.ToString(d.RolloutStateReason))
	}
	s := h.waitSteady(good, 4, shiftTimeout)
	l.stop(t)
	if !hasEvent(s, "rolling back to deployment") || !hasEvent(s, "rolled back: production traffic is served by deployment") {
		t.Errorf("events: %s", h.summary(s))
	}
	if fwd := h.forward(h.prodRule); greenShare(fwd, h.tg) != 100 {
		t.Errorf("production rule after the rollback: %v", fwd)
	}
	sd := h.expectServiceDeployment(id, ecstypes.ServiceDeploymentStatusRollbackSuccessful)
	if sd.Rollback == nil || !strings.HasPrefix(aws.ToString(sd.Rollback.Reason), "Circuit breaker triggered") ||
		!strings.HasSuffix(aws.ToString(sd.Rollback.ServiceRevisionArn), "/1") || sd.Rollback.StartedAt == nil {
		t.Errorf("rollback: %+v", sd.Rollback)
	}
	h.expectVersion(t, "v1")
}
