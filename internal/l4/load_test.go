package l4

import (
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestDrainUnderLoadFailsNoConnection: clients connect and echo without pause
// while a target is replaced (the new one registered, the old one deregistered,
// drained and stopped): not one connection fails, and both targets served some.
func TestDrainUnderLoadFailsNoConnection(t *testing.T) {
	d := newDP(t, Options{})
	a, b := startEcho(t, "a", false), startEcho(t, "b", false)
	port := freePort(t)
	ls := []Listener{listener(port, ProtocolTCP, "tg")}
	tg := tcpGroup("tg", a)
	tg.DeregistrationDelay = 5 * time.Second
	apply(t, d, Config{Version: 1, Listeners: ls, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "tg", 1)

	var ok, failed atomic.Int64
	var lastErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg, buf := []byte("ping"), make([]byte, 4)
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := echoOnce(addr, msg, buf)
				if err != nil {
					failed.Add(1)
					lastErr.Store(err.Error())
					continue
				}
				ok.Add(1)
			}
		}()
	}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) { return ok.Load() > 200, "load not flowing" })
	// Register b, wait for it, then deregister a: the rolling replacement.
	tg2 := tcpGroup("tg", a, b)
	tg2.DeregistrationDelay = tg.DeregistrationDelay
	apply(t, d, Config{Version: 2, Listeners: ls, TargetGroups: []TargetGroup{tg2}})
	waitHealthy(t, d, "tg", 2)
	tg3 := tcpGroup("tg", b)
	tg3.DeregistrationDelay = tg.DeregistrationDelay
	apply(t, d, Config{Version: 3, Listeners: ls, TargetGroups: []TargetGroup{tg3}})
	if err := d.WaitDrained(t.Context(), "tg", "127.0.0.1", a.port()); err != nil {
		t.Fatal(err)
	}
	a.close() // the drained task stops: a connection still sent there would fail
	before := b.accepted.Load()
	testutil.Eventually(t, 10*time.Second, func() (bool, string) { return b.accepted.Load() > before+200, "b not serving" })
	close(stop)
	wg.Wait()
	if n := failed.Load(); n != 0 {
		t.Fatalf("%d of %d connections failed during the replacement; last: %v", n, n+ok.Load(), lastErr.Load())
	}
	if a.accepted.Load() == 0 || b.accepted.Load() == 0 {
		t.Fatalf("a served %d, b %d", a.accepted.Load(), b.accepted.Load())
	}
}

// echoOnce connects, reads the target's name line, echoes msg and closes.
func echoOnce(addr string, msg, buf []byte) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	name := make([]byte, 2) // "a\n" or "b\n"
	if _, err := io.ReadFull(c, name); err != nil {
		return err
	}
	if _, err := c.Write(msg); err != nil {
		return err
	}
	_, err = io.ReadFull(c, buf)
	return err
}
