package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"sync/atomic"
	"time"
)

// maxSlow caps /slow?d= so that a typo cannot hold a connection for days.
const maxSlow = 10 * time.Minute

// service is the talk service's HTTP behaviour, shaped by its config.
type service struct {
	cfg      config
	hostname string
	log      *slog.Logger
	now      func() time.Time
	// crash ends the process with an exit code (os.Exit outside tests).
	crash func(code int)
	// startedAt is when serving began; TALK_FAIL_HEALTH=<duration> counts from it.
	startedAt time.Time

	taskARN  atomic.Pointer[string]
	talks    atomic.Int64 // /talk requests so far, for TALK_ERROR_RATE
	requests atomic.Int64 // application requests (/talk, /slow) so far, for TALK_CRASH_AFTER
	inFlight atomic.Int64
}

func newService(cfg config, hostname string, log *slog.Logger, crash func(int)) *service {
	return &service{cfg: cfg, hostname: hostname, log: log, now: time.Now, crash: crash, startedAt: time.Now()}
}

// talkResponse is the body of GET /talk.
type talkResponse struct {
	Message  string `json:"message"`
	Version  string `json:"version"`
	Hostname string `json:"hostname"`
	TaskARN  string `json:"taskArn"`
}

// handler routes the service's endpoints.
func (s *service) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /talk", s.talk)
	mux.HandleFunc("GET /health", s.health)
	mux.HandleFunc("GET /slow", s.slow)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		mux.ServeHTTP(w, r)
	})
}

func (s *service) talk(w http.ResponseWriter, r *http.Request) {
	n := s.talks.Add(1)
	if !sleep(r.Context(), s.cfg.latency) {
		return // the client went away
	}
	status := http.StatusOK
	if s.injectError(n) {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, talkResponse{
		Message: s.cfg.message, Version: s.cfg.version, Hostname: s.hostname, TaskARN: s.arn(),
	})
	s.served(w)
}

// injectError spreads TALK_ERROR_RATE evenly and deterministically: request n fails
// when floor(n*rate) grows, so exactly that share of any long run fails.
func (s *service) injectError(n int64) bool {
	r := s.cfg.errorRate
	const eps = 1e-9 // 10*0.1 must count as 1
	return r > 0 && math.Floor(float64(n)*r+eps) > math.Floor(float64(n-1)*r+eps)
}

func (s *service) health(w http.ResponseWriter, _ *http.Request) {
	failing := s.cfg.failHealth || (s.cfg.healthyFor > 0 && s.now().Sub(s.startedAt) >= s.cfg.healthyFor)
	if failing {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"status": "DOWN"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "UP"})
}

// slow answers after sleeping d (default 1s): a long in-flight request for tests.
func (s *service) slow(w http.ResponseWriter, r *http.Request) {
	d := time.Second
	if v := r.URL.Query().Get("d"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d < 0 || d > maxSlow {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "d must be a duration from 0 to 10m"})
			return
		}
	}
	if !sleep(r.Context(), d) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"slept": d.String(), "version": s.cfg.version, "hostname": s.hostname})
	s.served(w)
}

// served counts an application request and crashes after the TALK_CRASH_AFTER-th,
// once its response is on its way.
func (s *service) served(w http.ResponseWriter) {
	if n := s.requests.Add(1); s.cfg.crashAfter > 0 && n == s.cfg.crashAfter {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		s.crash(3)
	}
}

func (s *service) arn() string {
	if p := s.taskARN.Load(); p != nil {
		return *p
	}
	return ""
}

// loadTaskARN fetches the task ARN from the metadata endpoint, in the background.
func (s *service) loadTaskARN(ctx context.Context, client *http.Client) {
	arn, err := fetchTaskARN(ctx, client, s.cfg.metadataURI, metadataAttempts, metadataBackoff)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("task metadata unavailable; taskArn stays empty", "err", err)
		}
		return
	}
	s.taskARN.Store(&arn)
}

// sleep waits d, or less if ctx ends first; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client may have gone; nothing to do
}
