//go:build !linux

package l4

import (
	"net"
	"sync"
)

// Elsewhere than Linux every direction copies through io-based pipe().

type pipePool struct{}

func newPipePool() *pipePool { return &pipePool{} }
func (*pipePool) drain()     {}

type rawDirection struct{}

func newRawDirection(net.Conn, net.Conn, *sync.Pool, *pipePool) *rawDirection { return nil }
func (*rawDirection) step() (int64, error)                                    { return 0, nil }
func (*rawDirection) release()                                                {}
func (*pipePool) pooled() int                                                 { return 0 }
