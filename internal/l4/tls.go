package l4

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/internal/lb"
)

// certSet is a TLS listener's parsed certificates: the first is the default, the
// others are chosen by SNI (crypto/tls picks the first certificate compatible with
// the hello). src is what they were parsed from.
type certSet struct {
	cfg    *tls.Config
	src    []lb.Certificate
	policy lb.TLSPolicy
}

// loadCerts parses the TLS listeners' certificates (PEM, as the control plane read
// them from the files or ACM records the listener names; see internal/certfile).
// A listener whose certificates are those it already serves keeps its parsed set:
// configurations change with every target registration, certificates rarely.
func (d *DataPlane) loadCerts(cfg *Config) (map[int]*certSet, error) {
	out := map[int]*certSet{}
	for _, l := range cfg.Listeners {
		if l.Protocol != ProtocolTLS {
			continue
		}
		if lr := d.listeners[l.Port]; lr != nil {
			if cs := lr.certs.Load(); cs != nil && sameCertificates(cs.src, l.Certificates) &&
				cs.policy.Equal(l.TLS) && slices.Equal(cs.cfg.NextProtos, l.ALPN) {
				out[l.Port] = cs
				continue
			}
		}
		certs := make([]tls.Certificate, 0, len(l.Certificates))
		for _, c := range l.Certificates {
			kp, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
			if err != nil {
				return nil, fmt.Errorf("%w: listener %s: certificate %s: %w", ErrCertificate, l.ARN, c.Name, err)
			}
			certs = append(certs, kp)
		}
		cfg := &tls.Config{Certificates: certs, NextProtos: slices.Clone(l.ALPN)}
		l.TLS.ApplyTo(cfg)
		out[l.Port] = &certSet{src: slices.Clone(l.Certificates), cfg: cfg, policy: l.TLS.Clone()}
	}
	return out, nil
}

func sameCertificates(a, b []lb.Certificate) bool {
	return slices.EqualFunc(a, b, func(x, y lb.Certificate) bool {
		return bytes.Equal(x.CertPEM, y.CertPEM) && bytes.Equal(x.KeyPEM, y.KeyPEM)
	})
}

// errNoALPN refuses a client that offers ALPN but none of the listener's protocols
// (RFC 7301, section 3.2; crypto/tls itself would let an http/1.1 client through to
// an h2-only list without ALPN).
var errNoALPN = errors.New("l4: client offers none of the listener's ALPN protocols")

// serverTLS returns the listener's TLS config; it reads the current certificate set
// per handshake, so Apply rotates certificates and policies without rebinding.
func (l *listenerRT) serverTLS() *tls.Config {
	return &tls.Config{
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			cs := l.certs.Load()
			if cs == nil {
				return nil, fmt.Errorf("%w: no certificate", ErrCertificate)
			}
			if len(cs.cfg.NextProtos) > 0 && len(hello.SupportedProtos) > 0 &&
				!slices.ContainsFunc(hello.SupportedProtos, func(p string) bool { return slices.Contains(cs.cfg.NextProtos, p) }) {
				return nil, errNoALPN
			}
			return cs.cfg, nil
		},
	}
}

// tlsClient is the configuration of connections to TLS target groups. As ELB, the
// load balancer does not verify targets' certificates. A connection whose client
// negotiated an ALPN protocol offers the target that protocol alone, so both ends
// of the relay speak the same one.
type tlsClient struct {
	cfg   *tls.Config
	alpn  map[string]*tls.Config // by protocol, sharing cfg's session cache
	cache tls.ClientSessionCache
}

func newTLSClient() *tlsClient {
	cache := tls.NewLRUClientSessionCache(256)
	tc := &tlsClient{cache: cache, alpn: map[string]*tls.Config{}, cfg: upstreamConfig(cache, nil)}
	for _, p := range []string{"h2", "http/1.1", "http/1.0"} { // those of ELB's ALPN policies
		tc.alpn[p] = upstreamConfig(cache, []string{p})
	}
	return tc
}

// upstreamConfig is a target connection's configuration offering protos.
func upstreamConfig(cache tls.ClientSessionCache, protos []string) *tls.Config {
	return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, ClientSessionCache: cache, NextProtos: protos}
}

// config returns the configuration for a target connection whose client
// negotiated proto ("" for none).
func (c *tlsClient) config(proto string) *tls.Config {
	if proto == "" {
		return c.cfg
	}
	if cfg := c.alpn[proto]; cfg != nil {
		return cfg
	}
	return upstreamConfig(c.cache, []string{proto})
}
