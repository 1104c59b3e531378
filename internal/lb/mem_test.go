package lb

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestIdleConnectionMemory opens many keep-alive client connections, serves one request
// on each, leaves them idle and measures heap plus stack growth per connection. The
// figure includes the test's own client-side net.Conn (a few hundred bytes).
func TestIdleConnectionMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens thousands of sockets")
	}
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("LB_IDLE_CONNS")); err == nil {
		n = v
	}
	bport := startRawBackend(t)
	d := newDP(t, Options{})
	port := freePort(t)
	tg := TargetGroup{ARN: "tg", Protocol: "HTTP", Targets: []Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: bport}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg}})

	// Warm the pools so steady-state buffers are not counted as per-connection cost.
	warm, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	req := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	roundTrip := func(c net.Conn, br *bufio.Reader) {
		c.Write(req)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	roundTrip(warm, bufio.NewReader(warm))
	before := memInUse()

	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	br := bufio.NewReaderSize(nil, 4096)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns = append(conns, c)
		br.Reset(c)
		roundTrip(c, br)
	}
	eventually(t, 10*time.Second, "connections idle", func() bool { return d.Stats().ActiveConnections >= int64(n) })
	after := memInUse()
	per := float64(after-before) / float64(n)
	t.Logf("%d idle keep-alive connections: %.0f bytes each (heap+stack, incl. client side)", n, per)
	if per > 8<<10 && !raceEnabled {
		t.Fatalf("idle connection costs %.0f bytes, budget 8 KiB", per)
	}
}

func memInUse() uint64 {
	var ms runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}
