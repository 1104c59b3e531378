//go:build !linux

package l4

import (
	"net"
	"sync"
	"syscall"
)

// Elsewhere than Linux every direction copies through io-based pipe().

type pipePool struct{}

func newPipePool() *pipePool  { return &pipePool{} }
func (*pipePool) drain()      {}
func (*pipePool) pooled() int { return 0 }

type rawDirection struct{ stepFn func() (int64, error) }

func rawConns(net.Conn, net.Conn) (syscall.RawConn, syscall.RawConn, bool) { return nil, nil, false }
func (*rawDirection) bind(*sync.Pool, *pipePool)                           {}
func (*rawDirection) start(syscall.RawConn, syscall.RawConn)               {}
func (*rawDirection) release()                                             {}
