package stack

import (
	"context"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestAwaitStackWithdraws: a wait is woken by the stack's status change
// and leaves no registration behind, whether it waited or not.
func TestAwaitStackWithdraws(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := New(Options{Store: db, Region: "eu-central-1", Account: "123456789012"})
	s := &Stack{ID: "arn:aws:cloudformation:eu-central-1:123456789012:stack/s/1", Name: "s", Status: StatusCreateInProgress}
	put := func() {
		if err := e.update(ctx, func(t tx) error { return t.putStack(s) }); err != nil {
			t.Fatal(err)
		}
	}
	put()
	got := make(chan string, 1)
	go func() {
		r, err := e.awaitStack(ctx, s.ID, atRest)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- r.Status
	}()
	// Let the wait register, then complete the stack and signal it.
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return len(e.watch[s.ID]) == 1, "the wait did not register"
	})
	s.Status = StatusCreateComplete
	put()
	e.changed(s.ID)
	select {
	case st := <-got:
		if st != StatusCreateComplete {
			t.Errorf("awaited %s", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait was not woken")
	}
	if _, err := e.awaitStack(ctx, s.ID, atRest); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.watch) != 0 {
		t.Errorf("registrations left: %v", e.watch)
	}
}
