package lb

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

func (c *checker) stop() { close(c.stopCh) }

// probeResult is the outcome of one health check.
type probeResult struct {
	ok     bool
	reason string
	desc   string
	// refused: the target refused the connection (nothing listens yet).
	refused bool
}

// syncHealth aligns a registered target's checking with its group's current settings:
// unused groups are not checked (Target.NotInUse), disabled checks make the target
// "unavailable" (routable, Target.HealthCheckDisabled), otherwise a checker runs.
func (d *DataPlane) syncHealth(b *backend, tg *TargetGroup, used bool) {
	if tg == nil {
		return
	}
	hc := healthDefaults(tg.HealthCheck)
	b.mu.Lock()
	var prev TargetHealth
	changed := false
	switch {
	case !used:
		d.stopCheckerLocked(b)
		prev, changed = b.setHealthLocked(StateUnused, ReasonNotInUse, "Target group is not configured to receive traffic from the load balancer")
	case !hc.Enabled:
		d.stopCheckerLocked(b)
		prev, changed = b.setHealthLocked(StateUnavailable, ReasonHealthCheckDisabled, "Health checks are disabled")
	case b.checker == nil || b.checker.hc != hc:
		d.stopCheckerLocked(b)
		if st := b.health.State; st == StateUnused || st == StateUnavailable {
			prev, changed = b.setHealthLocked(StateInitial, ReasonRegistrationInProgress, "Target registration is in progress")
		}
		m, _ := parseMatcher(hc.Matcher)
		ck := &checker{hc: hc, match: m, stopCh: make(chan struct{})}
		b.checker = ck
		d.wg.Add(1)
		go d.runChecker(b, ck)
	}
	b.mu.Unlock()
	if changed {
		d.emit(b, prev)
	}
}

func (d *DataPlane) stopCheckerLocked(b *backend) {
	if b.checker != nil {
		b.checker.stop()
		b.checker = nil
	}
}

// runChecker checks b on ELB's schedule with quick re-probes of a new target
// that is not listening yet (lbtarget.Schedule): a passing quick probe makes
// it healthy at once, and only probes on the regular schedule count toward
// UnhealthyThreshold. A deploy thus waits for the application to listen, not
// for the next interval.
func (d *DataPlane) runChecker(b *backend, ck *checker) {
	defer d.wg.Done()
	lbtarget.Schedule(ck.hc.Interval, ck.stopCh, d.closing, func() bool { return d.isInitial(b) }, func(regular bool) bool {
		d.startInitialCheck(b, ck)
		res := d.probe(b, ck)
		if regular || res.ok {
			d.record(b, ck, res)
		}
		return res.refused
	})
}

func (d *DataPlane) isInitial(b *backend) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.health.State == StateInitial
}

// startInitialCheck moves a just-registered target to Elb.InitialHealthChecking.
func (d *DataPlane) startInitialCheck(b *backend, ck *checker) {
	b.mu.Lock()
	if b.checker != ck || b.health.Reason != ReasonRegistrationInProgress {
		b.mu.Unlock()
		return
	}
	prev, changed := b.setHealthLocked(StateInitial, ReasonInitialHealthChecking, "Initial health checking in progress")
	b.mu.Unlock()
	if changed {
		d.emit(b, prev)
	}
}

// record applies one probe result. A newly registered target is healthy after one
// passing check (ELB: "After your target is registered, it must pass one health check
// to be considered healthy"); later it needs HealthyThreshold consecutive passes after
// being unhealthy, and UnhealthyThreshold consecutive failures make it unhealthy.
func (d *DataPlane) record(b *backend, ck *checker, res probeResult) {
	others := res.ok && d.otherHealthy(b)
	b.mu.Lock()
	if b.checker != ck {
		b.mu.Unlock()
		return
	}
	if res.ok {
		ck.ok++
		ck.fail = 0
	} else {
		ck.fail++
		ck.ok = 0
	}
	var prev TargetHealth
	changed := false
	switch st := b.health.State; {
	case res.ok && (st == StateInitial || st == StateUnhealthy && ck.ok >= ck.hc.HealthyThreshold):
		prev, changed = b.setHealthLocked(StateHealthy, "", "")
		if !others {
			// ELB: slow start does not apply when the group has no other healthy
			// target; ramping the only target would just leave traffic unserved.
			b.healthySince.Store(0)
		}
	case !res.ok && st != StateUnhealthy && ck.fail >= ck.hc.UnhealthyThreshold:
		prev, changed = b.setHealthLocked(StateUnhealthy, res.reason, res.desc)
	case !res.ok && st == StateUnhealthy:
		prev, changed = b.setHealthLocked(StateUnhealthy, res.reason, res.desc)
	}
	b.mu.Unlock()
	if changed {
		d.emit(b, prev)
	}
}

// otherHealthy reports whether b's group has another healthy registered target.
func (d *DataPlane) otherHealthy(b *backend) bool {
	d.regMu.Lock()
	defer d.regMu.Unlock()
	for key, o := range d.backends {
		if o != b && key.group == b.key.group && o.state.Load() == hHealthy && !o.draining.Load() {
			return true
		}
	}
	return false
}

// probe sends one health check request. Like ELB it uses a fresh connection per check.
func (d *DataPlane) probe(b *backend, ck *checker) probeResult {
	hc := ck.hc
	port := b.key.port
	if hc.Port != "traffic-port" {
		port, _ = strconv.Atoi(hc.Port)
	}
	host := b.target.Host
	if host == "" {
		host = b.target.ID
	}
	scheme := "http"
	if hc.Protocol == "HTTPS" {
		scheme = "https"
	}
	url := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port)) + hc.Path
	ctx, cancel := context.WithTimeout(d.ctx, hc.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return probeResult{reason: ReasonInternalError, desc: "Health checks failed due to an internal error"}
	}
	req.Header.Set("User-Agent", "ELB-HealthChecker/2.0")
	resp, err := d.healthClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
			return probeResult{reason: ReasonTimeout, desc: "Request timed out"}
		}
		return probeResult{reason: ReasonFailedHealthChecks, desc: "Health checks failed", refused: notListening(err)}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if !ck.match.Match(resp.StatusCode) {
		return probeResult{reason: ReasonResponseCodeMismatch, desc: fmt.Sprintf("Health checks failed with these codes: [%d]", resp.StatusCode)}
	}
	return probeResult{ok: true}
}

// newHealthClient returns a client that never reuses connections (ELB closes the
// connection after each check) and, like ELB, neither verifies target certificates
// nor follows redirects.
func newHealthClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DisableKeepAlives: true,
			TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// notListening reports whether a failed probe means nothing listens behind
// the target yet: the connection was refused, or accepted and closed before
// any answer, as the Docker Engine's port proxy does while the container's
// process has not opened its port.
func notListening(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)
}
