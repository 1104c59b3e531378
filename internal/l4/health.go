package l4

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lbtarget"
)

// checker runs the health checks of one target with one set of settings.
type checker struct {
	hc     HealthCheck
	match  lbtarget.Matcher
	stopCh chan struct{}
	// consecutive results, touched only by the checker goroutine
	ok, fail int
}

// probeResult is the outcome of one health check.
type probeResult struct {
	ok           bool
	reason, desc string
	refused      bool // nothing listens behind the target yet
}

// syncHealth aligns a registered target's checking with its group's settings:
// targets of groups no listener forwards to are not checked (Target.NotInUse),
// disabled checks make the target "unavailable" (routable,
// Target.HealthCheckDisabled), otherwise a checker runs.
func (d *DataPlane) syncHealth(t *target, tg *TargetGroup, used bool) {
	if tg == nil {
		return
	}
	hc := tg.HealthCheck.withDefaults()
	t.mu.Lock()
	var prev lb.TargetHealth
	changed := false
	switch {
	case !used:
		d.stopCheckerLocked(t)
		prev, changed = t.setHealthLocked(lb.StateUnused, lb.ReasonNotInUse, "Target group is not configured to receive traffic from the load balancer")
	case !hc.Enabled:
		d.stopCheckerLocked(t)
		prev, changed = t.setHealthLocked(lb.StateUnavailable, lb.ReasonHealthCheckDisabled, "Health checks are disabled")
	case t.checker == nil || t.checker.hc != hc:
		d.stopCheckerLocked(t)
		if st := t.health.State; st == lb.StateUnused || st == lb.StateUnavailable {
			prev, changed = t.setHealthLocked(lb.StateInitial, lb.ReasonRegistrationInProgress, "Target registration is in progress")
		}
		m, _ := parseMatcher(hc.Matcher)
		ck := &checker{hc: hc, match: m, stopCh: make(chan struct{})}
		t.checker = ck
		d.wg.Add(1)
		go d.runChecker(t, ck)
	}
	t.mu.Unlock()
	if changed {
		d.emit(t, prev)
	}
}

func (d *DataPlane) stopCheckerLocked(t *target) {
	if t.checker != nil {
		close(t.checker.stopCh)
		t.checker = nil
	}
}

// runChecker checks t on ELB's schedule with quick re-probes of a new target that
// is not listening yet, as internal/lb (lbtarget.Schedule): a passing quick probe
// makes it healthy; only probes on the regular schedule count toward
// UnhealthyThreshold.
func (d *DataPlane) runChecker(t *target, ck *checker) {
	defer d.wg.Done()
	lbtarget.Schedule(ck.hc.Interval, ck.stopCh, d.stopped, func() bool { return t.state.Load() == hInitial }, func(regular bool) bool {
		d.startInitialCheck(t, ck)
		res := d.probe(t, ck.hc, ck.match)
		if regular || res.ok {
			d.record(t, ck, res)
		}
		return res.refused
	})
}

// startInitialCheck moves a just-registered target to Elb.InitialHealthChecking.
func (d *DataPlane) startInitialCheck(t *target, ck *checker) {
	t.mu.Lock()
	if t.checker != ck || t.health.Reason != lb.ReasonRegistrationInProgress {
		t.mu.Unlock()
		return
	}
	prev, changed := t.setHealthLocked(lb.StateInitial, lb.ReasonInitialHealthChecking, "Initial health checking in progress")
	t.mu.Unlock()
	if changed {
		d.emit(t, prev)
	}
}

// record applies one probe result. A newly registered target is healthy after one
// passing check (as internal/lb); later HealthyThreshold consecutive passes make
// an unhealthy target healthy and UnhealthyThreshold consecutive failures make a
// target unhealthy. With target_health_state.unhealthy.connection_termination a
// target that becomes unhealthy loses its connections.
func (d *DataPlane) record(t *target, ck *checker, res probeResult) {
	t.mu.Lock()
	if t.checker != ck {
		t.mu.Unlock()
		return
	}
	if res.ok {
		ck.ok, ck.fail = ck.ok+1, 0
	} else {
		ck.ok, ck.fail = 0, ck.fail+1
	}
	var prev lb.TargetHealth
	changed := false
	switch st := t.health.State; {
	case res.ok && (st == lb.StateInitial || st == lb.StateUnhealthy && ck.ok >= ck.hc.HealthyThreshold):
		prev, changed = t.setHealthLocked(lb.StateHealthy, "", "")
	case !res.ok && st != lb.StateUnhealthy && ck.fail >= ck.hc.UnhealthyThreshold:
		prev, changed = t.setHealthLocked(lb.StateUnhealthy, res.reason, res.desc)
	case !res.ok && st == lb.StateUnhealthy:
		prev, changed = t.setHealthLocked(lb.StateUnhealthy, res.reason, res.desc)
	}
	t.mu.Unlock()
	if !changed {
		return
	}
	d.emit(t, prev)
	if prev.State != lb.StateUnhealthy && t.state.Load() == hUnhealthy {
		d.regMu.Lock()
		tg := d.groups[t.key.group]
		d.regMu.Unlock()
		if tg != nil && tg.UnhealthyConnectionTermination {
			if n := t.terminate(); n > 0 {
				d.log.Info("unhealthy target's connections closed", "target_group", t.key.group, "target", t.key.id, "port", t.key.port, "connections", n)
			}
		}
	}
}

// probe runs one health check with a fresh connection, as ELB does.
func (d *DataPlane) probe(t *target, hc HealthCheck, m lbtarget.Matcher) probeResult {
	port := t.key.port
	if hc.Port != "traffic-port" {
		port, _ = strconv.Atoi(hc.Port)
	}
	addr := net.JoinHostPort(t.key.host, strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(d.ctx, hc.Timeout)
	defer cancel()
	if hc.Protocol == CheckTCP {
		c, err := d.dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			return failedProbe(err)
		}
		c.Close()
		return probeResult{ok: true}
	}
	scheme := "http"
	if hc.Protocol == CheckHTTPS {
		scheme = "https"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+addr+hc.Path, nil)
	if err != nil {
		return probeResult{reason: lb.ReasonInternalError, desc: "Health checks failed due to an internal error"}
	}
	req.Header.Set("User-Agent", "ELB-HealthChecker/2.0")
	resp, err := d.healthClient.Do(req)
	if err != nil {
		return failedProbe(err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if !m.Match(resp.StatusCode) {
		return probeResult{reason: lb.ReasonResponseCodeMismatch, desc: fmt.Sprintf("Health checks failed with these codes: [%d]", resp.StatusCode)}
	}
	return probeResult{ok: true}
}

func failedProbe(err error) probeResult {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return probeResult{reason: lb.ReasonTimeout, desc: "Request timed out"}
	}
	refused := errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)
	return probeResult{reason: lb.ReasonFailedHealthChecks, desc: "Health checks failed", refused: refused}
}

// newHealthClient returns a client that never reuses connections (ELB closes the
// connection after each check) and, like ELB, neither verifies target
// certificates nor follows redirects.
func newHealthClient() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// parseMatcher parses an HTTP check's success codes (NLB: "The range is 200 to 599.").
func parseMatcher(s string) (lbtarget.Matcher, error) { return lbtarget.ParseMatcher(s, 200) }
