package agent

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// healthResult is a container health-status change.
type healthResult struct {
	container string
	status    string
	output    string
}

// healthArgv turns an ECS health-check command into argv: CMD runs the rest
// as given, CMD-SHELL runs it with /bin/sh -c, as Docker does.
func healthArgv(cmd []string) []string {
	if len(cmd) < 2 {
		return nil
	}
	switch cmd[0] {
	case "CMD":
		return cmd[1:]
	case "CMD-SHELL":
		return []string{"/bin/sh", "-c", strings.Join(cmd[1:], " ")}
	}
	return nil
}

// startInterval is how often a container is probed during its health
// check's startPeriod, like Docker's --health-start-interval: failures there
// do not count, so probing often costs nothing and reports HEALTHY as soon
// as the application is ready.
const startInterval = time.Second

// checkHealth runs a container's health check until ctx ends, with Docker's
// semantics (which ECS uses): probes run every interval, the first one
// interval after the container starts (every startInterval during a
// startPeriod); retries consecutive failures make it UNHEALTHY; failures
// within startPeriod do not count, but a success there makes it HEALTHY.
// It sends a result only when the status changes.
func checkHealth(ctx context.Context, name string, hc model.HealthCheck, h runtime.Handle, out chan<- healthResult) {
	argv := healthArgv(hc.Command)
	if argv == nil {
		return
	}
	interval := time.Duration(hc.Interval) * time.Second
	timeout := time.Duration(hc.Timeout) * time.Second
	startPeriod := time.Duration(hc.StartPeriod) * time.Second
	started := time.Now()
	status, failures := model.HealthUnknown, 0
	timer := time.NewTimer(nextProbe(interval, startPeriod, 0, status))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		timer.Reset(nextProbe(interval, startPeriod, time.Since(started), status))
		pctx, cancel := context.WithTimeout(ctx, timeout)
		code, output, err := h.Exec(pctx, argv)
		cancel()
		if ctx.Err() != nil {
			return
		}
		next := status
		if err == nil && code == 0 {
			next, failures = model.HealthHealthy, 0
		} else if time.Since(started) >= startPeriod || status == model.HealthHealthy {
			failures++
			if failures >= hc.Retries {
				next = model.HealthUnhealthy
			}
		}
		if next != status {
			status = next
			select {
			case out <- healthResult{container: name, status: status, output: probeOutput(code, output, err)}:
			case <-ctx.Done():
				return
			}
		}
	}
}

func probeOutput(code int, output []byte, err error) string {
	text := strings.TrimSpace(string(output))
	if err != nil {
		return "health check could not run: " + err.Error()
	}
	if code != 0 {
		return "health check exited " + strconv.Itoa(code) + ": " + lastLines(text, 5)
	}
	return text
}

// nextProbe is the wait before the next probe: startInterval while the
// start period lasts and the container is not yet healthy, else interval.
func nextProbe(interval, startPeriod, elapsed time.Duration, status string) time.Duration {
	if status != model.HealthHealthy && elapsed+startInterval < startPeriod && startInterval < interval {
		return startInterval
	}
	return interval
}
