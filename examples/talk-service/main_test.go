package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// env returns a getenv over the given settings.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// testService builds a service from settings; crashes are recorded, not performed.
func testService(t *testing.T, kv ...string) (*service, *atomic.Int64) {
	t.Helper()
	cfg, err := loadConfig(env(kv...))
	if err != nil {
		t.Fatal(err)
	}
	var crashed atomic.Int64
	svc := newService(cfg, "host-1", slog.New(slog.DiscardHandler), func(code int) { crashed.Store(int64(code)) })
	return svc, &crashed
}

func get(t *testing.T, h http.Handler, path string) (int, map[string]string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	var body map[string]string
	if rec.Code != http.StatusNotFound {
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("GET %s: body %q: %v", path, rec.Body, err)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
	}
	return rec.Code, body
}

func TestTalkDefaultsAndSettings(t *testing.T) {
	svc, _ := testService(t)
	code, body := get(t, svc.handler(), "/talk")
	want := map[string]string{"message": defaultMessage, "version": "v1", "hostname": "host-1", "taskArn": ""}
	if code != 200 || len(body) != 4 {
		t.Fatalf("GET /talk = %d %v", code, body)
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s = %q, want %q", k, body[k], v)
		}
	}
	svc, _ = testService(t, "TALK_VERSION", "v2", "TALK_MESSAGE", "hi there")
	if _, body := get(t, svc.handler(), "/talk"); body["version"] != "v2" || body["message"] != "hi there" {
		t.Errorf("with settings: %v", body)
	}
	if code, _ := get(t, svc.handler(), "/nope"); code != 404 {
		t.Errorf("GET /nope = %d", code)
	}
}

func TestHealth(t *testing.T) {
	svc, _ := testService(t)
	if code, body := get(t, svc.handler(), "/health"); code != 200 || body["status"] != "UP" {
		t.Errorf("healthy: %d %v", code, body)
	}
	svc, _ = testService(t, "TALK_FAIL_HEALTH", "true")
	if code, body := get(t, svc.handler(), "/health"); code != 500 || body["status"] != "DOWN" {
		t.Errorf("TALK_FAIL_HEALTH=true: %d %v", code, body)
	}
	svc, _ = testService(t, "TALK_FAIL_HEALTH", "10s")
	now := svc.startedAt.Add(9 * time.Second)
	svc.now = func() time.Time { return now }
	if code, _ := get(t, svc.handler(), "/health"); code != 200 {
		t.Errorf("9s into 10s of health: %d", code)
	}
	now = now.Add(time.Second)
	if code, _ := get(t, svc.handler(), "/health"); code != 500 {
		t.Errorf("after 10s: %d", code)
	}
}

func TestErrorRate(t *testing.T) {
	for _, tc := range []struct {
		rate string
		want int
	}{{"0", 0}, {"0.1", 10}, {"0.25", 25}, {"1", 100}} {
		svc, _ := testService(t, "TALK_ERROR_RATE", tc.rate)
		failed := 0
		for range 100 {
			if code, body := get(t, svc.handler(), "/talk"); code == 500 {
				failed++
				if body["version"] != "v1" {
					t.Errorf("error body %v", body)
				}
			}
		}
		if failed != tc.want {
			t.Errorf("TALK_ERROR_RATE=%s: %d of 100 failed, want %d", tc.rate, failed, tc.want)
		}
	}
}

func TestLatencyAndSlow(t *testing.T) {
	svc, _ := testService(t, "TALK_LATENCY", "50ms")
	begin := time.Now()
	if code, _ := get(t, svc.handler(), "/talk"); code != 200 || time.Since(begin) < 50*time.Millisecond {
		t.Errorf("TALK_LATENCY: %d after %v", code, time.Since(begin))
	}
	begin = time.Now()
	if code, body := get(t, svc.handler(), "/slow?d=60ms"); code != 200 || body["slept"] != "60ms" || time.Since(begin) < 60*time.Millisecond {
		t.Errorf("/slow: %d %v after %v", code, body, time.Since(begin))
	}
	for _, bad := range []string{"/slow?d=x", "/slow?d=-1s", "/slow?d=11m"} {
		if code, _ := get(t, svc.handler(), bad); code != 400 {
			t.Errorf("%s = %d, want 400", bad, code)
		}
	}
}

func TestCrashAfter(t *testing.T) {
	svc, crashed := testService(t, "TALK_CRASH_AFTER", "3")
	h := svc.handler()
	get(t, h, "/talk")
	get(t, h, "/health") // health checks do not count
	get(t, h, "/slow?d=0s")
	if crashed.Load() != 0 {
		t.Fatal("crashed early")
	}
	if code, _ := get(t, h, "/talk"); code != 200 {
		t.Errorf("the last request before the crash got %d", code)
	}
	if crashed.Load() != 3 {
		t.Errorf("crash code = %d, want 3", crashed.Load())
	}
}

func TestCrashAtStartAndBadSettings(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), env("TALK_CRASH_AT_START", "true"), &stdout, &stderr, nil); code != 1 {
		t.Errorf("TALK_CRASH_AT_START: exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "crashing at start") || stdout.Len() != 0 {
		t.Errorf("stderr %q, stdout %q", stderr.String(), stdout.String())
	}
	for _, kv := range [][]string{
		{"TALK_STARTUP_DELAY", "soon"}, {"TALK_LATENCY", "-1s"}, {"TALK_SHUTDOWN_DELAY", "x"},
		{"TALK_FAIL_HEALTH", "maybe"}, {"TALK_CRASH_AT_START", "yes please"}, {"TALK_CRASH_AFTER", "0"},
		{"TALK_ERROR_RATE", "1.5"}, {"PORT", "http"},
	} {
		if _, err := loadConfig(env(kv...)); !errors.Is(err, ErrBadSetting) || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%s=%s: err = %v", kv[0], kv[1], err)
		}
	}
	stderr.Reset()
	if code := run(t.Context(), env("TALK_ERROR_RATE", "lots"), &stdout, &stderr, nil); code != 2 || !strings.Contains(stderr.String(), "TALK_ERROR_RATE") {
		t.Errorf("bad setting: exit %d, stderr %q", code, stderr.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestStartupDelay(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var stdout syncBuffer
	done := make(chan int)
	begin := time.Now()
	go func() { done <- run(ctx, env("PORT", "0", "TALK_STARTUP_DELAY", "150ms"), &stdout, io.Discard, nil) }()
	waitFor(t, "start line", func() bool { return strings.Contains(stdout.String(), "talk-service started") })
	if took := time.Since(begin); took < 150*time.Millisecond {
		t.Errorf("started after %v, before TALK_STARTUP_DELAY", took)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
	if lines := strings.Count(stdout.String(), "\n"); lines != 2 {
		t.Errorf("stdout has %d lines, want a start and a stop line:\n%s", lines, stdout.String())
	}

	// Stopped during the delay: exits 0 without ever listening.
	ctx, cancel = context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if code := run(ctx, env("PORT", "0", "TALK_STARTUP_DELAY", "1h"), io.Discard, io.Discard, nil); code != 0 {
		t.Errorf("stopped during delay: exit %d", code)
	}
}

// startServe runs serve on a loopback port until the returned cancel is called.
func startServe(t *testing.T, svc *service) (string, context.CancelFunc, <-chan int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() { done <- serve(ctx, ln, svc) }()
	return "http://" + ln.Addr().String(), cancel, done
}

func TestGracefulShutdown(t *testing.T) {
	svc, _ := testService(t)
	url, stop, done := startServe(t, svc)
	slow := make(chan int, 1)
	go func() {
		resp, err := http.Get(url + "/slow?d=1s")
		if err != nil {
			slow <- -1
			return
		}
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	waitFor(t, "request in flight", func() bool { return svc.inFlight.Load() == 1 })
	stop() // SIGTERM
	waitFor(t, "listener closed", func() bool {
		c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if code := <-slow; code != 200 {
		t.Errorf("in-flight request got %d, want 200", code)
	}
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestShutdownDelayCapsTheWait(t *testing.T) {
	svc, _ := testService(t, "TALK_SHUTDOWN_DELAY", "100ms")
	url, stop, done := startServe(t, svc)
	go http.Get(url + "/slow?d=30s") //nolint:errcheck // cut off on purpose
	waitFor(t, "request in flight", func() bool { return svc.inFlight.Load() == 1 })
	begin := time.Now()
	stop()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
	if took := time.Since(begin); took < 100*time.Millisecond || took > 5*time.Second {
		t.Errorf("shutdown took %v, want about TALK_SHUTDOWN_DELAY", took)
	}
}

func TestTaskARNFromMetadata(t *testing.T) {
	var calls atomic.Int64
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v4/abc/task" || calls.Add(1) < 3 { // not ready at first
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"Cluster":"default","TaskARN":"arn:aws:ecs:us-east-1:000000000000:task/default/abc"}`))
	}))
	defer meta.Close()
	arn, err := fetchTaskARN(t.Context(), meta.Client(), meta.URL+"/v4/abc", 5, time.Millisecond)
	if err != nil || arn != "arn:aws:ecs:us-east-1:000000000000:task/default/abc" {
		t.Fatalf("fetchTaskARN = %q, %v", arn, err)
	}
	if _, err := fetchTaskARN(t.Context(), meta.Client(), meta.URL+"/v4/other", 2, time.Millisecond); !errors.Is(err, ErrMetadata) {
		t.Errorf("failing endpoint: err = %v, want ErrMetadata", err)
	}

	calls.Store(0)
	svc, _ := testService(t, "ECS_CONTAINER_METADATA_URI_V4", meta.URL+"/v4/abc")
	url, stop, done := startServe(t, svc)
	defer func() { stop(); <-done }()
	waitFor(t, "taskArn in /talk", func() bool {
		resp, err := http.Get(url + "/talk")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var body talkResponse
		json.NewDecoder(resp.Body).Decode(&body)
		return strings.HasSuffix(body.TaskARN, "task/default/abc")
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHealthcheckCommand(t *testing.T) {
	up, _ := testService(t)
	down, _ := testService(t, "TALK_FAIL_HEALTH", "true")
	for _, tc := range []struct {
		svc  *service
		want int
	}{{up, 0}, {down, 1}} {
		srv := httptest.NewServer(tc.svc.handler())
		port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
		if got := runHealthcheck(env("PORT", port), io.Discard); got != tc.want {
			t.Errorf("healthcheck = %d, want %d", got, tc.want)
		}
		srv.Close()
	}
	if got := runHealthcheck(env("PORT", "1"), io.Discard); got != 1 {
		t.Errorf("healthcheck with nothing listening = %d, want 1", got)
	}
}

func TestTaskDefinition(t *testing.T) {
	b, err := os.ReadFile("taskdef.json")
	if err != nil {
		t.Fatal(err)
	}
	var td struct {
		Family               string
		ContainerDefinitions []struct {
			Name, Image  string
			PortMappings []struct{ ContainerPort int }
			HealthCheck  struct{ Command []string }
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&td); err != nil {
		t.Fatal(err)
	}
	if td.Family != "talk" || len(td.ContainerDefinitions) != 1 {
		t.Fatalf("task definition %+v", td)
	}
	c := td.ContainerDefinitions[0]
	if c.Name != "web" || c.Image != "talk-service" || len(c.PortMappings) != 1 || c.PortMappings[0].ContainerPort != 8080 {
		t.Errorf("container %+v", c)
	}
	if hc := c.HealthCheck.Command; len(hc) != 3 || hc[2] != healthcheckArg {
		t.Errorf("health check %q does not run the healthcheck mode", hc)
	}
}

// TestListensWhereHostSays: HOST picks the interface (Slipway's process
// runtime sets it to the loopback address its load balancer dials), and the
// healthcheck command asks there.
func TestListensWhereHostSays(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this machine: %v", err)
	}
	port := probe.Addr().(*net.TCPAddr).Port
	probe.Close()
	p := strconv.Itoa(port)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	getenv := env("HOST", "127.0.0.2", "PORT", p, "TALK_SHUTDOWN_DELAY", "1s")
	go func() { done <- run(ctx, getenv, io.Discard, io.Discard, nil) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for runHealthcheck(getenv, io.Discard) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the service never answered the healthcheck on 127.0.0.2")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c, err := net.Dial("tcp", "127.0.0.1:"+p); err == nil {
		c.Close()
		t.Fatal("with HOST=127.0.0.2 the service also listens on 127.0.0.1")
	}
}
