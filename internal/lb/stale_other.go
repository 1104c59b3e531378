//go:build !unix

package lb

import "net"

// connAlive cannot peek without blocking here; the retry rule covers stale connections.
func connAlive(net.Conn) bool { return true }
