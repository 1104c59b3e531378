package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Outcomes of following a deployment. Only outcomeCompleted is a success.
const (
	outcomeCompleted   = "COMPLETED"
	outcomeFailed      = "FAILED"
	outcomeRolledBack  = "ROLLED_BACK"
	outcomeReplaced    = "REPLACED"
	outcomeTimedOut    = "TIMED_OUT"
	outcomeInterrupted = "INTERRUPTED"
)

// errLostTrack reports that the API stopped answering while a deployment
// was followed; the deployment itself goes on on the server.
var errLostTrack = errors.New("lost track of the deployment")

// apiOutage is how long the follower tolerates consecutive failed polls
// before it gives up: a brief hiccup must not end a deploy command.
const apiOutage = 15 * time.Second

// outcome is how a followed deployment ended, with what the load balancer
// saw of it.
type outcome struct {
	State      string
	Service    string
	Deployment string
	Revision   string // the revision that was deployed, e.g. talk:2
	// RolledBackTo is the revision the circuit breaker returned to.
	RolledBackTo string
	// Reason is the rolloutStateReason (or our own explanation) of an
	// outcome other than COMPLETED.
	Reason   string
	Duration time.Duration
	// Requests is nil when the service is not behind a Slipway listener.
	Requests *requestReport
}

// OK reports whether the deployment completed.
func (o outcome) OK() bool { return o.State == outcomeCompleted }

// follower watches one service's deployment until it reaches a terminal
// state, feeding what it sees to a progressView. It holds the state of one
// follow only: make a new one per deployment.
type follower struct {
	src      *snapshotSource
	view     progressView
	service  string
	interval time.Duration

	start      time.Time
	baseStats  *statsSample
	seenEvents map[string]bool
	traffic    trafficWindow
	// following is the deployment watched now: the one we started, then the
	// circuit breaker's rollback deployment once ours failed.
	id, following string
	revision      string // of the deployment we started, e.g. talk:2
	failReason    string
}

// newFollower makes a follower for service; call prime before the change
// that starts the deployment, then follow.
func newFollower(src *snapshotSource, view progressView, service string) *follower {
	return &follower{src: src, view: view, service: service, interval: 250 * time.Millisecond, seenEvents: map[string]bool{}}
}

// prime records the events already present and the load balancer's counters
// before the deployment starts, so that only what happens during it is
// shown and counted.
func (f *follower) prime(ctx context.Context, svc types.Service) {
	for _, e := range svc.Events {
		f.seenEvents[aws.ToString(e.Id)] = true
	}
	f.baseStats = f.src.sampleStats(ctx, svc)
	f.start = time.Now()
}

// follow polls until deployment id of taskDef ends (and, when the circuit
// breaker rolls it back, until the rollback ends), the timeout passes or
// ctx ends.
func (f *follower) follow(ctx context.Context, id, taskDef string, timeout time.Duration) (outcome, error) {
	f.id, f.following, f.revision = id, id, shortARN(taskDef)
	if f.start.IsZero() {
		f.start = time.Now()
	}
	deadline := f.start.Add(timeout)
	var last *snapshot
	lastOK := time.Now()
	tick := time.NewTicker(f.interval)
	defer tick.Stop()
	for {
		snap, err := f.src.snapshot(ctx, f.service)
		if err == nil && f.following == f.id && snap.deployment(f.id) == nil {
			snap.past, err = f.src.pastDeployment(ctx, snap.service, f.id)
		}
		if err == nil && snap.deployment(f.following) != nil {
			snap.stage = f.src.stage(ctx, snap.service, f.following)
		}
		switch {
		case err == nil:
			lastOK, last = time.Now(), snap
			// Judge first: it may switch to following the rollback, which
			// the frame then shows.
			o, done := f.judge(snap)
			f.show(snap)
			if done {
				return f.finish(ctx, o, snap), nil
			}
		case ctx.Err() != nil:
		case time.Since(lastOK) > apiOutage:
			return outcome{}, fmt.Errorf("%w: %w", errLostTrack, err)
		}
		if time.Now().After(deadline) {
			return f.finish(ctx, f.timedOut(last, timeout), last), nil
		}
		select {
		case <-ctx.Done():
			o := f.base(outcomeInterrupted, last)
			o.Reason = "stopped following: the deployment goes on on the server"
			return f.finish(context.WithoutCancel(ctx), o, last), nil
		case <-tick.C:
		}
	}
}

// show hands the view what changed: new events, oldest first, and the rows.
func (f *follower) show(s *snapshot) {
	var events []types.ServiceEvent
	for i := len(s.service.Events) - 1; i >= 0; i-- {
		e := s.service.Events[i]
		if id := aws.ToString(e.Id); !f.seenEvents[id] {
			f.seenEvents[id] = true
			events = append(events, e)
		}
	}
	f.traffic.add(s.stats)
	f.view.frame(progressFrame{
		Elapsed: time.Since(f.start), Service: f.service, Deployment: f.id, Revision: f.revision, Following: f.following,
		Rows: s.rows(f.id, f.following), Traffic: f.traffic.shares(), Events: events, Stage: s.stage,
	})
}

// judge decides whether the deployment reached a terminal state.
func (f *follower) judge(s *snapshot) (outcome, bool) {
	d := s.deployment(f.following)
	primary := s.primary()
	if f.following != f.id {
		return f.judgeRollback(s, d)
	}
	switch {
	case d == nil:
		return f.judgePast(s)
	case d.RolloutState == types.DeploymentRolloutStateCompleted:
		return f.base(outcomeCompleted, s), true
	case d.RolloutState == types.DeploymentRolloutStateFailed:
		return f.failed(s, aws.ToString(d.RolloutStateReason))
	case aws.ToString(d.Status) != "PRIMARY":
		o := f.base(outcomeReplaced, s)
		o.Reason = fmt.Sprintf("deployment %s was replaced by %s before it completed", f.id, describeDeployment(primary))
		return o, true
	}
	return outcome{}, false
}

// failed handles our deployment's failure: when the circuit breaker started
// a rollback (a new PRIMARY), the rollback is followed to its end.
func (f *follower) failed(s *snapshot, reason string) (outcome, bool) {
	f.failReason = reason
	if p := s.primary(); p != nil && aws.ToString(p.Id) != f.id {
		f.following = aws.ToString(p.Id)
		return f.judgeRollback(s, p)
	}
	if failsBack(s.service) {
		return outcome{}, false // blue becomes PRIMARY again once green has scaled in
	}
	o := f.base(outcomeFailed, s)
	o.Reason = reason
	return o, true
}

// failsBack reports whether a failed deployment of svc is rolled back in
// place: a traffic-shifting strategy (CANARY, LINEAR, BLUE_GREEN) with a
// rollback on returns traffic to its blue, which stays the deployment to
// follow, instead of starting a new one as a rolling rollback does.
func failsBack(svc types.Service) bool {
	c := svc.DeploymentConfiguration
	if c == nil || c.Strategy == "" || c.Strategy == types.DeploymentStrategyRolling {
		return false
	}
	return (c.DeploymentCircuitBreaker != nil && c.DeploymentCircuitBreaker.Rollback) || (c.Alarms != nil && c.Alarms.Rollback)
}

// judgePast decides from the deployment history about a deployment that is
// no longer among the service's deployments.
func (f *follower) judgePast(s *snapshot) (outcome, bool) {
	o := f.base(outcomeReplaced, s)
	o.Reason = fmt.Sprintf("deployment %s is no longer among the service's deployments (now %s)", f.id, describeDeployment(s.primary()))
	if s.past == nil {
		return o, true
	}
	reason := aws.ToString(s.past.StatusReason)
	switch s.past.Status {
	case types.ServiceDeploymentStatusSuccessful:
		return f.base(outcomeCompleted, s), true
	case types.ServiceDeploymentStatusRollbackInProgress, types.ServiceDeploymentStatusRollbackSuccessful,
		types.ServiceDeploymentStatusRollbackFailed:
		return f.failed(s, reason)
	case types.ServiceDeploymentStatusStopped:
		if strings.Contains(reason, "circuit breaker") {
			return f.failed(s, reason)
		}
		o.Reason = fmt.Sprintf("deployment %s was stopped: %s", f.id, reason)
	}
	return o, true
}

// judgeRollback follows the rollback deployment after ours failed.
func (f *follower) judgeRollback(s *snapshot, d *types.Deployment) (outcome, bool) {
	o := f.base(outcomeRolledBack, s)
	o.Reason = f.failReason
	if d != nil {
		o.RolledBackTo = shortARN(aws.ToString(d.TaskDefinition))
	}
	switch {
	case d == nil:
		o.State = outcomeFailed
		o.Reason += fmt.Sprintf(" The rollback deployment %s is no longer listed.", f.following)
	case d.RolloutState == types.DeploymentRolloutStateCompleted:
	case d.RolloutState == types.DeploymentRolloutStateFailed:
		o.State = outcomeFailed
		o.Reason += fmt.Sprintf(" The rollback to %s failed too: %s", o.RolledBackTo, aws.ToString(d.RolloutStateReason))
	case aws.ToString(d.Status) != "PRIMARY":
		o.State = outcomeFailed
		o.Reason += fmt.Sprintf(" The rollback to %s was replaced by %s.", o.RolledBackTo, describeDeployment(s.primary()))
	default:
		return outcome{}, false
	}
	return o, true
}

func (f *follower) timedOut(s *snapshot, timeout time.Duration) outcome {
	o := f.base(outcomeTimedOut, s)
	o.Reason = fmt.Sprintf("deployment %s did not finish within --timeout %s; it goes on on the server", f.following, timeout)
	if s != nil {
		for _, r := range s.rows(f.id, f.following) {
			if r.Deployment == f.following {
				o.Reason += fmt.Sprintf(" (%s: %s)", r.Revision, r.counts())
			}
		}
	}
	return o
}

// base fills in what every outcome carries.
func (f *follower) base(state string, s *snapshot) outcome {
	o := outcome{State: state, Service: f.service, Deployment: f.id, Revision: f.revision, Duration: time.Since(f.start)}
	if s != nil {
		if d := s.deployment(f.id); d != nil {
			o.Revision = shortARN(aws.ToString(d.TaskDefinition))
		}
	}
	return o
}

// finish takes the final load-balancer counters and hands the outcome to
// the view.
func (f *follower) finish(ctx context.Context, o outcome, s *snapshot) outcome {
	if f.baseStats != nil && s != nil {
		if end := f.src.sampleStats(ctx, s.service); end != nil {
			o.Requests = f.baseStats.delta(end)
		}
	}
	f.view.done(o)
	return o
}

// describeDeployment names a deployment for messages: "ecs-svc/N (talk:3)".
func describeDeployment(d *types.Deployment) string {
	if d == nil {
		return "another deployment"
	}
	return fmt.Sprintf("%s (%s)", aws.ToString(d.Id), shortARN(aws.ToString(d.TaskDefinition)))
}
