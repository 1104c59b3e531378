//go:build unix

package certfile

import "syscall"

// openFlags keep opening a certificate file from blocking (a FIFO) or
// acquiring a controlling terminal (a tty).
const openFlags = syscall.O_NONBLOCK | syscall.O_NOCTTY
