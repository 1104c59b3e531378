package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// LogSink is where the agent ships the output of containers that use the awslogs
// log driver: this server's CloudWatch Logs (logsops.Service implements it).
type LogSink interface {
	// PrepareStream makes sure the container's stream exists before it starts,
	// creating the group first when createGroup; a missing group otherwise fails
	// with CloudWatch's ResourceNotFoundException.
	PrepareStream(ctx context.Context, group, stream string, createGroup bool) error
	// Ship stores events durably with the cursor at their end, atomically.
	Ship(ctx context.Context, group, stream string, events []logstore.Event, cursor []byte) error
	// ShippedCursor returns the cursor of the last Ship to the stream (nil: none).
	ShippedCursor(ctx context.Context, group, stream string) ([]byte, error)
}

// Shipping bounds, as Docker's awslogs driver sends to CloudWatch Logs.
const (
	// shipMaxEvents and shipMaxBytes bound one Ship, like one PutLogEvents batch
	// (bytes count each message plus logstore.EventOverhead).
	shipMaxEvents = 10_000
	shipMaxBytes  = 1_048_576
	// maxEventBytes is the longest message; longer (multi-line) events are cut,
	// as Docker's driver cuts them (256 KiB less the per-event overhead).
	maxEventBytes = 256<<10 - logstore.EventOverhead
	// multilineFlush hands on a multi-line event that waited this long for its
	// next line (Docker's awslogs-force-flush-interval-seconds default).
	multilineFlush = 5 * time.Second
	// shipReadEntries bounds the entries read per batch.
	shipReadEntries = 5000
	// shipRetryMax caps the back-off between attempts to store a batch.
	shipRetryMax = 5 * time.Second
	// logDrainTimeout bounds how long a stopped task waits for its output to be
	// shipped before its containers are removed.
	logDrainTimeout = 10 * time.Second
)

// logShipping is a runner's shippers, one per awslogs container. They run under
// a context of the agent (not of the runner), so they keep shipping while the
// task stops; finish waits for them (drainLogs) before the containers go.
type logShipping struct {
	mu      sync.Mutex // protects started, ctx and cancel
	started map[string]bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// prepareLogs checks every awslogs container's options and makes its stream,
// before any container starts, as ECS's agent has the driver do: a missing group
// without awslogs-create-group fails the task with ECS's ResourceInitializationError.
func (r *runner) prepareLogs(ctx context.Context) error {
	for _, c := range r.ctrs {
		cfg, err := parseAwslogs(c.def)
		if err != nil {
			return err
		}
		if cfg == nil || r.a.opts.Logs == nil {
			continue
		}
		if _, ok := r.a.rt.(runtime.LogFollower); !ok {
			r.a.logger.Warn("the runtime cannot follow container output: awslogs output stays in the runtime's own logs",
				"runtime", r.a.rt.Name(), "task", r.id, "container", c.def.Name)
		}
		stream := cfg.streamName(r.id, c.def.Name, c.token)
		if err := r.a.opts.Logs.PrepareStream(ctx, cfg.group, stream, cfg.createGroup); err != nil {
			return resourceInitError(err, cfg.createGroup)
		}
	}
	return nil
}

// resourceInitError words a failure to make a container's log stream as ECS
// reports it for the awslogs driver.
func resourceInitError(err error, createGroup bool) error {
	what := "failed to create Cloudwatch log stream"
	if e, ok := awserr.As(err); ok {
		if createGroup && e.Code != "ResourceNotFoundException" {
			what = "failed to create Cloudwatch log group"
		}
		return fmt.Errorf("ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: %s: %s: %s : exit status 1",
			what, e.Code, e.Message)
	}
	return fmt.Errorf("ResourceInitializationError: failed to validate logger args: %s: %v : exit status 1", what, err)
}

// shipLogs starts shipping a started or adopted container's output if it uses the
// awslogs driver (once per container).
func (r *runner) shipLogs(c *ctr) {
	sink := r.a.opts.Logs
	follower, ok := r.a.rt.(runtime.LogFollower)
	if sink == nil || !ok || len(c.state) == 0 {
		return
	}
	cfg, err := parseAwslogs(c.def)
	if err != nil || cfg == nil {
		return
	}
	l := &r.logs
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started[c.def.Name] {
		return
	}
	if l.ctx == nil {
		l.ctx, l.cancel = context.WithCancel(r.a.ctx)
		l.started = map[string]bool{}
	}
	l.started[c.def.Name] = true
	sh := &shipper{sink: sink, follower: follower, state: runtime.State(c.state), group: cfg.group,
		stream: cfg.streamName(r.id, c.def.Name, c.token), asm: assembler{startOfEvent: cfg.startOfEvent},
		log: r.a.logger.With("task", r.id, "container", c.def.Name, "log_group", cfg.group)}
	ctx := l.ctx
	l.wg.Go(func() { sh.run(ctx) })
}

// drainLogs waits (bounded) until every shipper has shipped its container's
// output to the end, then stops them.
func (r *runner) drainLogs() {
	l := &r.logs
	l.mu.Lock()
	cancel := l.cancel
	l.mu.Unlock()
	if cancel == nil {
		return
	}
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(logDrainTimeout):
		r.a.logger.Warn("container output not fully shipped before the task's containers were removed", "task", r.id)
	case <-r.a.ctx.Done():
	}
	cancel()
	<-done
}

// stopLogs stops the shippers at once (the agent is closing: a restarted agent
// resumes them from the store's cursors).
func (r *runner) stopLogs() {
	l := &r.logs
	l.mu.Lock()
	cancel := l.cancel
	l.mu.Unlock()
	if cancel != nil {
		cancel()
		l.wg.Wait()
	}
}

// shipper ships one container's output to one stream.
type shipper struct {
	sink          LogSink
	follower      runtime.LogFollower
	state         runtime.State
	group, stream string
	asm           assembler
	log           *slog.Logger
	gaps          int
	batch         []logstore.Event // reused by every Ship
}

// run ships until the container's output ends (or ctx does). It resumes from the
// cursor stored with the last batch, so output is shipped once even across
// restarts; a failure to store a batch is retried, and meanwhile the container
// writes on into its (bounded) log files.
func (sh *shipper) run(ctx context.Context) {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		err := sh.follow(ctx)
		switch {
		case err == nil || ctx.Err() != nil:
			return
		case isGone(err):
			sh.log.Error("container output no longer shipped: its log group or stream was deleted", "stream", sh.stream)
			return
		}
		sh.log.Warn("shipping container output failed; retrying", "err", err)
		if !sleepCtx(ctx, backoff(attempt)) {
			return
		}
	}
}

// follow reads the output from the stored cursor and ships it batch by batch; it
// returns nil at the end of the output.
func (sh *shipper) follow(ctx context.Context) error {
	cursor, err := sh.sink.ShippedCursor(ctx, sh.group, sh.stream)
	if err != nil {
		return err
	}
	rd, err := sh.follower.FollowLogs(ctx, sh.state, cursor)
	if err != nil {
		return err
	}
	defer rd.Close()
	sh.asm.reset()
	sh.gaps = 0
	for {
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if sh.asm.pending != nil {
			rctx, cancel = context.WithTimeout(ctx, multilineFlush)
		}
		entries, err := rd.Next(rctx, shipReadEntries)
		cancel()
		switch {
		case errors.Is(err, io.EOF):
			sh.asm.flush()
			return sh.ship(ctx)
		case err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
			sh.asm.flush() // the multi-line event waited long enough
		case err != nil:
			return err
		}
		sh.asm.add(entries)
		if g := rd.Gaps(); g > sh.gaps {
			sh.log.Warn("container output was lost before it could be shipped: the agent fell behind by more than the container's log files hold",
				"stream", sh.stream, "gaps", g)
			sh.gaps = g
		}
		if err := sh.ship(ctx); err != nil {
			return err
		}
	}
}

// ship stores the completed events, in batches within CloudWatch's limits, each
// with the cursor of its last event.
func (sh *shipper) ship(ctx context.Context) error {
	for len(sh.asm.done) > 0 {
		n, bytes := 0, 0
		for n < len(sh.asm.done) && n < shipMaxEvents && bytes+len(sh.asm.done[n].msg)+logstore.EventOverhead <= shipMaxBytes {
			bytes += len(sh.asm.done[n].msg) + logstore.EventOverhead
			n++
		}
		batch := sh.batch[:0]
		for _, e := range sh.asm.done[:n] {
			if len(e.msg) > 0 {
				batch = append(batch, logstore.Event{Timestamp: e.ts, Message: e.msg})
			}
		}
		sh.batch = batch
		var cursor []byte // the last one in the batch: a piece of a cut event has none
		for i := n - 1; i >= 0 && cursor == nil; i-- {
			cursor = sh.asm.done[i].cursor
		}
		for attempt := 0; ; attempt++ {
			err := sh.sink.Ship(ctx, sh.group, sh.stream, batch, cursor)
			if err == nil {
				break
			}
			if isGone(err) || ctx.Err() != nil {
				return err
			}
			sh.log.Warn("storing container output failed; retrying (the container is not slowed: its output waits in its log files)", "err", err)
			if !sleepCtx(ctx, backoff(attempt)) {
				return ctx.Err()
			}
		}
		sh.asm.done = sh.asm.done[n:]
	}
	sh.asm.done = sh.asm.done[:0] // reuse the array for the next batch
	return nil
}

func isGone(err error) bool {
	return errors.Is(err, logstore.ErrGroupNotFound) || errors.Is(err, logstore.ErrStreamNotFound)
}

func backoff(attempt int) time.Duration {
	return min(100*time.Millisecond<<min(attempt, 6), shipRetryMax)
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// assembler turns output entries into events: a line is an event; pieces of a
// line (Partial entries) are joined; with startOfEvent, lines that do not match it
// join the event before them, separated by newlines. Events are cut at
// maxEventBytes. Entries are merged across stdout and stderr in time order, as the
// awslogs driver sees them; one event is pending at a time, so that the cursor of
// the last event handed on covers every entry before it (a piece of a line that an
// entry of the other stream interrupts goes as an event of its own).
type assembler struct {
	startOfEvent *regexp.Regexp
	pending      *shipEvent
	done         []shipEvent
}

// shipEvent is an event with the cursor after its last entry.
type shipEvent struct {
	ts      int64
	msg     []byte
	cursor  []byte
	stream  string
	partial bool // its last entry was a piece of a line
}

func (a *assembler) reset() { a.pending, a.done = nil, nil }

func (a *assembler) add(entries []runtime.LogEntry) {
	for _, e := range entries {
		if a.startOfEvent == nil && a.pending == nil && !e.Partial && len(e.Line) <= maxEventBytes {
			// A whole line is an event: it is shipped before the reader's next
			// call, while its bytes are still valid, so it needs no copy. An
			// empty line is no event (CloudWatch has none), but its cursor is.
			a.done = append(a.done, shipEvent{ts: e.Time.UnixMilli(), msg: e.Line, cursor: e.Cursor, stream: e.Stream})
			continue
		}
		p := a.pending
		switch {
		case p != nil && p.partial && p.stream == e.Stream:
			p.msg = append(p.msg, e.Line...) // the rest of a line
		case p != nil && !p.partial && a.startOfEvent != nil && !a.startOfEvent.Match(e.Line):
			p.msg = append(append(p.msg, '\n'), e.Line...) // the next line of a multi-line event
		default:
			a.flush()
			a.pending = &shipEvent{ts: e.Time.UnixMilli(), msg: append([]byte(nil), e.Line...), stream: e.Stream}
		}
		p = a.pending
		p.cursor, p.partial = append(p.cursor[:0], e.Cursor...), e.Partial
		for len(p.msg) > maxEventBytes {
			a.done = append(a.done, shipEvent{ts: p.ts, msg: p.msg[:maxEventBytes:maxEventBytes], cursor: nil})
			p.msg = append([]byte(nil), p.msg[maxEventBytes:]...)
		}
		if !p.partial && a.startOfEvent == nil {
			a.flush()
		}
	}
}

// flush hands on the pending event.
func (a *assembler) flush() {
	if a.pending == nil {
		return
	}
	a.done = append(a.done, *a.pending)
	a.pending = nil
}
