// Command talk-service is the demo web service of Slipway's docs, demos and tests:
// GET /talk answers with its message, version, host and task ARN; GET /health reports
// its health; environment settings make it slow, failing or crashing on purpose
// (see README.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == healthcheckArg {
		os.Exit(runHealthcheck(os.Getenv, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := run(ctx, os.Getenv, os.Stdout, os.Stderr, os.Exit)
	stop()
	os.Exit(code)
}

// run starts the service and returns its exit code once ctx ends (SIGTERM) and the
// in-flight requests are done. exit ends the process at once (TALK_CRASH_AFTER).
func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer, exit func(int)) int {
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "talk-service:", err)
		return 2
	}
	if cfg.crashAtStart {
		fmt.Fprintln(stderr, "talk-service: crashing at start as asked (TALK_CRASH_AT_START=true)")
		return 1
	}
	if !sleep(ctx, cfg.startupDelay) {
		return 0 // stopped before it started
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.host, cfg.port))
	if err != nil {
		fmt.Fprintln(stderr, "talk-service:", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))
	crash := func(code int) {
		fmt.Fprintf(stderr, "talk-service: crashing after %d requests as asked (TALK_CRASH_AFTER)\n", cfg.crashAfter)
		exit(code)
	}
	return serve(ctx, ln, newService(cfg, hostname(), log, crash))
}

// serve serves on ln until ctx ends, then stops accepting, lets in-flight requests
// finish for up to TALK_SHUTDOWN_DELAY and returns 0.
func serve(ctx context.Context, ln net.Listener, svc *service) int {
	srv := &http.Server{Handler: svc.handler(), ReadHeaderTimeout: 10 * time.Second}
	bg, cancelBg := context.WithCancel(context.Background())
	defer cancelBg()
	if svc.cfg.metadataURI != "" {
		go svc.loadTaskARN(bg, &http.Client{Timeout: 2 * time.Second})
	}
	svc.log.Info("talk-service started", "version", svc.cfg.version, "addr", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		svc.log.Error("talk-service stopped", "version", svc.cfg.version, "err", err)
		return 1
	case <-ctx.Done():
	}
	inFlight := svc.inFlight.Load()
	sctx, cancel := context.WithTimeout(context.Background(), svc.cfg.shutdownWait)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		srv.Close() // the wait is over: drop the stragglers
	}
	svc.log.Info("talk-service stopped", "version", svc.cfg.version,
		"inFlightAtSignal", inFlight, "graceful", err == nil)
	return 0
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}
