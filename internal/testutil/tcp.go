package testutil

import (
	"net"
	"testing"
)

// ServeTCP listens on a loopback TCP port until the test ends and hands each
// connection to handle in a goroutine of its own; it returns the port.
func ServeTCP(t testing.TB, handle func(*net.TCPConn)) int {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.AcceptTCP()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}
