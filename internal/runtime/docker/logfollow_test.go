package docker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// follow reads entries until EOF.
func follow(t *testing.T, rt runtime.LogFollower, state runtime.State, after runtime.LogCursor) []runtime.LogEntry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rd, err := rt.FollowLogs(ctx, state, after)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var all []runtime.LogEntry
	for {
		batch, err := rd.Next(ctx, 100)
		all = append(all, batch...)
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestFollowLogsFromTheEngineResumesAtACursor(t *testing.T) {
	e := newEnv(t)
	h := e.start(e.spec("chatty", "lines", "300"))
	entries := follow(t, e.rt, h.State(), nil) // from the start, while it runs, to its end
	if len(entries) != 300 {
		t.Fatalf("%d entries, want 300", len(entries))
	}
	for i, en := range entries {
		if want := fmt.Sprintf("line %d", i+1); string(en.Line) != want || en.Stream != runtime.StreamStdout || en.Partial || en.Time.IsZero() {
			t.Fatalf("entry %d: %+v, want %q", i, en, want)
		}
	}
	rest := follow(t, e.rt, h.State(), entries[199].Cursor)
	if len(rest) != 100 || string(rest[0].Line) != "line 201" {
		t.Errorf("after the 200th entry: %d entries starting %q, want 100 from line 201", len(rest), rest[0].Line)
	}
	if none := follow(t, e.rt, h.State(), entries[299].Cursor); len(none) != 0 {
		t.Errorf("after the last entry: %d entries", len(none))
	}

	both := e.start(e.spec("both", "print", "hello"))
	waitExit(t, both, 30*time.Second)
	got := follow(t, e.rt, both.State(), nil)
	if len(got) != 2 || string(got[0].Line) != "hello" || string(got[1].Line) != "hello" || got[0].Stream == got[1].Stream {
		t.Errorf("stdout and stderr: %+v", got)
	}
	if err := e.rt.Remove(both.State()); err != nil {
		t.Fatal(err)
	}
	if gone := follow(t, e.rt, both.State(), nil); len(gone) != 0 {
		t.Errorf("a removed container's output: %+v", gone)
	}
}
