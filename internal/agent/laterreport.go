package agent

import (
	"context"
	"time"
)

// stoppingGrace is how long a requested stop may take before the agent
// reports STOPPING (see runner.stop).
const stoppingGrace = time.Second

// laterReport is a report sent after a delay unless settled first.
type laterReport struct {
	timer *time.Timer
	sent  chan struct{} // closed once the timer's send returned
}

// reportLater sends rep (built now, so that the timer's goroutine reads
// nothing the runner changes) after delay.
func (r *runner) reportLater(ctx context.Context, delay time.Duration, rep TaskReport) *laterReport {
	l := &laterReport{sent: make(chan struct{})}
	l.timer = time.AfterFunc(delay, func() {
		defer close(l.sent)
		r.send(ctx, rep)
	})
	return l
}

// settle cancels the report if it is not due yet, else waits until it was
// sent, so that no report sent after it can be overtaken by it. A nil
// laterReport is settled.
func (l *laterReport) settle() {
	if l == nil {
		return
	}
	if l.timer.Stop() {
		close(l.sent) // never to be sent: a second settle returns at once
		return
	}
	<-l.sent
}
