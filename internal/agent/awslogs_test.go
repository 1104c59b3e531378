package agent

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

func entry(stream, line string, partial bool, cursor string) runtime.LogEntry {
	return runtime.LogEntry{Time: time.UnixMilli(1000), Stream: stream, Line: []byte(line), Partial: partial, Cursor: runtime.LogCursor(cursor)}
}

func TestAssemblerJoinsPiecesAndCutsLongEvents(t *testing.T) {
	a := assembler{}
	a.add([]runtime.LogEntry{
		entry("stdout", "abc", true, "1"), entry("stdout", "def", false, "2"), entry("stderr", "err line", false, "3"),
		// A piece of a line that the other stream interrupts goes as it is.
		entry("stdout", "gh", true, "4"), entry("stderr", "other", false, "5"), entry("stdout", "ij", false, "6"),
	})
	var got []string
	for _, e := range a.done {
		got = append(got, string(e.msg)+"@"+string(e.cursor))
	}
	if strings.Join(got, " ") != "abcdef@2 err line@3 gh@4 other@5 ij@6" {
		t.Fatalf("done = %v", got)
	}
	a.reset()
	long := strings.Repeat("x", maxEventBytes+10)
	a.add([]runtime.LogEntry{entry("stdout", long, false, "4")})
	if len(a.done) != 2 || len(a.done[0].msg) != maxEventBytes || a.done[0].cursor != nil || len(a.done[1].msg) != 10 || string(a.done[1].cursor) != "4" {
		t.Fatalf("cut: %d events", len(a.done))
	}
}

func TestAssemblerMultilineKeepsThePendingEvent(t *testing.T) {
	a := assembler{startOfEvent: regexp.MustCompile(`^\d`)}
	a.add([]runtime.LogEntry{entry("stdout", "1 first", false, "1"), entry("stdout", " more", false, "2"), entry("stdout", "2 second", false, "3")})
	if len(a.done) != 1 || string(a.done[0].msg) != "1 first\n more" || string(a.done[0].cursor) != "2" || a.pending == nil {
		t.Fatalf("done = %+v, pending %+v", a.done, a.pending)
	}
	a.flush()
	if len(a.done) != 2 || string(a.done[1].msg) != "2 second" {
		t.Fatalf("after flush: %+v", a.done)
	}
}

func TestStrftimeRegexp(t *testing.T) {
	re := regexp.MustCompile("^" + strftimeRegexp("[%b %d, %Y %H:%M:%S]"))
	if !re.MatchString("[Jan 02, 2024 10:11:12] started") || re.MatchString("  at frame") {
		t.Fatalf("regexp %s", re)
	}
}
