package lbsync

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// isNetworkProtocol reports whether a listener or target group of protocol p
// belongs to a network load balancer, served by internal/l4 rather than lb.
func isNetworkProtocol(p string) bool {
	switch p {
	case l4.ProtocolTCP, l4.ProtocolTLS, l4.ProtocolUDP, l4.ProtocolTCPUDP:
		return true
	}
	return false
}

// CompileNetwork builds the layer-4 configuration (Version 0) of the network
// load balancers' listeners and target groups from one consistent snapshot,
// as Compile does for application load balancers. TLS listeners' certificates
// are named only; the syncer fills them in as it does for HTTPS.
func CompileNetwork(tx state.Tx) (l4.Config, error) {
	var cfg l4.Config
	tgs, err := tx.TargetGroups()
	if err != nil {
		return cfg, err
	}
	for _, tg := range tgs {
		if !isNetworkProtocol(tg.Protocol) {
			continue
		}
		targets, err := tx.Targets(tg.ARN)
		if err != nil {
			return cfg, err
		}
		cfg.TargetGroups = append(cfg.TargetGroups, compileNetworkGroup(tg, targets))
	}
	slices.SortFunc(cfg.TargetGroups, func(a, b l4.TargetGroup) int { return cmp.Compare(a.ARN, b.ARN) })
	listeners, err := tx.AllListeners()
	if err != nil {
		return cfg, err
	}
	for _, l := range listeners {
		if isNetworkProtocol(l.Protocol) {
			cfg.Listeners = append(cfg.Listeners, compileNetworkListener(l))
		}
	}
	slices.SortFunc(cfg.Listeners, func(a, b l4.Listener) int { return cmp.Compare(a.Port, b.Port) })
	return cfg, nil
}

// nlbAttr is a target group's NLB-only attribute, or ELB's default for it.
func nlbAttr(tg model.TargetGroup, key string) string {
	if v, ok := tg.Attributes[key]; ok {
		return v
	}
	return model.NLBAttributeDefault(key)
}

func compileNetworkGroup(tg model.TargetGroup, targets []model.TargetDescription) l4.TargetGroup {
	hc := tg.HealthCheck
	check := l4.HealthCheck{
		Enabled: hc.Enabled, Protocol: hc.Protocol, Port: hc.Port,
		Interval: time.Duration(hc.IntervalSeconds) * time.Second, Timeout: time.Duration(hc.TimeoutSeconds) * time.Second,
		HealthyThreshold: hc.HealthyThresholdCount, UnhealthyThreshold: hc.UnhealthyThresholdCount,
	}
	if hc.Protocol == l4.CheckHTTP || hc.Protocol == l4.CheckHTTPS {
		check.Path, check.Matcher = hc.Path, hc.HTTPCode // a TCP check has neither
	}
	out := l4.TargetGroup{
		ARN: tg.ARN, Name: tg.Name, Protocol: tg.Protocol, Port: tg.Port, HealthCheck: check,
		DeregistrationDelay:            tg.DeregistrationDelay(),
		ConnectionTermination:          nlbAttr(tg, model.AttrConnectionTermination) == "true",
		UnhealthyConnectionTermination: nlbAttr(tg, model.AttrUnhealthyConnectionTermination) == "true",
		ProxyProtocolV2:                nlbAttr(tg, model.AttrProxyProtocolV2) == "true",
		SourceIPStickiness: tg.Attribute(model.AttrStickinessEnabled) == "true" &&
			tg.Attribute(model.AttrStickinessType) == model.StickinessSourceIP,
		Targets: []lb.Target{},
	}
	for _, t := range targets {
		host := localHost
		if ip, err := netip.ParseAddr(t.ID); err == nil {
			host = ip.String()
		}
		out.Targets = append(out.Targets, lb.Target{ID: t.ID, Host: host, Port: t.Port, Revision: t.Revision})
	}
	return out
}

// compileNetworkListener takes the listener's first forward default action (a
// network load balancer's listener has only that one action).
func compileNetworkListener(l model.Listener) l4.Listener {
	out := l4.Listener{ARN: l.ARN, Port: l.Port, Protocol: l.Protocol, IdleTimeout: l.IdleTimeout()}
	if l.Protocol == l4.ProtocolTLS {
		out.TLS = tlsPolicy(l.SSLPolicy)
		for _, p := range l.ALPNPolicy { // at most one
			out.ALPN = model.ALPNProtocols(p)
		}
	}
	for _, c := range l.Certificates {
		out.Certificates = append(out.Certificates, lb.Certificate{Name: c.ARN})
	}
	for _, a := range l.DefaultActions {
		if a.Type != model.ActionForward || a.Forward == nil {
			continue
		}
		for _, g := range a.Forward.TargetGroups {
			w := 1
			if g.Weight != nil {
				w = *g.Weight
			}
			out.Forward = append(out.Forward, lb.WeightedTargetGroup{ARN: g.ARN, Weight: w})
		}
		break
	}
	return out
}
