package lbsync

import (
	"context"
	"testing"
)

// TestResyncFeedsAPlaneThatLostItsRouting: a data plane that restarted
// (version 0) gets the routing again on Resync, though the store did not
// change.
func TestResyncFeedsAPlaneThatLostItsRouting(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	tg := f.targetGroup("web", 8080)
	f.listener(8000, forward(map[string]int{tg.ARN: 1}))
	plane := newFakePlane()
	s := New(st, []DataPlane{plane}, quietLogger())
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	eventually(t, "first routing applied", func() bool { return len(plane.ports()) == 1 })
	plane.mu.Lock()
	plane.version, plane.applied = 0, nil // the plane's process restarted
	plane.mu.Unlock()
	s.Resync()
	eventually(t, "routing applied again", func() bool { return len(plane.ports()) == 1 && plane.AppliedVersion() > 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
