package lbnode

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lblink"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestMain lets the test binary serve as the data plane process, as
// `slipway __lb` does.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == Arg {
		os.Exit(Main(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func testLogger() *slog.Logger {
	if os.Getenv("LBNODE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

// plane is a supervisor and a running client over one node directory.
type plane struct {
	sup    *Supervisor
	client *lblink.Client
	resets chan struct{}
	stop   func()
}

func newPlane(t *testing.T, dir, identity, host string) (*plane, error) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sup, err := New(Options{Dir: dir, Command: []string{exe, Arg}, Host: host, Identity: identity, Logger: testLogger()})
	if err != nil {
		return nil, err
	}
	p := &plane{sup: sup, resets: make(chan struct{}, 4)}
	p.client = lblink.NewClient(sup, lblink.ClientOptions{Identity: identity, Check: sup.Check, Logger: testLogger(),
		OnReset: func() { p.resets <- struct{}{} }})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.client.Connect(ctx); err != nil {
		return nil, err
	}
	runCtx, stopRun := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.client.Run(runCtx); close(done) }()
	p.stop = func() { stopRun(); p.client.Close(); <-done }
	return p, nil
}

// mustPlane starts (or adopts) the data plane of dir; at cleanup the
// process is stopped.
func mustPlane(t *testing.T, dir string) *plane {
	t.Helper()
	p, err := newPlane(t, dir, "node-a", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		p.sup.Stop(ctx, p.client)
		p.stop()
	})
	return p
}

const group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1"

func routing(version uint64, port int, targets ...lb.Target) lb.Config {
	return lb.Config{
		Version: version,
		Listeners: []lb.Listener{{ARN: "listener/1", Port: port, Protocol: "HTTP",
			DefaultActions: []lb.Action{{Type: "forward", Forward: []lb.WeightedTargetGroup{{ARN: group, Weight: 1}}}}}},
		TargetGroups: []lb.TargetGroup{{ARN: group, Name: "web", Protocol: "HTTP", Port: 80,
			HealthCheck: lb.HealthCheck{Enabled: true, Path: "/", Interval: time.Second, Timeout: time.Second},
			Targets:     targets}},
	}
}

func backend(t *testing.T) lb.Target {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(srv.Close)
	return lb.Target{ID: "127.0.0.1", Host: "127.0.0.1", Port: srv.Listener.Addr().(*net.TCPAddr).Port}
}

// freePort is a port outside the ephemeral range, reserved for this test
// (testutil.FreePort), so no outgoing connection can take it meanwhile.
func freePort(t *testing.T) int {
	return testutil.FreePort(t)
}

func answers(port int) error {
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

func waitAnswers(t *testing.T, port int) {
	t.Helper()
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		err := answers(port)
		return err == nil, "through the listener: " + errString(err)
	})
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil && !zombie(pid) }

func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) == 0 || f[0] == "Z" || f[0] == "X"
}

func nodeDir(t *testing.T) string { return filepath.Join(t.TempDir(), "lb") }
