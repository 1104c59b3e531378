package process

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// boundedLog is an io.Writer onto a log file that never grows past max bytes: when the
// next write would not fit, the file is renamed to path.1 (replacing the previous one)
// and a new file is begun, so at most 2*max bytes stay on disk per stream.
//
// It never returns an error: it runs in the shim between the application's pipe and
// the disk, and a full disk must not back up into the application's writes. After a
// failure it discards output and logs the failure once.
type boundedLog struct {
	path string
	max  int64
	log  *slog.Logger
	f    *os.File
	size int64
	// idx records when each write happened (see logindex.go); nil after it failed.
	idx *logIndex
}

// openBoundedLog opens (appending to) the log file at path, creating its directory.
func openBoundedLog(path string, maxBytes int64, log *slog.Logger) (*boundedLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if maxBytes <= 0 {
		maxBytes = runtime.DefaultLogMaxBytes
	}
	l := &boundedLog{path: path, max: maxBytes, log: log}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *boundedLog) open() error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, fi.Size()
	if l.idx, err = openLogIndex(l.path); err != nil {
		l.log.Warn("container log index unavailable; lines will carry the time they are read", "path", l.path, "err", err)
	}
	return nil
}

// Write stores p, rotating as needed. Lines are kept whole where they can be: when p
// does not fit, the file is cut after the last newline that fits, or rotated before p
// when none does; only a line longer than the bound is cut mid-line.
func (l *boundedLog) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && l.f != nil {
		chunk := p
		if room := l.max - l.size; int64(len(p)) > room {
			i := bytes.LastIndexByte(p[:max(room, 0)], '\n')
			switch {
			case i >= 0:
				chunk = p[:i+1]
			case l.size > 0:
				l.rotate()
				continue
			default:
				chunk = p[:room]
			}
		}
		w, err := l.f.Write(chunk)
		l.size += int64(w)
		l.index()
		if err != nil {
			l.fail("write", err)
			break
		}
		p = p[len(chunk):]
		if len(p) > 0 {
			l.rotate() // the rest did not fit
		}
	}
	return n, nil
}

// index records the file's new end in the log index.
func (l *boundedLog) index() {
	if l.idx == nil {
		return
	}
	if err := l.idx.record(l.size, time.Now()); err != nil {
		l.log.Warn("container log index failed; lines will carry the time they are read", "path", l.path, "err", err)
		l.idx.close()
		l.idx = nil
	}
}

// rotate moves the current file and its index to path.1 and starts empty ones.
func (l *boundedLog) rotate() {
	if err := l.f.Close(); err != nil {
		l.log.Warn("closing log file for rotation", "path", l.path, "err", err)
	}
	l.f = nil
	l.closeIndex()
	// The index goes first: a reader that finds the rotated file finds its index.
	if err := os.Rename(indexPath(l.path), indexPath(rotatedPath(l.path))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		l.log.Warn("rotating the log index", "path", l.path, "err", err)
	}
	if err := os.Rename(l.path, rotatedPath(l.path)); err != nil {
		l.fail("rotate", err)
		return
	}
	if err := l.open(); err != nil {
		l.fail("reopen", err)
	}
}

// fail stops logging to the file after an error, keeping the application unblocked.
func (l *boundedLog) fail(op string, err error) {
	l.log.Error("container log file failed; discarding further output", "path", l.path, "op", op, "err", err)
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

func (l *boundedLog) closeIndex() {
	if l.idx != nil {
		l.idx.close()
		l.idx = nil
	}
}

// Close closes the file and its index.
func (l *boundedLog) Close() error {
	l.closeIndex()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("closing %s: %w", l.path, err)
	}
	return nil
}
