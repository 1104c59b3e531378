package lbsync

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// localHost is what instance targets dial: an instance id means "this
// machine" here.
const localHost = model.LocalHost

// Compile builds the routing configuration (Version 0) from the ELB records
// of one consistent snapshot. Every target group is included, used or not,
// so that the data plane reports its targets as unused rather than unknown;
// network load balancers' listeners and target groups (TCP, TLS, UDP,
// TCP_UDP) are left to CompileNetwork.
func Compile(tx state.Tx) (lb.Config, error) {
	var cfg lb.Config
	tgs, err := tx.TargetGroups()
	if err != nil {
		return cfg, err
	}
	for _, tg := range tgs {
		if isNetworkProtocol(tg.Protocol) {
			continue
		}
		targets, err := tx.Targets(tg.ARN)
		if err != nil {
			return cfg, err
		}
		cfg.TargetGroups = append(cfg.TargetGroups, compileTargetGroup(tg, targets))
	}
	slices.SortFunc(cfg.TargetGroups, func(a, b lb.TargetGroup) int { return cmp.Compare(a.ARN, b.ARN) })
	listeners, err := tx.AllListeners()
	if err != nil {
		return cfg, err
	}
	for _, l := range listeners {
		if isNetworkProtocol(l.Protocol) {
			continue
		}
		rules, err := tx.Rules(l.ARN)
		if err != nil {
			return cfg, err
		}
		cfg.Listeners = append(cfg.Listeners, compileListener(l, rules))
	}
	slices.SortFunc(cfg.Listeners, func(a, b lb.Listener) int { return cmp.Compare(a.Port, b.Port) })
	albs, err := tx.LoadBalancers()
	if err != nil {
		return cfg, err
	}
	known := map[string]bool{}
	for _, a := range albs {
		if !a.IsNetwork() {
			cfg.LoadBalancers = append(cfg.LoadBalancers, compileLoadBalancer(a))
			known[a.ARN] = true
		}
	}
	slices.SortFunc(cfg.LoadBalancers, func(a, b lb.LoadBalancer) int { return cmp.Compare(a.ARN, b.ARN) })
	for i := range cfg.Listeners {
		if !known[cfg.Listeners[i].LoadBalancerARN] {
			cfg.Listeners[i].LoadBalancerARN = "" // a record being deleted: ELB's defaults, not a refused configuration
		}
	}
	return cfg, compileAuthKeys(tx, &cfg)
}

// compileLoadBalancer carries an application load balancer's attributes that
// the HTTP data plane applies.
func compileLoadBalancer(a model.ALB) lb.LoadBalancer {
	return lb.LoadBalancer{
		ARN: a.ARN, IdleTimeout: a.IdleTimeout(), ClientKeepAlive: a.ClientKeepAlive(), HTTP2Disabled: !a.HTTP2(),
		DropInvalidHeaderFields: a.DropInvalidHeaderFields(), PreserveHostHeader: a.PreserveHostHeader(),
		XFFMode: a.XFFMode(), XFFClientPort: a.XFFClientPort(), TLSHeaders: a.TLSHeaders(),
	}
}

func compileTargetGroup(tg model.TargetGroup, targets []model.TargetDescription) lb.TargetGroup {
	hc := tg.HealthCheck
	out := lb.TargetGroup{
		ARN: tg.ARN, Name: tg.Name, Protocol: tg.Protocol, Port: tg.Port,
		HealthCheck: lb.HealthCheck{
			Enabled: hc.Enabled, Protocol: hc.Protocol, Port: hc.Port, Path: hc.Path,
			Interval: time.Duration(hc.IntervalSeconds) * time.Second, Timeout: time.Duration(hc.TimeoutSeconds) * time.Second,
			HealthyThreshold: hc.HealthyThresholdCount, UnhealthyThreshold: hc.UnhealthyThresholdCount, Matcher: hc.HTTPCode,
		},
		DeregistrationDelay: tg.DeregistrationDelay(), SlowStart: tg.SlowStart(),
		// Only lb_cookie stickiness exists in the data plane; app_cookie is
		// stored and echoed but routes without stickiness.
		Stickiness: lb.Stickiness{
			Enabled:  tg.Attribute(model.AttrStickinessEnabled) == "true" && tg.Attribute(model.AttrStickinessType) == "lb_cookie",
			Type:     "lb_cookie",
			Duration: tg.StickinessDuration(),
		},
		Algorithm: lb.AlgorithmRoundRobin,
		Targets:   []lb.Target{},
	}
	// weighted_random is echoed; the data plane balances it round robin.
	if tg.Attribute(model.AttrAlgorithm) == lb.AlgorithmLOR {
		out.Algorithm = lb.AlgorithmLOR
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

func compileListener(l model.Listener, rules []model.Rule) lb.Listener {
	out := lb.Listener{ARN: l.ARN, Port: l.Port, Protocol: l.Protocol, DefaultActions: compileActions(l.DefaultActions),
		LoadBalancerARN: l.LoadBalancerARN, NoServerHeader: !l.ServerHeader()}
	if l.Protocol == model.ProtocolHTTPS {
		out.TLS = tlsPolicy(l.SSLPolicy)
		out.TLSVersionHeader, out.TLSCipherSuiteHeader = l.TLSHeaderNames()
	}
	for _, h := range l.ResponseHeaders() {
		out.ResponseHeaders = append(out.ResponseHeaders, lb.HeaderField{Name: h[0], Value: h[1]})
	}
	for _, c := range l.Certificates {
		// Named only: Sync reads the files (loadCertificates), Compile
		// stays a function of the store.
		out.Certificates = append(out.Certificates, lb.Certificate{Name: c.ARN})
	}
	for _, r := range rules {
		out.Rules = append(out.Rules, lb.Rule{
			ARN: r.ARN, Priority: r.Priority, Conditions: compileConditions(r.Conditions), Actions: compileActions(r.Actions),
		})
	}
	return out
}

func compileConditions(conds []model.RuleCondition) []lb.Condition {
	out := make([]lb.Condition, 0, len(conds))
	for _, c := range conds {
		lc := lb.Condition{Field: c.Field, Values: slices.Clone(c.Values), HeaderName: c.HTTPHeaderName}
		for _, kv := range c.QueryString {
			lc.Query = append(lc.Query, lb.KeyValue{Key: kv.Key, Value: kv.Value})
		}
		out = append(out, lc)
	}
	return out
}

func compileActions(actions []model.ELBAction) []lb.Action {
	out := make([]lb.Action, 0, len(actions))
	for _, a := range actions {
		la := lb.Action{Type: a.Type, Order: a.Order, AuthenticateOIDC: compileAuthOIDC(a.AuthenticateOIDC)}
		if f := a.Forward; f != nil {
			for _, g := range f.TargetGroups {
				w := 1
				if g.Weight != nil {
					w = *g.Weight
				}
				la.Forward = append(la.Forward, lb.WeightedTargetGroup{ARN: g.ARN, Weight: w})
			}
			la.Stickiness = lb.GroupStickiness{Enabled: f.Stickiness.Enabled, Duration: time.Duration(f.Stickiness.DurationSeconds) * time.Second}
		}
		if r := a.FixedResponse; r != nil {
			la.FixedResponse = &lb.FixedResponse{StatusCode: r.StatusCode, ContentType: r.ContentType, MessageBody: r.MessageBody}
		}
		if r := a.Redirect; r != nil {
			la.Redirect = &lb.Redirect{Protocol: r.Protocol, Host: r.Host, Port: r.Port, Path: r.Path, Query: r.Query, StatusCode: r.StatusCode}
		}
		out = append(out, la)
	}
	return out
}

// tlsPolicy is the data planes' form of one of ELB's security policies: its
// versions and the suites Go implements, by their OpenSSL names. A name the
// table does not have (the API refuses those) leaves Go's TLS 1.2 and 1.3
// defaults.
func tlsPolicy(name string) lb.TLSPolicy {
	p, ok := model.LookupSSLPolicy(name)
	if !ok {
		return lb.TLSPolicy{}
	}
	lo, hi, _ := p.TLSConfig()
	out := lb.TLSPolicy{Name: p.Name, MinVersion: lo, MaxVersion: hi}
	for _, c := range p.Ciphers {
		if id, ok := model.GoCipherSuite(c); ok {
			out.CipherSuites = append(out.CipherSuites, lb.CipherSuite{ID: id, Name: c})
		}
	}
	return out
}

// loadBalancerOf returns the ARN of the load balancer a listener belongs to.
func loadBalancerOf(listenerARN string) string {
	i := strings.LastIndex(listenerARN, "/")
	if i < 0 {
		return ""
	}
	return strings.Replace(listenerARN[:i], ":listener/", ":loadbalancer/", 1)
}
