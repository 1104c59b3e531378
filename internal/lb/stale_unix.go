//go:build unix

package lb

import (
	"net"
	"syscall"
)

// connAlive peeks at an idle pooled connection without blocking: EOF or unexpected
// bytes mean the target closed it (or broke the protocol), so it must not be reused.
func connAlive(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := true
	err = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK:
		case err != nil || n == 0 || n > 0:
			alive = false
		}
		return true
	})
	return err == nil && alive
}
