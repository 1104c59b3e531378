package testutil

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// portSpan is how many ports below the kernel's ephemeral range FreePort
// hands out.
const portSpan = 12000

// portTries bounds FreePort's search.
const portTries = 256

// FreePort returns a TCP port, free on every interface, that no other test
// of any package gets until this test ends.
//
// A port the kernel picks (port 0) and is closed again belongs to its
// ephemeral range, where every outgoing connection of the machine takes its
// source port: under parallel packages one of them, or another test's
// probe, takes it before the test binds it ("address already in use").
// FreePort hands out ports just below that range instead, and reserves each
// with a lock on a file under the temporary directory: the lock is shared by
// every test binary and is released by t.Cleanup or, if the binary dies,
// by the kernel.
func FreePort(t testing.TB) int {
	t.Helper()
	lo, hi := reservedRange()
	dir := filepath.Join(os.TempDir(), "slipway-test-ports")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	start := rand.IntN(hi - lo)
	for i := range portTries {
		port := lo + (start+i*7919)%(hi-lo) // a prime stride spreads parallel searches
		lock, ok := reservePort(dir, port)
		if !ok {
			continue
		}
		if !bindable(port) {
			lock.Close()
			continue
		}
		t.Cleanup(func() { lock.Close() })
		return port
	}
	t.Fatalf("no free test port in %d-%d after %d tries", lo, hi, portTries)
	return 0
}

// reservedRange is [lo, hi): the portSpan ports below the ephemeral range
// (/proc/sys/net/ipv4/ip_local_port_range), or above it when it starts too low.
func reservedRange() (int, int) {
	eLo, eHi := 32768, 60999
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			l, err1 := strconv.Atoi(f[0])
			h, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil && l <= h {
				eLo, eHi = l, h
			}
		}
	}
	if eLo-portSpan >= 1024 {
		return eLo - portSpan, eLo
	}
	return eHi + 1, min(eHi+1+portSpan, 65536)
}

// reservePort takes the lock of port without waiting; the open file holds it.
func reservePort(dir string, port int) (*os.File, bool) {
	f, err := os.OpenFile(filepath.Join(dir, fmt.Sprint(port)), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return f, true
}

// bindable reports whether port can be listened on, on all interfaces.
func bindable(port int) bool {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
