package l4

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lbtarget"
)

// Sentinel errors. Callers match them with errors.Is; details are wrapped with %w.
var (
	// ErrInvalidConfig means Apply rejected a Config; nothing changed.
	ErrInvalidConfig = errors.New("l4: invalid config")
	// ErrCertificate means a TLS listener's certificate could not be loaded; nothing changed.
	ErrCertificate = errors.New("l4: cannot load certificate")
	// ErrClosed is returned by Apply and WaitDrained once Run has returned.
	ErrClosed = errors.New("l4: data plane closed")
	// ErrNotDraining is returned by WaitDrained for a target that is registered and not draining.
	ErrNotDraining = errors.New("l4: target is not draining")
)

// Listener and target group protocols of a Network Load Balancer.
const (
	ProtocolTCP    = "TCP"
	ProtocolTLS    = "TLS"
	ProtocolUDP    = "UDP"
	ProtocolTCPUDP = "TCP_UDP"
)

// Health check protocols (UDP target groups are checked over TCP, HTTP or HTTPS, as in ELB).
const (
	CheckTCP   = "TCP"
	CheckHTTP  = "HTTP"
	CheckHTTPS = "HTTPS"
)

// ELB's Network Load Balancer defaults and limits.
const (
	// DefaultTCPIdleTimeout is tcp.idle_timeout.seconds' default (TCP and TLS listeners).
	DefaultTCPIdleTimeout = 350 * time.Second
	// UDPIdleTimeout is the fixed idle timeout of a UDP flow.
	UDPIdleTimeout = 120 * time.Second
	// DefaultDeregistrationDelay is deregistration_delay.timeout_seconds' default.
	DefaultDeregistrationDelay = 300 * time.Second
	// MaxForwardWeight bounds a weighted forward's group weight (0..999).
	MaxForwardWeight = 999
)

// Config is one complete layer-4 configuration; Version increases with every change.
// It is plain data, so that it can cross a process boundary as lb.Config does.
type Config struct {
	Version      uint64
	Listeners    []Listener
	TargetGroups []TargetGroup
}

// Listener is one port a network load balancer serves: TCP, TLS (terminated here with
// Certificates, then relayed as TCP, or as TLS to a TLS target group), UDP, or TCP_UDP
// (both sockets on the port). Every new connection or flow is forwarded to one of
// Forward's target groups by flow hash, in proportion to their weights.
type Listener struct {
	ARN          string
	Port         int              // 1..65535, bound on Options.Host
	Protocol     string           // TCP, TLS, UDP or TCP_UDP
	Certificates []lb.Certificate // TLS: the first is the default, the others are chosen by SNI
	// TLS is the listener's security policy (SslPolicy): its versions and suites.
	TLS lb.TLSPolicy
	// ALPN is the ALPN policy's protocol preference list (TLS; nil: ALPN is
	// not negotiated). A client that offers ALPN and none of these is refused.
	ALPN    []string
	Forward []lb.WeightedTargetGroup
	// IdleTimeout is tcp.idle_timeout.seconds (TCP and TLS; 0: 350 s). A TCP
	// connection with no byte in either direction for this long is closed.
	// UDP flows always idle out after UDPIdleTimeout.
	IdleTimeout time.Duration
}

// TargetGroup is a set of targets with their health check and attributes.
type TargetGroup struct {
	ARN, Name   string
	Protocol    string // TCP, TLS (to targets, not verified, as ELB), UDP or TCP_UDP
	Port        int    // default port for targets without one
	HealthCheck HealthCheck
	// DeregistrationDelay is deregistration_delay.timeout_seconds; a draining target's
	// flows may run this long. Zero means none (the caller fills ELB's default, 300 s).
	DeregistrationDelay time.Duration
	// ConnectionTermination is deregistration_delay.connection_termination.enabled:
	// at the end of the delay the draining target's connections and flows are closed.
	ConnectionTermination bool
	// UnhealthyConnectionTermination is target_health_state.unhealthy.connection_termination.enabled
	// (ELB's default is true): a target that becomes unhealthy loses its connections.
	UnhealthyConnectionTermination bool
	// ProxyProtocolV2 is proxy_protocol_v2.enabled: every TCP connection to a
	// target starts with a PROXY protocol v2 header naming the client and the
	// listener address. Not for UDP (ELB does not offer it there).
	ProxyProtocolV2 bool
	// SourceIPStickiness is stickiness.enabled with stickiness.type source_ip:
	// flows are hashed on the client address alone, so one client reaches one target.
	SourceIPStickiness bool
	Targets            []lb.Target
}

// HealthCheck holds a target group's health check settings; zero fields take ELB's
// Network Load Balancer defaults (see withDefaults).
type HealthCheck struct {
	Enabled            bool
	Protocol           string // TCP (default), HTTP or HTTPS
	Port               string // "traffic-port" or a number
	Path               string // HTTP(S): default "/"
	Interval, Timeout  time.Duration
	HealthyThreshold   int
	UnhealthyThreshold int
	Matcher            string // HTTP(S): "200-399" by default; codes 200..599
}

// withDefaults fills ELB's NLB defaults into zero health check fields.
func (hc HealthCheck) withDefaults() HealthCheck {
	if hc.Protocol == "" {
		hc.Protocol = CheckTCP
	}
	if hc.Port == "" {
		hc.Port = "traffic-port"
	}
	if hc.Interval == 0 {
		hc.Interval = 30 * time.Second
	}
	if hc.Timeout == 0 {
		hc.Timeout = 10 * time.Second
		if hc.Protocol == CheckHTTP {
			hc.Timeout = 6 * time.Second
		}
	}
	hc.Timeout = min(hc.Timeout, hc.Interval)
	if hc.HealthyThreshold <= 0 {
		hc.HealthyThreshold = 5
	}
	if hc.UnhealthyThreshold <= 0 {
		hc.UnhealthyThreshold = 2
	}
	if hc.Protocol != CheckTCP {
		if hc.Path == "" {
			hc.Path = "/"
		}
		if hc.Matcher == "" {
			hc.Matcher = "200-399"
		}
	}
	return hc
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// validate checks cfg and returns the first problem found. It touches no files or sockets.
func validate(cfg *Config) error {
	groups := make(map[string]*TargetGroup, len(cfg.TargetGroups))
	for i := range cfg.TargetGroups {
		tg := &cfg.TargetGroups[i]
		if tg.ARN == "" {
			return invalid("target group %d has no ARN", i)
		}
		if groups[tg.ARN] != nil {
			return invalid("duplicate target group %s", tg.ARN)
		}
		if err := validateGroup(tg); err != nil {
			return err
		}
		groups[tg.ARN] = tg
	}
	ports := map[int]bool{}
	for i := range cfg.Listeners {
		l := &cfg.Listeners[i]
		if l.Port < 1 || l.Port > 65535 {
			return invalid("listener %s: port %d out of range", l.ARN, l.Port)
		}
		if ports[l.Port] {
			return invalid("two listeners on port %d", l.Port)
		}
		ports[l.Port] = true
		if err := validateListener(l, groups); err != nil {
			return err
		}
	}
	return nil
}

func validateListener(l *Listener, groups map[string]*TargetGroup) error {
	switch l.Protocol {
	case ProtocolTCP, ProtocolUDP, ProtocolTCPUDP:
		if len(l.Certificates) > 0 || len(l.ALPN) > 0 {
			return invalid("listener %s: certificates and ALPN need protocol TLS", l.ARN)
		}
	case ProtocolTLS:
		if len(l.Certificates) == 0 {
			return invalid("listener %s: TLS needs a certificate", l.ARN)
		}
		if err := l.TLS.Validate(); err != nil {
			return invalid("listener %s: %v", l.ARN, err)
		}
		for _, p := range l.ALPN {
			if p == "" || len(p) > 255 {
				return invalid("listener %s: ALPN protocol %q", l.ARN, p)
			}
		}
	default:
		return invalid("listener %s: protocol %q", l.ARN, l.Protocol)
	}
	if l.IdleTimeout < 0 {
		return invalid("listener %s: negative idle timeout", l.ARN)
	}
	if len(l.Forward) == 0 {
		return invalid("listener %s: no target group to forward to", l.ARN)
	}
	total := 0
	for _, w := range l.Forward {
		tg := groups[w.ARN]
		if tg == nil {
			return invalid("listener %s: forward to unknown target group %s", l.ARN, w.ARN)
		}
		if w.Weight < 0 || w.Weight > MaxForwardWeight {
			return invalid("listener %s: weight %d out of range 0..%d", l.ARN, w.Weight, MaxForwardWeight)
		}
		if !compatible(l.Protocol, tg.Protocol) {
			return invalid("listener %s: protocol %s cannot forward to %s target group %s", l.ARN, l.Protocol, tg.Protocol, tg.ARN)
		}
		total += w.Weight
	}
	if len(l.Forward) > 1 && total == 0 {
		return invalid("listener %s: every forward weight is 0", l.ARN)
	}
	return nil
}

// compatible says which target groups a listener can relay to: TCP and TLS
// listeners to TCP or TLS groups (a TCP listener also to TCP_UDP), UDP to UDP or
// TCP_UDP, and TCP_UDP only to TCP_UDP (ELB: "A TCP_UDP listener must be associated
// with a TCP_UDP target group").
func compatible(listener, group string) bool {
	switch listener {
	case ProtocolTCP:
		return group == ProtocolTCP || group == ProtocolTLS || group == ProtocolTCPUDP
	case ProtocolTLS:
		return group == ProtocolTCP || group == ProtocolTLS
	case ProtocolUDP:
		return group == ProtocolUDP || group == ProtocolTCPUDP
	case ProtocolTCPUDP:
		return group == ProtocolTCPUDP
	}
	return false
}

func validateGroup(tg *TargetGroup) error {
	switch tg.Protocol {
	case ProtocolTCP, ProtocolTLS, ProtocolUDP, ProtocolTCPUDP:
	default:
		return invalid("target group %s: protocol %q", tg.ARN, tg.Protocol)
	}
	if tg.ProxyProtocolV2 && (tg.Protocol == ProtocolUDP || tg.Protocol == ProtocolTCPUDP) {
		return invalid("target group %s: proxy protocol v2 is not supported for %s", tg.ARN, tg.Protocol)
	}
	if tg.DeregistrationDelay < 0 {
		return invalid("target group %s: negative deregistration delay", tg.ARN)
	}
	if err := validateHealthCheck(tg); err != nil {
		return err
	}
	if err := lbtarget.CheckTargets(tg.Port, tg.Targets, func(t lb.Target) (string, int) { return t.ID, t.Port }); err != nil {
		return invalid("target group %s: %v", tg.ARN, err)
	}
	return nil
}

func validateHealthCheck(tg *TargetGroup) error {
	hc := tg.HealthCheck
	switch hc.Protocol {
	case "", CheckTCP, CheckHTTP, CheckHTTPS:
	default:
		return invalid("target group %s: health check protocol %q", tg.ARN, hc.Protocol)
	}
	if hc.Interval != 0 && hc.Interval < time.Second || hc.Timeout != 0 && hc.Timeout < time.Second {
		return invalid("target group %s: health check interval and timeout must be >= 1s", tg.ARN)
	}
	if hc.Port != "" && hc.Port != "traffic-port" {
		if p, err := strconv.Atoi(hc.Port); err != nil || p < 1 || p > 65535 {
			return invalid("target group %s: health check port %q", tg.ARN, hc.Port)
		}
	}
	if (hc.Protocol == "" || hc.Protocol == CheckTCP) && (hc.Path != "" || hc.Matcher != "") {
		return invalid("target group %s: a TCP health check has no path or matcher", tg.ARN)
	}
	if hc.Matcher != "" {
		if _, err := parseMatcher(hc.Matcher); err != nil {
			return invalid("target group %s: %v", tg.ARN, err)
		}
	}
	return nil
}
