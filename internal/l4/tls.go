package l4

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/internal/lb"
)

// certSet is a TLS listener's parsed certificates: the first is the default, the
// others are chosen by SNI (crypto/tls picks the first certificate compatible with
// the hello). src is what they were parsed from.
type certSet struct {
	cfg *tls.Config
	src []lb.Certificate
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
			if cs := lr.certs.Load(); cs != nil && sameCertificates(cs.src, l.Certificates) {
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
		// NLB's default policy (ELBSecurityPolicy-TLS13-1-2-2021-06): TLS 1.2 and 1.3.
		out[l.Port] = &certSet{src: slices.Clone(l.Certificates), cfg: &tls.Config{
			Certificates: certs,
			MinVersion:   tls.VersionTLS12,
		}}
	}
	return out, nil
}

func sameCertificates(a, b []lb.Certificate) bool {
	return slices.EqualFunc(a, b, func(x, y lb.Certificate) bool {
		return bytes.Equal(x.CertPEM, y.CertPEM) && bytes.Equal(x.KeyPEM, y.KeyPEM)
	})
}

// serverTLS returns the listener's TLS config; it reads the current certificate set
// per handshake, so Apply rotates certificates without rebinding.
func (l *listenerRT) serverTLS() *tls.Config {
	return &tls.Config{
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			cs := l.certs.Load()
			if cs == nil {
				return nil, fmt.Errorf("%w: no certificate", ErrCertificate)
			}
			return cs.cfg, nil
		},
	}
}

// tlsClient is the configuration of connections to TLS target groups. As ELB, the
// load balancer does not verify targets' certificates.
type tlsClient struct{ cfg *tls.Config }

func newTLSClient() *tlsClient {
	return &tlsClient{cfg: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12,
		ClientSessionCache: tls.NewLRUClientSessionCache(256)}}
}
