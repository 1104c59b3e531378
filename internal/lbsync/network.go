package lbsync

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
)

// NetworkDataPlane is what a data plane implements when it also serves
// network load balancers (internal/l4); *lblink.Client does. The network
// configuration is applied before the HTTP one, under the same version.
type NetworkDataPlane interface {
	ApplyNetwork(ctx context.Context, cfg l4.Config) error
}

// errNoNetworkPlane is the problem of a network listener on a data plane that
// serves none.
const errNoNetworkPlane = "this data plane does not serve network load balancers"

// applyNetwork applies cfg to p. A listener whose port cannot be bound, or
// whose certificates do not load, is left out and the rest applied (a failed
// Apply changes nothing, so the same version is tried again).
func applyNetwork(ctx context.Context, p DataPlane, cfg l4.Config) (map[string]string, error) {
	problems := map[string]string{}
	np, ok := p.(NetworkDataPlane)
	if !ok {
		for _, l := range cfg.Listeners {
			problems[l.ARN] = errNoNetworkPlane
		}
		return problems, nil
	}
	for {
		err := np.ApplyNetwork(ctx, cfg)
		if err == nil {
			return problems, nil
		}
		certErr := errors.Is(err, lb.ErrCertificate) || errors.Is(err, l4.ErrCertificate)
		if !errors.Is(err, lb.ErrBind) && !certErr {
			return problems, err
		}
		var drop []string
		var be *lb.BindError
		for _, l := range cfg.Listeners {
			if errors.As(err, &be) && l.Port == be.Port || certErr && l.Protocol == l4.ProtocolTLS && pairsFail(l.Port, l.Certificates) != nil {
				drop = append(drop, l.ARN)
				problems[l.ARN] = err.Error()
			}
		}
		if len(drop) == 0 {
			return problems, err
		}
		cfg.Listeners = slices.DeleteFunc(slices.Clone(cfg.Listeners), func(l l4.Listener) bool { return slices.Contains(drop, l.ARN) })
	}
}

// loadNetworkCertificates fills the TLS listeners' certificates as
// loadCertificates does for HTTPS ones, noting each name in used, and leaves
// out the listeners whose certificates do not load.
func (s *Syncer) loadNetworkCertificates(ctx context.Context, cfg *l4.Config, used map[string]bool) map[string]string {
	problems := map[string]string{}
	var drop []string
	for i := range cfg.Listeners {
		l := &cfg.Listeners[i]
		if l.Protocol != l4.ProtocolTLS {
			continue
		}
		if len(l.Certificates) == 0 {
			problems[l.ARN] = fmt.Sprintf("listener on port %d has no certificate", l.Port)
			drop = append(drop, l.ARN)
			continue
		}
		for j, c := range l.Certificates {
			used[c.Name] = true
			cert, problem, err := s.loadCertificate(ctx, c.Name)
			if err != nil {
				s.log.Warn("certificate does not load", "listener", l.ARN, "err", err)
				problems[l.ARN] = fmt.Sprintf("listener on port %d: %s", l.Port, problem)
				drop = append(drop, l.ARN)
				break
			}
			l.Certificates[j] = cert
		}
	}
	cfg.Listeners = slices.DeleteFunc(cfg.Listeners, func(l l4.Listener) bool { return slices.Contains(drop, l.ARN) })
	return problems
}
