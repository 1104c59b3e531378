package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// controlSocket is the Unix socket in the data directory on which the server
// takes the local commands (`slipway down`) that are not AWS APIs. Only the data
// directory's owner reaches it: the socket is mode 0600 in a directory that the
// server creates private. A web page cannot reach it at all, unlike the API port.
const controlSocket = "slipway.sock"

// maxSocketPath is the longest path a Unix socket may have (sun_path, less its NUL).
const maxSocketPath = 107

// DefaultDownTimeout bounds a down whose caller names no timeout.
const DefaultDownTimeout = 10 * time.Minute

// maxDownTimeout bounds the timeout a caller may ask for.
const maxDownTimeout = 24 * time.Hour

// Answer lines of the control socket's POST /down: progress lines, then one
// that starts with DownDone or DownFailed.
const (
	DownDone   = "done: "
	DownFailed = "error: "
)

// ControlSocketPath is where the server on dataDir takes local commands.
func ControlSocketPath(dataDir string) string { return filepath.Join(dataDir, controlSocket) }

// control is the control socket's server.
type control struct {
	srv    *http.Server
	ctx    context.Context // ends when the server closes: a down under way gives up
	cancel context.CancelFunc
}

// serveControl listens on the control socket. A stale socket of an earlier
// server is replaced: the data directory is this server's (the store's lock says
// so).
func (s *Server) serveControl() error {
	path := ControlSocketPath(s.cfg.DataDir)
	if len(path) > maxSocketPath {
		s.cfg.Logger.Warn("no control socket: the data dir's path is too long for one; `slipway down` cannot reach this server",
			"path", path)
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("control socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("control socket: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /down", s.serveDown)
	c := &s.down.ctl
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := c.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("control socket stopped", "err", err)
		}
	}()
	return nil
}

// closeControl ends a down under way and closes the control socket (its file
// goes with it).
func (s *Server) closeControl() error {
	c := &s.down.ctl
	if c.srv == nil {
		return nil
	}
	c.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.srv.Shutdown(ctx)
}

// serveDown runs Down for `slipway down`, streaming its progress as lines of
// text, and then has the server exit (Done). The down goes on if the client
// goes away: it was asked for, and half a down helps nobody.
func (s *Server) serveDown(w http.ResponseWriter, r *http.Request) {
	timeout := DefaultDownTimeout
	if v := r.URL.Query().Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > maxDownTimeout {
			http.Error(w, fmt.Sprintf("%sbad timeout %q: want a duration from 1s to %v", DownFailed, v, maxDownTimeout), http.StatusBadRequest)
			return
		}
		timeout = d
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rc := http.NewResponseController(w)
	say := func(line string) {
		fmt.Fprintln(w, line)
		_ = rc.Flush() // a client gone is no reason to stop
	}
	ctx, cancel := context.WithTimeout(s.down.ctl.ctx, timeout)
	defer cancel()
	n, err := s.Down(ctx, say)
	if err != nil {
		say(DownFailed + strings.ReplaceAll(err.Error(), "\n", "; "))
		return
	}
	say(fmt.Sprintf("%sstopped %s", DownDone, plural(n, "task", "tasks")))
	s.down.finish()
}
