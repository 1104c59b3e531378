package lbtarget

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestEventQueueDeliversInOrderAndFlushes(t *testing.T) {
	var got []int
	q := NewEventQueue(func(n int) { got = append(got, n) }, byTens)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { q.Run(stop); close(done) }()
	for i := range 100 {
		q.Push(i)
	}
	q.Flush(stop)
	if len(got) != 100 || got[0] != 0 || got[99] != 99 {
		t.Fatalf("delivered %d events, last %v", len(got), got[len(got)-1:])
	}
	close(stop)
	<-done
	NewEventQueue[int](nil, byTens).Flush(nil) // nothing to deliver to: returns at once
}

// byTens keys an int by its last digit and keeps the later one.
var byTens = Coalescing[int]{Key: func(n int) any { return n % 10 }, Merge: func(_, later int) int { return later }}

// TestEventQueueCoalescesWhileStalled: with the consumer stalled, a queue
// holds at most maxQueued events plus one per key, the merged events keep
// the place of their key's first and carry its last, and a Flush pushed
// before the stall is still released in order.
func TestEventQueueCoalescesWhileStalled(t *testing.T) {
	var got []int
	q := NewEventQueue(func(n int) { got = append(got, n) }, byTens)
	stop := make(chan struct{})
	flushed := make(chan struct{})
	q.Push(-1) // key -1, alone
	go func() { q.Flush(stop); close(flushed) }()
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		q.mu.Lock()
		defer q.mu.Unlock()
		return len(q.q) == 2, "the flush marker is not queued"
	})
	const n = 100_000
	for i := range n {
		q.Push(i)
		if q.mu.Lock(); len(q.q) > maxQueued+1 {
			t.Fatalf("%d events queued after %d pushes", len(q.q), i+1)
		}
		q.mu.Unlock()
	}
	done := make(chan struct{})
	go func() { q.Run(stop); close(done) }()
	defer func() { close(stop); <-done }()
	q.Flush(stop)
	// The earlier Flush is released before this one returns, but its
	// goroutine may not have run on to close(flushed) yet.
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		select {
		case <-flushed:
			return true, ""
		default:
			return false, "the earlier Flush was not released"
		}
	})
	if got[0] != -1 {
		t.Fatalf("first delivered %d, want -1", got[0])
	}
	last := map[int]int{}
	for _, v := range got[1:] {
		last[v%10] = v
	}
	for k := range 10 {
		if want := n - 10 + k; last[k] != want {
			t.Errorf("key %d: last delivered %d, want %d", k, last[k], want)
		}
	}
	if len(got) > maxQueued+2 {
		t.Errorf("%d events delivered, want at most %d", len(got), maxQueued+2)
	}
}

func TestDrainRunAndAwait(t *testing.T) {
	var inFlight atomic.Int64
	inFlight.Store(1)
	d := NewDrain()
	out := make(chan Outcome, 1)
	go func() { out <- d.Run(inFlight.Load, time.Minute, nil) }()
	inFlight.Store(0)
	d.Poke()
	if o := <-out; o != Drained {
		t.Fatalf("outcome %d, want Drained", o)
	}
	d.Finish()
	if err := d.Await(t.Context(), nil); err != nil {
		t.Fatal(err)
	}

	inFlight.Store(1)
	if o := NewDrain().Run(inFlight.Load, 10*time.Millisecond, nil); o != Expired {
		t.Fatalf("outcome %d, want Expired", o)
	}
	c := NewDrain()
	c.Cancel()
	if o := c.Run(inFlight.Load, time.Minute, nil); o != Canceled || !errors.Is(c.Await(t.Context(), nil), ErrCanceled) {
		t.Fatalf("canceled drain: %d", o)
	}
	stop := make(chan struct{})
	close(stop)
	s := NewDrain()
	if o := s.Run(inFlight.Load, time.Minute, stop); o != Stopped || !errors.Is(s.Await(t.Context(), stop), ErrStopped) {
		t.Fatalf("stopped drain: %d", o)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := NewDrain().Await(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Await with an ended context: %v", err)
	}
}

// A refused first check is retried quickly while the target is initial; the
// quick checks are not regular ones.
func TestScheduleQuickRetriesWhileInitial(t *testing.T) {
	var calls, regulars atomic.Int32
	var initial atomic.Bool
	initial.Store(true)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		Schedule(time.Hour, stop, nil, initial.Load, func(regular bool) bool {
			calls.Add(1)
			if regular {
				regulars.Add(1)
			}
			return true // nothing listens
		})
		close(done)
	}()
	testutil.Eventually(t, 5*time.Second, func() (bool, string) { return calls.Load() >= 3, "three quick checks" })
	initial.Store(false) // healthy or unhealthy: back to the regular schedule only
	close(stop)
	<-done
	if regulars.Load() != 1 {
		t.Fatalf("%d regular checks within the first hour, want 1", regulars.Load())
	}
}

func TestParseMatcher(t *testing.T) {
	m, err := ParseMatcher("200,202, 300-399", 200)
	if err != nil || !m.Match(202) || !m.Match(350) || m.Match(201) || m.Match(400) {
		t.Fatalf("%v %v", m, err)
	}
	for _, bad := range []string{"199", "200-", "x", "300-200", "600"} {
		if _, err := ParseMatcher(bad, 200); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if m, err := ParseMatcher("", 200); err != nil || len(m) != 0 {
		t.Fatalf("empty: %v %v", m, err)
	}
}

func TestCheckTargets(t *testing.T) {
	type tgt struct {
		id   string
		port int
	}
	idPort := func(x tgt) (string, int) { return x.id, x.port }
	if err := CheckTargets(80, []tgt{{"a", 0}, {"a", 81}, {"b", 0}}, idPort); err != nil {
		t.Fatal(err)
	}
	for name, ts := range map[string][]tgt{
		"twice":   {{"a", 0}, {"a", 80}},
		"no id":   {{"", 80}},
		"no port": {{"a", 70000}},
	} {
		if err := CheckTargets(80, ts, idPort); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
