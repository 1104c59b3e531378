//go:build !unix

package lb

import "net"

// fdIO is unix-only; elsewhere connections use net.Conn's Read and Write.
type fdIO struct{}

func newFdIO(net.Conn) *fdIO { return nil }

// Read is never called: newFdIO returns nil here.
func (f *fdIO) Read([]byte) (int, error) { return 0, nil }

// Write is never called: newFdIO returns nil here.
func (f *fdIO) Write([]byte) (int, error) { return 0, nil }

func (f *fdIO) exchange(*writer, *reader) (bool, error) { return false, nil }
