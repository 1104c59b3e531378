package process

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

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

// rotate moves the current file to path.1 and starts an empty one.
func (l *boundedLog) rotate() {
	if err := l.f.Close(); err != nil {
		l.log.Warn("closing log file for rotation", "path", l.path, "err", err)
	}
	l.f = nil
	if err := os.Rename(l.path, l.path+".1"); err != nil {
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

// Close closes the file.
func (l *boundedLog) Close() error {
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
