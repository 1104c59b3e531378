package process

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// lockFD is the descriptor on which the shim inherits its container directory's lock.
//
// The directory lock tells whether a shim may be running for a container directory
// when its identity file does not say. It is a flock(2) on the directory, taken by
// Start before it writes the config and passed to the shim as lockFD. A flock
// belongs to the open file, not to a process, so it stays held while any process
// holds the descriptor: the server until Start returns, the child between fork and
// exec, the shim until it exits (the application does not inherit it). A server
// killed at any point therefore leaves it held exactly while a shim for the
// directory lives (or is about to), and the kernel releases it when the last holder
// dies.
const lockFD = 4

// errLocked means a shim, or the server starting one, holds the directory's lock.
var errLocked = errors.New("container directory is locked by its shim")

// lockDir opens the directory dir and takes its lock: waiting for it when wait is
// set, else failing with errLocked when it is held. Closing the file releases it
// (unless a shim shares it).
func lockDir(dir string, wait bool) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	how := unix.LOCK_EX
	if !wait {
		how |= unix.LOCK_NB
	}
	if err := flock(f, how); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return f, nil
}

func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			ferr = unix.Flock(int(fd), how)
			if !errors.Is(ferr, unix.EINTR) {
				return
			}
		}
	})
	return errors.Join(err, ferr)
}

// inheritLock reports whether the shim's descriptor lockFD is its container
// directory dir, as a server of this version passes it; it then keeps it (as a raw
// descriptor, which no finalizer closes) for the shim's life, with close-on-exec so
// that the application does not hold the lock past the shim. Any other descriptor
// there (from an older server, or inherited by the server) is not the lock.
func inheritLock(dir string) bool {
	var fdStat, dirStat unix.Stat_t
	if unix.Fstat(lockFD, &fdStat) != nil || unix.Stat(dir, &dirStat) != nil {
		return false
	}
	if fdStat.Dev != dirStat.Dev || fdStat.Ino != dirStat.Ino {
		return false
	}
	syscall.CloseOnExec(lockFD)
	return true
}
