package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/lb"
)

func dep(id, status, taskDef string, state types.DeploymentRolloutState, reason string) types.Deployment {
	return types.Deployment{Id: aws.String(id), Status: aws.String(status), TaskDefinition: aws.String("arn:aws:ecs:us-east-1:0:task-definition/" + taskDef),
		RolloutState: state, RolloutStateReason: aws.String(reason), DesiredCount: 3}
}

func followerFor(id, revision string) *follower {
	f := newFollower(nil, &lineView{w: &bytes.Buffer{}}, "talk")
	f.id, f.following, f.revision, f.start = id, id, revision, time.Now()
	return f
}

func TestJudge(t *testing.T) {
	const reason = "ECS deployment circuit breaker: tasks failed to start. task abc: Essential container in task exited; container web exit code 1; last output:\nboom\n"
	cases := map[string]struct {
		deps      []types.Deployment
		past      *types.ServiceDeployment
		wantDone  bool
		wantState string
		wantTo    string
	}{
		"in progress": {deps: []types.Deployment{dep("d2", "PRIMARY", "talk:2", "IN_PROGRESS", "")}},
		"completed":   {deps: []types.Deployment{dep("d2", "PRIMARY", "talk:2", "COMPLETED", "")}, wantDone: true, wantState: outcomeCompleted},
		"failed, no rollback": {deps: []types.Deployment{dep("d2", "PRIMARY", "talk:2", "FAILED", reason)},
			wantDone: true, wantState: outcomeFailed},
		"failed, rolling back": {deps: []types.Deployment{dep("d3", "PRIMARY", "talk:1", "IN_PROGRESS", ""), dep("d2", "ACTIVE", "talk:2", "FAILED", reason)}},
		"failed, rolled back already": {deps: []types.Deployment{dep("d3", "PRIMARY", "talk:1", "COMPLETED", "")},
			past:     &types.ServiceDeployment{Status: types.ServiceDeploymentStatusRollbackSuccessful, StatusReason: aws.String(reason)},
			wantDone: true, wantState: outcomeRolledBack, wantTo: "talk:1"},
		"replaced": {deps: []types.Deployment{dep("d3", "PRIMARY", "talk:3", "IN_PROGRESS", ""), dep("d2", "ACTIVE", "talk:2", "IN_PROGRESS", "")},
			wantDone: true, wantState: outcomeReplaced},
		"gone without history": {deps: []types.Deployment{dep("d3", "PRIMARY", "talk:3", "IN_PROGRESS", "")}, wantDone: true, wantState: outcomeReplaced},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := followerFor("d2", "talk:2")
			o, done := f.judge(&snapshot{service: types.Service{Deployments: c.deps}, past: c.past})
			if done != c.wantDone || o.State != c.wantState || o.RolledBackTo != c.wantTo {
				t.Errorf("judge = %+v, %v; want %s done=%v to %q", o, done, c.wantState, c.wantDone, c.wantTo)
			}
			if done && o.Revision != "talk:2" {
				t.Errorf("revision %q, want talk:2", o.Revision)
			}
		})
	}
}

// A failed deployment is followed through its rollback to the end.
func TestJudgeFollowsRollback(t *testing.T) {
	f := followerFor("d2", "talk:2")
	failed := dep("d2", "ACTIVE", "talk:2", "FAILED", "circuit breaker: exit code 1")
	if _, done := f.judge(&snapshot{service: types.Service{Deployments: []types.Deployment{dep("d3", "PRIMARY", "talk:1", "IN_PROGRESS", ""), failed}}}); done || f.following != "d3" {
		t.Fatalf("done %v, following %q", done, f.following)
	}
	o, done := f.judge(&snapshot{service: types.Service{Deployments: []types.Deployment{dep("d3", "PRIMARY", "talk:1", "COMPLETED", "")}}})
	if !done || o.State != outcomeRolledBack || o.RolledBackTo != "talk:1" || o.Reason != "circuit breaker: exit code 1" || o.OK() {
		t.Errorf("after the rollback: %+v %v", o, done)
	}
	want := "FAILED, rolled back to talk:1 in "
	if v := o.verdict(); !strings.HasPrefix(v, want) || !strings.Contains(v, "talk:2 did not deploy: circuit breaker: exit code 1") {
		t.Errorf("verdict %q", v)
	}
}

func TestVerdict(t *testing.T) {
	req := &requestReport{Revisions: []revisionRequests{{Revision: "talk:1", Served: 120, Failed: 0}, {Revision: "talk:2", Served: 80, Failed: 2}}}
	o := outcome{State: outcomeCompleted, Service: "talk", Deployment: "ecs-svc/2", Revision: "talk:2", Duration: 12340 * time.Millisecond, Requests: req}
	want := "COMPLETED in 12.3s: talk runs talk:2 (deployment ecs-svc/2); requests talk:1 120 served, 0 failed; talk:2 80 served, 2 failed (failed = 5xx sent to clients, by targets or the load balancer)"
	if v := o.verdict(); v != want {
		t.Errorf("verdict\n%q, want\n%q", v, want)
	}
	o = outcome{State: outcomeRolledBack, Service: "talk", Revision: "talk:3", RolledBackTo: "talk:2", Duration: 8 * time.Second,
		Reason: "ECS deployment circuit breaker: tasks failed to start. task a: exited; container web exit code 1; last output:\nline 1\nline 2\n"}
	var b bytes.Buffer
	writeVerdict(&b, o)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 4 || lines[1] != "  | line 1" || lines[3] != "FAILED, rolled back to talk:2 in 8.0s: talk:3 did not deploy: ECS deployment circuit breaker: tasks failed to start. task a: exited; container web exit code 1" {
		t.Errorf("verdict output:\n%s", b.String())
	}
	o = outcome{State: outcomeTimedOut, Service: "talk", Duration: time.Minute, Reason: "deployment d is still in progress"}
	if v := o.verdict(); !strings.HasPrefix(v, "TIMED OUT after 60.0s: deployment d is still in progress; ") || !strings.Contains(v, "slipway rollback talk") {
		t.Errorf("timeout verdict %q", v)
	}
}

func TestEventText(t *testing.T) {
	e := types.ServiceEvent{Message: aws.String("(service talk) registered 2 targets in (target-group arn:aws:elasticloadbalancing:us-east-1:0:targetgroup/talk/2d05879c8802c65c)")}
	if got := eventText(e); got != "(service talk) registered 2 targets in (target-group talk)" {
		t.Errorf("eventText = %q", got)
	}
}

func TestCompareRevisions(t *testing.T) {
	if compareRevisions("talk:9", "talk:10") >= 0 || compareRevisions("api:3", "talk:1") >= 0 || compareRevisions("talk:2", "talk:2") != 0 {
		t.Error("revisions not ordered by family, then number")
	}
}

func counts(requests, fivexx uint64) lb.Counts {
	return lb.Counts{Requests: requests, Status5xx: fivexx}
}

func TestRequestReport(t *testing.T) {
	svc := types.Service{LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String("tg")}}}
	a := sampleOf(lb.Stats{TargetGroups: map[string]lb.GroupStats{"tg": {Total: counts(100, 1),
		Revisions: map[string]lb.Counts{"talk:1": counts(100, 1)}}}}, svc)
	b := sampleOf(lb.Stats{TargetGroups: map[string]lb.GroupStats{"tg": {Total: counts(260, 4), // 2 ELB 503 with no target
		Revisions: map[string]lb.Counts{"talk:1": counts(150, 1), "talk:2": counts(108, 1)}}}}, svc)
	r := a.delta(b)
	if len(r.Revisions) != 2 || r.Revisions[0] != (revisionRequests{Revision: "talk:1", Served: 50}) ||
		r.Revisions[1] != (revisionRequests{Revision: "talk:2", Served: 108, Failed: 1}) || r.NoTarget != 2 || r.Failed() != 3 || r.Served() != 158 {
		t.Errorf("report %+v", r)
	}
	if s := r.String(); !strings.Contains(s, "talk:2 108 served, 1 failed; 2 failed with no healthy target") {
		t.Errorf("String %q", s)
	}
	if sampleOf(lb.Stats{}, svc) != nil {
		t.Error("a service whose target group no listener serves has no sample")
	}
}

func TestTrafficWindow(t *testing.T) {
	var w trafficWindow
	at := time.Now()
	for i := range 6 {
		w.add(&statsSample{at: at.Add(time.Duration(i) * 250 * time.Millisecond),
			revisions: map[string]lb.Counts{"talk:1": counts(uint64(30*i), 0), "talk:2": counts(uint64(10*i), 0)}})
	}
	s := w.shares()
	if len(s) != 2 || s[0].Revision != "talk:1" || s[0].Share != 0.75 || s[1].Share != 0.25 || s[0].PerSec != 120 {
		t.Errorf("shares %+v", s)
	}
	if len(w.samples) > 6 || w.samples[0].at.Before(at.Add(250*time.Millisecond)) {
		t.Errorf("window keeps %d samples from %s", len(w.samples), w.samples[0].at.Sub(at))
	}
	w.add(nil)
	if w.shares() != nil {
		t.Error("no figures: no shares")
	}
}

func frameWith(elapsed time.Duration, running int) progressFrame {
	return progressFrame{Elapsed: elapsed, Service: "talk", Deployment: "d2", Revision: "talk:2", Following: "d2",
		Rows: []revisionRow{{Deployment: "d2", Revision: "talk:2", Role: "new", Desired: 3, Running: running},
			{Deployment: "d1", Revision: "talk:1", Role: "old", Running: 3 - running, Healthy: 3 - running}}}
}

func TestTTYViewRedrawsInPlace(t *testing.T) {
	var b bytes.Buffer
	v := &ttyView{w: &b, width: 40}
	v.frame(frameWith(0, 1))
	first := b.String()
	if strings.Contains(first, "\x1b[") || strings.Count(first, "\n") != 3 {
		t.Errorf("first frame %q", first)
	}
	b.Reset()
	f := frameWith(time.Second, 2)
	f.Events = []types.ServiceEvent{{Message: aws.String("(service talk) has started 1 tasks: (task a) (task b) (task c) (task d)."), CreatedAt: aws.Time(time.Now())}}
	v.frame(f)
	second := b.String()
	if !strings.HasPrefix(second, "\x1b[3A\x1b[J") || strings.Count(second, "\n") != 4 {
		t.Errorf("second frame %q: want to move up 3 lines, clear, an event line and the block", second)
	}
	for _, l := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(second, "\x1b[3A\x1b[J"), "\n"), "\n") {
		if n := len([]rune(l)); n >= 40 {
			t.Errorf("line of %d runes on a 40-column terminal: %q", n, l)
		}
	}
}

func TestLineViewPrintsChangesOnly(t *testing.T) {
	var b bytes.Buffer
	v := &lineView{w: &b}
	v.frame(frameWith(0, 1))
	v.frame(frameWith(250*time.Millisecond, 1)) // only the clock moved
	v.frame(frameWith(500*time.Millisecond, 2))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "talk:2 new 1/3 running, 0 healthy | talk:1 old 2 running, 2 healthy") ||
		!strings.HasPrefix(lines[1], "[  0.5s] talk:2 new 2/3") {
		t.Errorf("lines:\n%s", b.String())
	}
}
