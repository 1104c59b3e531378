package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/internal/server"
)

// serverGoneWait bounds how long down waits for the server to exit once every
// task has stopped.
const serverGoneWait = 30 * time.Second

func newDownCmd(g *globals) *cobra.Command {
	var dataDir string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop every task cleanly (draining first), then the load balancer and the server",
		Long: `Asks the server running on --data-dir (through its control socket there, which
only the data dir's owner can use) to stop everything it runs on this machine:
its container instances become DRAINING, so services start no replacements;
every task's targets are deregistered and drained by the load balancer before
the task gets SIGTERM; then the load balancer and the server stop.

Services keep their desired counts: the next ` + "`slipway server`" + ` runs their tasks
again. Standalone tasks (RunTask) stay stopped. The stopped tasks' reason is
"Task stopped during instance draining".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.down(cmd.Context(), dataDir, timeout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data-dir", server.DefaultDataDir(), "data directory of the server to stop")
	f.DurationVar(&timeout, "timeout", server.DefaultDownTimeout, "how long to wait for the tasks to drain and stop")
	return cmd
}

// down runs `slipway down`: progress lines on stdout, then a one-line verdict.
func (g *globals) down(ctx context.Context, dataDir string, timeout time.Duration) error {
	if timeout <= 0 {
		return fmt.Errorf("%w: --timeout %v: want a positive duration", ErrUsage, timeout)
	}
	start := time.Now()
	sock := server.ControlSocketPath(dataDir)
	client := controlClient(sock)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://slipway/down?timeout="+url.QueryEscape(timeout.String()), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		if nothingRuns(dataDir, err) {
			fmt.Fprintf(g.stdout, "nothing to stop: no slipway server and no task runs on %s\n", dataDir)
			return nil
		}
		return fmt.Errorf("no slipway server answers on %s (%v): start `slipway server --data-dir %s`, which adopts the tasks that run there, then run `slipway down` again",
			sock, err, dataDir)
	}
	defer resp.Body.Close()
	verdict, err := g.followDown(resp.Body)
	if err != nil {
		return err
	}
	if !waitGone(ctx, client) {
		return fmt.Errorf("%s, but the server on %s did not exit within %v", verdict, dataDir, serverGoneWait)
	}
	fmt.Fprintf(g.stdout, "%s and the server in %.1fs\n", verdict, time.Since(start).Seconds())
	return nil
}

// followDown prints the server's progress lines and returns its verdict.
func (g *globals) followDown(body io.Reader) (string, error) {
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, server.DownDone); ok {
			return v, nil
		}
		if msg, ok := strings.CutPrefix(line, server.DownFailed); ok {
			return "", fmt.Errorf("down failed: %s; the server keeps running, its node DRAINING until it restarts (run `slipway down` again to wait longer)", msg)
		}
		fmt.Fprintln(g.stdout, line)
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("down: lost the server's answer: %w", err)
	}
	return "", errors.New("down: the server ended its answer without a verdict; see its log")
}

// controlClient talks HTTP over the control socket at sock.
func controlClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		DisableKeepAlives: true,
	}}
}

// waitGone waits until nothing answers on the control socket: the server exited.
func waitGone(ctx context.Context, client *http.Client) bool {
	deadline := time.Now().Add(serverGoneWait)
	for time.Now().Before(deadline) {
		tr := client.Transport.(*http.Transport)
		c, err := tr.DialContext(ctx, "unix", "")
		if err != nil {
			return true
		}
		c.Close()
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	return false
}

// nothingRuns reports whether the control socket's dial error err means that
// no server runs on dataDir, and no task or load-balancer data plane either:
// then down has nothing to do.
func nothingRuns(dataDir string, err error) bool {
	if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	running, serr := server.RunningContainers(dataDir)
	return serr == nil && running == 0 && !server.DataPlaneRuns(dataDir)
}

// awaitShutdown runs `slipway server` until a signal or a `slipway down`, then
// stops it. On a signal tasks keep running (as ECS's agent leaves them) unless
// stopTasks, which drains and stops them first as `slipway down` does; a second
// signal ends that wait.
func awaitShutdown(ctx context.Context, g *globals, srv *server.Server, stopTasks bool) error {
	select {
	case <-srv.Done():
		fmt.Fprintln(g.stderr, "slipway: every task stopped (slipway down); server stopped")
		return srv.Close()
	case <-ctx.Done():
	}
	if !stopTasks {
		n := srv.RunningTasks()
		keep := fmt.Sprintf("%d tasks keep", n)
		if n == 1 {
			keep = "1 task keeps"
		}
		fmt.Fprintf(g.stderr, "slipway: server stopped; %s running and are adopted at the next start (stop them with `slipway down`, or run the server with --stop-tasks-on-exit)\n", keep)
		return srv.Close()
	}
	dctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	fmt.Fprintln(g.stderr, "slipway: stopping every task, draining first (--stop-tasks-on-exit); signal again to stop waiting")
	start := time.Now()
	n, err := srv.Down(dctx, func(line string) { fmt.Fprintln(g.stderr, "slipway: "+line) })
	closeErr := srv.Close()
	if err != nil {
		return fmt.Errorf("stopping tasks: %w; those not stopped keep running and are adopted at the next start", err)
	}
	tasks := fmt.Sprintf("%d tasks", n)
	if n == 1 {
		tasks = "1 task"
	}
	fmt.Fprintf(g.stderr, "slipway: stopped %s and the server in %.1fs\n", tasks, time.Since(start).Seconds())
	return closeErr
}
