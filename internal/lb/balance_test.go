package lb

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countBackends sends n GETs with `workers` concurrent clients and counts X-Backend.
func countBackends(t *testing.T, port, n, workers int, hdr ...string) map[string]int {
	t.Helper()
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	var next atomic.Int64
	c := client()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				req, _ := http.NewRequest("GET", lbURL(port, "/"), nil)
				for i := 0; i+1 < len(hdr); i += 2 {
					req.Header.Set(hdr[i], hdr[i+1])
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				counts[resp.Header.Get("X-Backend")]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return counts
}

func TestWeightedForward(t *testing.T) {
	a := startBackend(t, "a", nil)
	b := startBackend(t, "b", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	act := []Action{{Type: "forward", Forward: []WeightedTargetGroup{{ARN: "blue", Weight: 80}, {ARN: "green", Weight: 20}}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, act)},
		TargetGroups: []TargetGroup{tgroup("blue", false, a), tgroup("green", false, b)}})
	const n = 10000
	counts := countBackends(t, port, n, 8)
	share := float64(counts["a"]) * 100 / n
	if share < 78 || share > 82 {
		t.Fatalf("blue share %.1f%% (counts %v), want 80±2", share, counts)
	}
	// Weight 0 sends nothing.
	act[0].Forward[1].Weight = 0
	apply(t, d, Config{Version: 2, Listeners: []Listener{httpListener(port, act)},
		TargetGroups: []TargetGroup{tgroup("blue", false, a), tgroup("green", false, b)}})
	if counts := countBackends(t, port, 200, 4); counts["b"] != 0 {
		t.Fatalf("weight 0 group got traffic: %v", counts)
	}
}

func TestRoundRobinIsEven(t *testing.T) {
	a := startBackend(t, "a", nil)
	b := startBackend(t, "b", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, a, b)}})
	counts := countBackends(t, port, 200, 1)
	if counts["a"] != 100 || counts["b"] != 100 {
		t.Fatalf("round robin: %v", counts)
	}
}

func TestLeastOutstandingRequests(t *testing.T) {
	a, release, started := slowBackend(t, "a")
	defer close(release)
	b := startBackend(t, "b", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	tg := tgroup("tg", false, a)
	tg.Algorithm = AlgorithmLOR
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg}})
	for i := 0; i < 3; i++ {
		go func() {
			if resp, err := client().Get(lbURL(port, "/slow")); err == nil {
				resp.Body.Close()
			}
		}()
		<-started
	}
	tg.Targets = append(tg.Targets, b.target())
	apply(t, d, Config{Version: 2, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg}})
	if counts := countBackends(t, port, 20, 1); counts["b"] != 20 {
		t.Fatalf("LOR should avoid the busy target: %v", counts)
	}
}

func TestTargetStickinessLBCookie(t *testing.T) {
	a := startBackend(t, "a", nil)
	b := startBackend(t, "b", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	tg := tgroup("tg", false, a, b)
	tg.Stickiness = Stickiness{Enabled: true, Type: "lb_cookie", Duration: time.Hour}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg}})
	c := client()
	resp, _ := get(t, c, lbURL(port, "/"))
	first := resp.Header.Get("X-Backend")
	var cookie string
	for _, sc := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, "AWSALB=") {
			cookie = strings.SplitN(sc, ";", 2)[0]
			if !strings.Contains(sc, "Expires=") || !strings.Contains(sc, "Path=/") {
				t.Errorf("cookie attributes: %q", sc)
			}
		}
	}
	if cookie == "" {
		t.Fatalf("no AWSALB cookie: %v", resp.Header.Values("Set-Cookie"))
	}
	counts := countBackends(t, port, 30, 2, "Cookie", "x=1; "+cookie)
	if counts[first] != 30 {
		t.Fatalf("sticky requests spread: %v (first %s)", counts, first)
	}
}

func TestGroupStickiness(t *testing.T) {
	a := startBackend(t, "a", nil)
	b := startBackend(t, "b", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	act := []Action{{Type: "forward", Forward: []WeightedTargetGroup{{ARN: "blue", Weight: 50}, {ARN: "green", Weight: 50}},
		Stickiness: GroupStickiness{Enabled: true, Duration: time.Hour}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, act)},
		TargetGroups: []TargetGroup{tgroup("blue", false, a), tgroup("green", false, b)}})
	for _, want := range []string{"a", "b"} {
		var cookie string
		for i := 0; i < 50 && cookie == ""; i++ {
			resp, _ := get(t, client(), lbURL(port, "/"))
			if resp.Header.Get("X-Backend") != want {
				continue
			}
			for _, sc := range resp.Header.Values("Set-Cookie") {
				if strings.HasPrefix(sc, "AWSALBTG=") {
					cookie = strings.SplitN(sc, ";", 2)[0]
				}
			}
		}
		if cookie == "" {
			t.Fatalf("no AWSALBTG cookie for %s", want)
		}
		if counts := countBackends(t, port, 40, 2, "Cookie", cookie); counts[want] != 40 {
			t.Fatalf("group stickiness to %s: %v", want, counts)
		}
	}
}

func TestSlowStartRamps(t *testing.T) {
	a := startBackend(t, "a", nil)
	b := startBackend(t, "b", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	tg := tgroup("tg", true, a)
	tg.SlowStart = 2 * time.Second
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg}})
	eventually(t, 3*time.Second, "a healthy", func() bool { return healthOf(d, "tg", a.port).State == StateHealthy })
	tg.Targets = append(tg.Targets, b.target())
	apply(t, d, Config{Version: 2, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg}})
	eventually(t, 3*time.Second, "b healthy", func() bool { return healthOf(d, "tg", b.port).State == StateHealthy })
	early := countBackends(t, port, 200, 2)
	if early["b"] > 50 {
		t.Fatalf("slow start: new target got %d of 200 right away", early["b"])
	}
	time.Sleep(2 * time.Second) // let the ramp finish: the behaviour under test is time-based
	late := countBackends(t, port, 200, 1)
	if late["b"] < 80 {
		t.Fatalf("after slow start: %v", late)
	}
}

// killableBackend is a raw keep-alive server that can be killed hard (listener closed,
// connections reset).
type killableBackend struct {
	ln    net.Listener
	mu    sync.Mutex
	conns map[net.Conn]bool
	port  int
}

func startKillable(t *testing.T) *killableBackend {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	kb := &killableBackend{ln: ln, conns: map[net.Conn]bool{}, port: ln.Addr().(*net.TCPAddr).Port}
	t.Cleanup(kb.kill)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			kb.mu.Lock()
			kb.conns[c] = true
			kb.mu.Unlock()
			go kb.serve(c)
		}
	}()
	return kb
}

func (kb *killableBackend) serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 8192)
	n := 0
	for {
		m, err := c.Read(buf[n:])
		if m == 0 || err != nil {
			return
		}
		n += m
		for {
			i := bytes.Index(buf[:n], []byte("\r\n\r\n"))
			if i < 0 {
				break
			}
			n = copy(buf, buf[i+4:n])
			time.Sleep(200 * time.Microsecond) // keep requests in flight when the kill lands
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
		}
	}
}

func (kb *killableBackend) kill() {
	kb.ln.Close()
	kb.mu.Lock()
	defer kb.mu.Unlock()
	for c := range kb.conns {
		c.(*net.TCPConn).SetLinger(0) // RST, like a crashed process
		c.Close()
	}
}

func TestTargetKilledUnderLoadNoClientErrors(t *testing.T) {
	k1 := startKillable(t)
	k2 := startKillable(t)
	d := newDP(t, Options{})
	port := freePort(t)
	tg := TargetGroup{ARN: "tg", Protocol: "HTTP", Targets: []Target{
		{ID: "127.0.0.1", Host: "127.0.0.1", Port: k1.port}, {ID: "127.0.0.1", Host: "127.0.0.1", Port: k2.port}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg}})
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	c := client()
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				resp, err := c.Get(lbURL(port, "/"))
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
				if ok.Load() == 500 {
					k1.kill()
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d client errors (ok %d)", failed.Load(), ok.Load())
	}
	if st := d.Stats().TargetGroups["tg"]; st.Total.TargetConnectionErrors == 0 {
		t.Errorf("expected target connection errors to be counted: %+v", st.Total)
	}
}
