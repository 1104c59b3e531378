package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/browserguard"
	"github.com/slipway-dev/slipway/internal/lb"
)

// LBStats is what the metrics listener serves at /slipway/lb/stats (the
// per-revision counts `slipway deploy` reports). The data plane runs in a
// process of its own and is read through its lblink.Client, which
// implements it (an error while the process is unreachable); its Prometheus
// metrics join the gatherer serveMetrics is given.
type LBStats interface {
	Stats(ctx context.Context) (lb.Stats, error)
}

// statsTimeout bounds asking the data plane for its statistics.
const statsTimeout = 5 * time.Second

// listener is one of the server's HTTP endpoints.
type listener struct {
	ln     net.Listener
	srv    *http.Server
	scheme string
}

// listen serves h on addr, over TLS when tlsConfig is set.
func (s *Server) listen(what, addr string, h http.Handler, tlsConfig *tls.Config) (*listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s address %s: %w", what, addr, err)
	}
	l := &listener{ln: ln, scheme: "http",
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, TLSConfig: tlsConfig}}
	serve := func() error { return l.srv.Serve(ln) }
	if tlsConfig != nil {
		l.scheme = "https"
		serve = func() error { return l.srv.ServeTLS(ln, "", "") }
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("listener stopped", "what", what, "err", err)
		}
	}()
	return l, nil
}

func (l *listener) url() string { return l.scheme + "://" + l.ln.Addr().String() }

// shutdown stops l, letting requests in flight finish for a few seconds.
func (l *listener) shutdown() error {
	if l == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return l.srv.Shutdown(ctx)
}

// serveAPI serves the AWS APIs (and /health) on APIAddr: SigV4 checked for
// the regions the server serves when there are credentials, browser
// requests refused when there are none (awsproto.Router), over TLS when a
// certificate is configured.
func (s *Server) serveAPI(creds awsproto.Credentials) error {
	var verifier *awsproto.Verifier
	if len(creds) > 0 {
		verifier = awsproto.NewVerifier(creds, s.servedRegions(), nil)
	}
	tlsConfig, err := loadAPITLS(s.cfg.APITLSCert, s.cfg.APITLSKey)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET "+CAPath, s.serveCA)
	router := awsproto.NewRouter(verifier, mux, s.cfg.Logger)
	s.registerAPIs(router)
	if s.api, err = s.listen("API", s.cfg.APIAddr, router, tlsConfig); err != nil {
		return err
	}
	s.cfg.Logger.Info("slipway server ready", "api", s.URL(), "metrics", s.MetricsURL(), "data", s.cfg.DataDir,
		"lb_host", s.cfg.LBHost, "signed_requests", verifier != nil)
	return nil
}

// loadAPITLS reads the API's certificate and key, once, at start-up.
func loadAPITLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("%w: --api-tls-cert %s, --api-tls-key %s: %w", ErrTLSConfig, certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// serveMetrics serves /metrics from g and /slipway/lb/stats from stats on
// MetricsAddr, apart from the API. They reveal counters, no configuration;
// without credentials they are on loopback, guarded against web pages as
// the API is.
func (s *Server) serveMetrics(g prometheus.Gatherer, stats LBStats, secured bool) error {
	var h http.Handler = withPublicKeys(metricsHandler(g, stats), s.st)
	if !secured {
		h = browserguard.Handler(h)
	}
	var err error
	s.metrics, err = s.listen("metrics", s.cfg.MetricsAddr, h, nil)
	return err
}

func metricsHandler(g prometheus.Gatherer, stats LBStats) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /slipway/lb/stats", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), statsTimeout)
		defer cancel()
		st, err := stats.Stats(ctx)
		if err != nil {
			http.Error(w, "load-balancer data plane unavailable; retry shortly", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	})
	return mux
}

// URL is the API endpoint, e.g. http://127.0.0.1:4566.
func (s *Server) URL() string { return s.api.url() }

// MetricsURL is the metrics endpoint, e.g. http://127.0.0.1:9566: /metrics
// and /slipway/lb/stats are below it.
func (s *Server) MetricsURL() string { return s.metrics.url() }
