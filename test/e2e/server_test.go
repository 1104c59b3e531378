package e2e

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// server is one `slipway server` subprocess of a site.
type server struct {
	site   *site
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
	log    string
	cli    *awsCLI
}

// startServer starts `slipway server` on a free loopback port over the
// site's data directory and waits until GET /health answers. At cleanup it
// stops every task and the server (see teardown).
func (s *site) startServer(t *testing.T, extraArgs ...string) *server {
	t.Helper()
	var lastErr error
	// A free port can be taken by another test between probing and binding;
	// then the server exits at once and a new port is tried.
	for attempt := 0; attempt < 3; attempt++ {
		srv, err := s.tryStart(freePort(t), extraArgs)
		if err == nil {
			s.servers = append(s.servers, srv)
			t.Cleanup(func() { srv.teardown(t) })
			return srv
		}
		lastErr = err
	}
	t.Fatalf("slipway server did not start: %v", lastErr)
	return nil
}

func (s *site) tryStart(port int, extraArgs []string) (*server, error) {
	s.started++
	logPath := filepath.Join(s.dir, fmt.Sprintf("server-%d.log", s.started))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// The process runtime unless a test asks for another (a later flag wins).
	args := append([]string{"server", "--api-addr", addr, "--data-dir", s.dataDir, "--lb-host", "127.0.0.1",
		"--metrics-addr", "127.0.0.1:0", "--runtime", "process"}, extraArgs...)
	cmd := exec.Command(slipwayBin, args...)
	cmd.Env = append(serverEnv(), s.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	scheme := "http"
	if s.tls != nil {
		scheme = "https"
	}
	srv := &server{site: s, url: scheme + "://" + addr, cmd: cmd, exited: make(chan struct{}), log: logPath}
	srv.cli = newAWSCLI(s, srv.url)
	go func() { _ = cmd.Wait(); close(srv.exited) }()
	if err := srv.waitHealthy(20 * time.Second); err != nil {
		srv.kill()
		return nil, fmt.Errorf("%w\n%s", err, srv.logTail(30))
	}
	return srv, nil
}

// serverEnv is the test's environment without variables that would change
// the server's behaviour behind the test's back.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLIPWAY_") && !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

func (srv *server) waitHealthy(timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	if srv.site.tls != nil {
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.site.tls.Pool}}
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-srv.exited:
			return fmt.Errorf("server exited: %v", srv.cmd.ProcessState)
		default:
		}
		resp, err := client.Get(srv.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("GET /health did not answer 200 within %s", timeout)
}

func (srv *server) running() bool {
	select {
	case <-srv.exited:
		return false
	default:
		return true
	}
}

// kill9 kills the server with SIGKILL, as a crash would, and waits for it.
func (srv *server) kill9(t *testing.T) {
	t.Helper()
	srv.kill()
	select {
	case <-srv.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("server did not die of SIGKILL")
	}
}

func (srv *server) kill() { _ = srv.cmd.Process.Signal(syscall.SIGKILL) }

// stop ends the server with SIGTERM, its documented graceful stop.
func (srv *server) stop() error {
	if !srv.running() {
		return nil
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-srv.exited:
		return nil
	case <-time.After(15 * time.Second):
		srv.kill()
		<-srv.exited
		return errors.New("server ignored SIGTERM for 15s")
	}
}

func (srv *server) logTail(lines int) string {
	b, err := os.ReadFile(srv.log)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return "server log (tail):\n" + strings.Join(all[max(0, len(all)-lines):], "\n")
}

// freePort is a TCP port no other test gets while this one runs.
func freePort(t *testing.T) int { return testutil.FreePort(t) }
