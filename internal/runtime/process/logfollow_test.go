package process_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// readUntilEOF reads entries until io.EOF (failing after 20 s).
func readUntilEOF(t *testing.T, r runtime.LogReader) []runtime.LogEntry {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var out []runtime.LogEntry
	for {
		es, err := r.Next(ctx, 500)
		for _, e := range es {
			e.Line = append([]byte(nil), e.Line...)
			out = append(out, e)
		}
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("Next after %d entries: %v", len(out), err)
		}
	}
}

func floodSpec(t *testing.T, lines int, maxBytes int64) runtime.Spec {
	spec := appSpec("flood", t.TempDir())
	spec.Env = append(spec.Env, fmt.Sprintf("FLOOD_LINES=%d", lines))
	spec.LogMaxBytes = maxBytes
	return spec
}

func TestFollowLogsReadsEveryLineInOrderWithTimes(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	begin := time.Now()
	h := start(t, rt, floodSpec(t, 3000, 1<<20))
	r, err := rt.FollowLogs(t.Context(), h.State(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := readUntilEOF(t, r)
	var out []string
	sawStderr := false
	for _, e := range got {
		if e.Time.Before(begin.Add(-time.Second)) || e.Time.After(time.Now()) {
			t.Fatalf("entry %q has time %v, not within the run", e.Line, e.Time)
		}
		switch e.Stream {
		case runtime.StreamStdout:
			out = append(out, string(e.Line))
		case runtime.StreamStderr:
			sawStderr = sawStderr || string(e.Line) == "to stderr"
		}
	}
	if len(out) != 3001 || out[3000] != "last line" || !sawStderr || r.Gaps() != 0 {
		t.Fatalf("read %d stdout lines (last %q), stderr seen %v, gaps %d", len(out), out[len(out)-1], sawStderr, r.Gaps())
	}
	for i := range 3000 {
		if !strings.HasPrefix(out[i], fmt.Sprintf("%05d", i)) {
			t.Fatalf("line %d = %q", i, out[i])
		}
	}
}

// TestFollowLogsResumesAfterCursor reads part of the output, then a new reader
// from an entry's cursor returns exactly the entries after it: nothing lost,
// nothing repeated, across a rotation too.
func TestFollowLogsResumesAfterCursor(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	h := start(t, rt, floodSpec(t, 1000, 60<<10)) // about 100 KB: one rotation
	waitExit(t, h)
	r, err := rt.FollowLogs(t.Context(), h.State(), nil)
	if err != nil {
		t.Fatal(err)
	}
	all := readUntilEOF(t, r)
	r.Close()
	if len(all) < 500 {
		t.Fatalf("only %d entries", len(all))
	}
	for _, k := range []int{0, 123, len(all) / 2, len(all) - 2} {
		r2, err := rt.FollowLogs(t.Context(), h.State(), all[k].Cursor)
		if err != nil {
			t.Fatal(err)
		}
		rest := readUntilEOF(t, r2)
		r2.Close()
		if len(rest) != len(all)-k-1 {
			t.Fatalf("after entry %d: %d entries, want %d", k, len(rest), len(all)-k-1)
		}
		for i, e := range rest {
			if want := all[k+1+i]; string(e.Line) != string(want.Line) || e.Stream != want.Stream {
				t.Fatalf("after entry %d, entry %d = %q, want %q", k, i, e.Line, want.Line)
			}
		}
	}
}

// TestFollowLogsFollowsRotationsLive follows a running container whose files
// rotate every few lines: every tick arrives once, in order, then "bye" and EOF
// after the stop.
func TestFollowLogsFollowsRotationsLive(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	spec := appSpec("serve", t.TempDir())
	spec.LogMaxBytes = 200
	h := start(t, rt, spec)
	r, err := rt.FollowLogs(t.Context(), h.State(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var lines []string
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for len(lines) < 60 {
		es, err := r.Next(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			lines = append(lines, string(e.Line))
		}
	}
	if err := h.Stop(t.Context(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, e := range readUntilEOF(t, r) {
		lines = append(lines, string(e.Line))
	}
	if lines[len(lines)-1] != "bye" {
		t.Fatalf("last line %q, want bye", lines[len(lines)-1])
	}
	for i, l := range lines[:len(lines)-1] {
		if l != fmt.Sprintf("tick %d", i) {
			t.Fatalf("line %d = %q (gaps %d)", i, l, r.Gaps())
		}
	}
}

// TestFollowLogsCountsOutputRotatedAway resumes from a cursor whose file was
// rotated away meanwhile: the reader says so (Gaps) and goes on from the oldest
// output still there.
func TestFollowLogsCountsOutputRotatedAway(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	spec := appSpec("serve", t.TempDir())
	spec.LogMaxBytes = 100
	h := start(t, rt, spec)
	r, err := rt.FollowLogs(t.Context(), h.State(), nil)
	if err != nil {
		t.Fatal(err)
	}
	first, err := r.Next(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	eventually(t, "several rotations", logContains(t, h, "tick 40"))
	r2, err := rt.FollowLogs(t.Context(), h.State(), first[0].Cursor)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	next, err := r2.Next(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Gaps() != 1 || string(next[0].Line) == "tick 1" {
		t.Fatalf("after a rotated-away cursor: gaps %d, first line %q", r2.Gaps(), next[0].Line)
	}
}

func TestFollowLogsRefusesOtherCursors(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	h := start(t, rt, floodSpec(t, 1, 0))
	if _, err := rt.FollowLogs(t.Context(), h.State(), runtime.LogCursor("not ours")); !errors.Is(err, runtime.ErrInvalidState) {
		t.Fatalf("FollowLogs with a foreign cursor: %v", err)
	}
}
