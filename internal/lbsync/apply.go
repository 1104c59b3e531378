package lbsync

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/slipway-dev/slipway/internal/certfile"
	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
)

// planeResult is the outcome of applying one configuration to one plane.
type planeResult struct {
	version  uint64
	served   map[int]bool      // listener ports the plane now serves
	problems map[string]string // listeners left out, and why
	err      error
}

// applyAll applies cfg (and network, the network load balancers') to every
// plane concurrently and waits for all.
func (s *Syncer) applyAll(ctx context.Context, cfg lb.Config, network l4.Config) []planeResult {
	results := make([]planeResult, len(s.planes))
	var wg sync.WaitGroup
	for i, p := range s.planes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			problems, err := applyNetwork(ctx, p, network)
			if err != nil {
				results[i] = planeResult{err: err}
				return
			}
			results[i] = s.applyPlane(ctx, p, s.served[i], cfg)
			for arn, why := range problems {
				results[i].problems[arn] = why
			}
		}()
	}
	wg.Wait()
	return results
}

// applyPlane applies cfg to p. When p cannot bind a listener's port (or
// load its certificate) it retries without that listener, under a new
// version, so that one unservable listener never blocks other changes.
func (s *Syncer) applyPlane(ctx context.Context, p DataPlane, served map[int]bool, cfg lb.Config) planeResult {
	res := planeResult{problems: map[string]string{}}
	for {
		err := p.Apply(ctx, cfg)
		if err == nil {
			res.version, res.served = cfg.Version, map[int]bool{}
			for _, l := range cfg.Listeners {
				res.served[l.Port] = true
			}
			return res
		}
		if !errors.Is(err, lb.ErrBind) && !errors.Is(err, lb.ErrCertificate) {
			res.err = err
			return res
		}
		drop := culprits(cfg, served, err)
		if len(drop) == 0 {
			res.err = err
			return res
		}
		for _, arn := range drop {
			res.problems[arn] = err.Error()
		}
		cfg = withoutListeners(cfg, drop)
		cfg.Version = s.nextVersion()
	}
}

// nextVersion hands out a version for a retried, reduced configuration.
// Called from applyAll's goroutines while s.mu is held by Sync.
func (s *Syncer) nextVersion() uint64 {
	s.versionMu.Lock()
	defer s.versionMu.Unlock()
	s.version++
	return s.version
}

// culprits names the listeners an Apply error is about. A bind error names
// its port; failing that, only listeners the plane does not serve yet can
// have failed to bind, since served ports stay open across applies.
func culprits(cfg lb.Config, served map[int]bool, err error) []string {
	var drop []string
	var be *lb.BindError
	if errors.As(err, &be) {
		for _, l := range cfg.Listeners {
			if l.Port == be.Port {
				drop = append(drop, l.ARN)
			}
		}
		if len(drop) > 0 {
			return drop
		}
	}
	for _, l := range cfg.Listeners {
		if !served[l.Port] || errors.Is(err, lb.ErrCertificate) && l.Protocol == "HTTPS" && certificatesFail(l) != nil {
			drop = append(drop, l.ARN)
		}
	}
	return drop
}

func withoutListeners(cfg lb.Config, drop []string) lb.Config {
	out := cfg
	out.Listeners = slices.DeleteFunc(slices.Clone(cfg.Listeners), func(l lb.Listener) bool {
		return slices.Contains(drop, l.ARN)
	})
	return out
}

// loadCertificates fills the HTTPS listeners' certificates, from ACM
// (through the CertificateSource) or from their files (through the cache:
// a file is read again only when it changed), removes the listeners whose
// certificates do not load (they were checked when the listener was
// created, but files can change and certificates be re-imported since) and
// returns why, in the words the API uses: the reason is shown to API
// callers, the cause is logged for the operator.
func (s *Syncer) loadCertificates(ctx context.Context, cfg *lb.Config, network *l4.Config) map[string]string {
	used := map[string]bool{}
	problems := s.loadNetworkCertificates(ctx, network, used)
	var drop []string
	for i := range cfg.Listeners {
		l := &cfg.Listeners[i]
		if l.Protocol != "HTTPS" {
			continue
		}
		if len(l.Certificates) == 0 {
			problems[l.ARN] = fmt.Sprintf("listener on port %d has no certificate", l.Port)
			drop = append(drop, l.ARN)
			continue
		}
		certs := make([]lb.Certificate, len(l.Certificates))
		for j, c := range l.Certificates {
			used[c.Name] = true
			cert, problem, err := s.loadCertificate(ctx, c.Name)
			if err != nil {
				s.log.Warn("certificate does not load", "listener", l.ARN, "err", err)
				problems[l.ARN] = fmt.Sprintf("listener on port %d: %s", l.Port, problem)
				drop = append(drop, l.ARN)
				break
			}
			certs[j] = cert
		}
		l.Certificates = certs
	}
	s.certs.Forget(used)
	if len(drop) > 0 {
		*cfg = withoutListeners(*cfg, drop)
	}
	return problems
}

// loadCertificate reads one certificate and key pair; when it cannot, it
// says why in the API's words (problem) and for the log (err).
func (s *Syncer) loadCertificate(ctx context.Context, name string) (cert lb.Certificate, problem string, err error) {
	if !model.IsACMCertificate(name) {
		pair, err := s.certs.Load(name)
		if err != nil {
			return lb.Certificate{}, certfile.UserMessage(name), err
		}
		return lb.Certificate{Name: name, CertPEM: pair.CertPEM, KeyPEM: pair.KeyPEM}, "", nil
	}
	s.acmMu.Lock()
	src := s.acm
	s.acmMu.Unlock()
	err = errNoCertificateSource
	var certPEM, keyPEM []byte
	if src != nil {
		certPEM, keyPEM, err = src.KeyPair(ctx, name)
	}
	if err != nil {
		return lb.Certificate{}, fmt.Sprintf("Certificate '%s' not found", name), err
	}
	return lb.Certificate{Name: name, CertPEM: certPEM, KeyPEM: keyPEM}, "", nil
}

// certificatesFail reports whether a listener's certificates do not form
// key pairs (the data plane's ErrCertificate names no listener).
func certificatesFail(l lb.Listener) error { return pairsFail(l.Port, l.Certificates) }

// pairsFail reports whether the certificates of the listener on port do not
// form key pairs.
func pairsFail(port int, certs []lb.Certificate) error {
	if len(certs) == 0 {
		return fmt.Errorf("listener on port %d has no usable certificate", port)
	}
	for _, c := range certs {
		if _, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM); err != nil {
			return fmt.Errorf("listener on port %d: certificate %s: %w", port, c.Name, err)
		}
	}
	return nil
}
