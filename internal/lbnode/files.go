package lbnode

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// errLocked means another data plane process holds the directory's lock.
var errLocked = errors.New("another load-balancer data plane holds the lock")

// lockDir takes an exclusive flock on path, waiting up to wait for a holder
// that is exiting. The lock belongs to the open file, which stays open (and
// locked) for the process's life.
func lockDir(path string, wait time.Duration) error {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return nil // fd stays open, unowned by any *os.File whose finalizer could close it
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			unix.Close(fd)
			return fmt.Errorf("locking %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			unix.Close(fd)
			return fmt.Errorf("%w: %s", errLocked, path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// socketFile is the bound control socket, identified by device and inode so
// that the process can tell when its path names something else.
type socketFile struct {
	path     string
	dev, ino uint64
}

func statSocket(path string) (*socketFile, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nil, err
	}
	return &socketFile{path: path, dev: st.Dev, ino: st.Ino}, nil
}

func (s *socketFile) stillOurs() bool {
	var st unix.Stat_t
	return unix.Stat(s.path, &st) == nil && st.Dev == s.dev && st.Ino == s.ino
}

// remove deletes the socket file if it is still this process's.
func (s *socketFile) remove() {
	if s.stillOurs() {
		os.Remove(s.path)
	}
}

// report sends the start report and closes the pipe; a supervisor that died
// meanwhile makes the write fail, which changes nothing.
func report(ready io.WriteCloser, msg readyMsg) {
	if ready == nil {
		return
	}
	_ = json.NewEncoder(ready).Encode(msg)
	ready.Close()
}

// closeInheritedFDs closes the descriptors above 2 the process inherited
// without close-on-exec, except keep: a pipe from whoever started the
// server (a test runner reading its output, say), held by a long-lived data
// plane, would never see EOF.
func closeInheritedFDs(keep ...int) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 || slices.Contains(keep, fd) {
			continue
		}
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			unix.Close(fd)
		}
	}
}
