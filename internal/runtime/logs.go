package runtime

import (
	"context"
	"time"
)

// Following a container's output. The agent ships the output of containers whose
// log driver is awslogs into the CloudWatch Logs store; it reads it through a
// LogFollower, which a runtime implements when it can give the output line by line
// with the time each line was written.

// The streams of a container's output.
const (
	StreamStdout = "stdout"
	StreamStderr = "stderr"
)

// MaxLogLine is the longest line a LogReader returns in one entry: longer lines
// come as several entries, all but the last with Partial set (Docker's 16 KiB).
const MaxLogLine = 16 << 10

// LogFollower is implemented by runtimes that can follow a container's output.
//
// FollowLogs returns a reader of the output of the container that state
// describes (a State its Handle returned, or one that Found carried), starting
// right after the entry whose Cursor is after, or at the oldest output the runtime
// still holds when after is nil. It works for a running container, for one that
// exited and is not yet removed (Remover.Remove), and for one adopted after a
// server restart, so that no output written while no server watched is lost. It
// fails only when the state is not this runtime's; a container that is gone
// altogether yields a reader that ends at once (io.EOF).
//
// Following must never slow the container down: the runtime buffers the output
// (in files, in the engine), bounded as Spec.LogMaxBytes says, and a reader that
// falls behind by more than the bound loses the oldest output, which Gaps counts.
type LogFollower interface {
	FollowLogs(ctx context.Context, state State, after LogCursor) (LogReader, error)
}

// LogReader reads one container's output in order. It is used by one goroutine.
type LogReader interface {
	// Next waits until at least one entry is available and returns up to max of
	// them. Entries of one stream come in the order written; stdout and stderr
	// are merged by time. It returns ctx.Err() when ctx ends first, and io.EOF
	// once the container has exited and every entry has been returned (or the
	// container is gone). The Line and Cursor of an entry stay valid until the
	// next call.
	Next(ctx context.Context, max int) ([]LogEntry, error)
	// Gaps counts the times output was lost before it could be read: the
	// runtime's buffer had dropped it (rotated away) since after, or since the
	// reader last got to it.
	Gaps() int
	// Close releases the reader.
	Close() error
}

// LogEntry is one line (or part of a line) of a container's output.
type LogEntry struct {
	// Time is when the runtime received the line from the container.
	Time time.Time
	// Stream is StreamStdout or StreamStderr.
	Stream string
	// Line is the line without its newline.
	Line []byte
	// Partial is set when the line continues in the next entry of the same
	// stream: it was longer than MaxLogLine, or the container wrote no newline
	// yet when the runtime had to hand it on.
	Partial bool
	// Cursor is the position right after this entry: FollowLogs(state, Cursor)
	// returns exactly the entries after it, in a later server process too. It is
	// opaque, at most a few hundred bytes, and the runtime's own encoding
	// (versioned, so that a newer runtime can read an older cursor or reject it
	// with an error).
	Cursor LogCursor
}

// LogCursor is a position in a container's output (see LogEntry.Cursor).
type LogCursor []byte
