package lb

import (
	"hash/fnv"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/internal/lbtarget"
)

// Target health states, as ELB names them.
const (
	StateInitial     = "initial"
	StateHealthy     = "healthy"
	StateUnhealthy   = "unhealthy"
	StateUnused      = "unused"
	StateDraining    = "draining"
	StateUnavailable = "unavailable"
)

// ELB target health reason codes.
const (
	ReasonRegistrationInProgress   = "Elb.RegistrationInProgress"
	ReasonInitialHealthChecking    = "Elb.InitialHealthChecking"
	ReasonResponseCodeMismatch     = "Target.ResponseCodeMismatch"
	ReasonTimeout                  = "Target.Timeout"
	ReasonFailedHealthChecks       = "Target.FailedHealthChecks"
	ReasonNotRegistered            = "Target.NotRegistered"
	ReasonNotInUse                 = "Target.NotInUse"
	ReasonDeregistrationInProgress = "Target.DeregistrationInProgress"
	ReasonHealthCheckDisabled      = "Target.HealthCheckDisabled"
	ReasonInternalError            = "Elb.InternalError"
)

// hot-path state codes mirrored from the string state for lock-free routing decisions.
const (
	hInitial int32 = iota
	hHealthy
	hUnhealthy
	hUnused
	hDraining
	hUnavailable
)

// stateCode maps a state name to its hot-path code.
func stateCode(state string) int32 {
	switch state {
	case StateHealthy:
		return hHealthy
	case StateUnhealthy:
		return hUnhealthy
	case StateUnused:
		return hUnused
	case StateDraining:
		return hDraining
	case StateUnavailable:
		return hUnavailable
	}
	return hInitial
}

// TargetHealth is one target's health as DescribeTargetHealth reports it.
type TargetHealth struct {
	Target      Target
	State       string
	Reason      string
	Description string
}

// HealthEvent reports one target state change.
type HealthEvent struct {
	TargetGroupARN string
	Target         Target
	From, To       TargetHealth
}

// backendKey identifies a target runtime. ELB identifies targets by id and port; the
// dial host and revision label are part of the key too, so that a new task that
// reuses a draining task's host port is a separate target whose traffic is counted
// under its own revision while the old one finishes draining.
type backendKey struct {
	group    string
	id       string
	port     int
	host     string
	revision string
}

// backend is the runtime of one registered (or draining) target. It outlives config
// versions so that health, pooled connections and counters carry over.
type backend struct {
	key    backendKey
	target Target
	addr   string // host:port to dial
	cookie string // AWSALB cookie value naming this target

	state        atomic.Int32 // h* code, read per request
	draining     atomic.Bool  // set before the routing swap that removes the target
	inflight     atomic.Int64
	healthySince atomic.Int64 // unix nanos of the last transition to healthy, for slow start
	slowStart    atomic.Int64 // group's slow start duration in nanos

	pool  *upstreamPool
	stats counters

	mu      sync.Mutex // guards health and drain fields below
	health  TargetHealth
	drain   *lbtarget.Drain
	checker *checker
}

func newBackend(d *DataPlane, key backendKey, t Target, tlsToTarget bool) *backend {
	t.Port = key.port
	host := t.Host
	if host == "" {
		host = t.ID
	}
	b := &backend{key: key, target: t, addr: net.JoinHostPort(host, strconv.Itoa(key.port))}
	h := fnv.New64a()
	h.Write([]byte(key.group + "\x00" + key.id + "\x00" + strconv.Itoa(key.port) + "\x00" + key.host + "\x00" + key.revision))
	b.cookie = strconv.FormatUint(h.Sum64(), 36)
	b.pool = newUpstreamPool(b.addr, tlsToTarget, d.opts.DialTimeout)
	b.health = TargetHealth{Target: t, State: StateInitial, Reason: ReasonRegistrationInProgress, Description: "Target registration is in progress"}
	return b
}

// setHealth changes the health record under b.mu and returns the previous one.
// The caller emits the event after unlocking.
func (b *backend) setHealthLocked(state, reason, desc string) (TargetHealth, bool) {
	prev := b.health
	if prev.State == state && prev.Reason == reason && prev.Description == desc {
		return prev, false
	}
	b.health = TargetHealth{Target: b.target, State: state, Reason: reason, Description: desc}
	b.state.Store(stateCode(state))
	if state == StateHealthy && prev.State != StateHealthy {
		b.healthySince.Store(time.Now().UnixNano())
	}
	return prev, prev.State != state || prev.Reason != reason
}

// acquire counts an in-flight request. It fails when the target started draining
// between the routing-table load and now, so the caller picks again.
func (b *backend) acquire() bool {
	b.inflight.Add(1)
	if b.draining.Load() {
		b.release()
		return false
	}
	return true
}

// release ends an in-flight request and wakes the drain watcher at zero.
func (b *backend) release() {
	if b.inflight.Add(-1) == 0 && b.draining.Load() {
		b.mu.Lock()
		ds := b.drain
		b.mu.Unlock()
		if ds != nil {
			ds.Poke()
		}
	}
}

// slowStartFactor is the share (0..1] of its normal traffic a newly healthy target gets.
func (b *backend) slowStartFactor(now int64) float64 {
	ss := b.slowStart.Load()
	if ss <= 0 {
		return 1
	}
	since := now - b.healthySince.Load()
	if since >= ss || since < 0 {
		return 1
	}
	f := float64(since) / float64(ss)
	if f < 0.01 {
		f = 0.01
	}
	return f
}

func (b *backend) healthSnapshot() TargetHealth {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.health
}
