package lb

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/lbtarget"
)

// Sentinel errors. Callers match them with errors.Is; details are wrapped with %w.
var (
	// ErrInvalidConfig means Apply rejected a Config; nothing changed.
	ErrInvalidConfig = errors.New("lb: invalid config")
	// ErrBind means a listener port could not be bound; nothing changed.
	ErrBind = errors.New("lb: cannot bind listener")
	// ErrCertificate means an HTTPS listener's certificate could not be loaded; nothing changed.
	ErrCertificate = errors.New("lb: cannot load certificate")
	// ErrClosed is returned by Apply and WaitDrained after Close.
	ErrClosed = errors.New("lb: data plane closed")
)

// BindError is the ErrBind an Apply returns: it names the listener port that
// could not be bound, so a caller can leave that listener out and apply the
// rest (errors.As), also when the error crossed a process boundary.
type BindError struct {
	Port int
	Err  error // why, e.g. the *net.OpError of net.Listen
}

func (e *BindError) Error() string { return fmt.Sprintf("%v: port %d: %v", ErrBind, e.Port, e.Err) }

// Unwrap lets errors.Is match ErrBind and errors.As reach the cause.
func (e *BindError) Unwrap() []error { return []error{ErrBind, e.Err} }

// Config is one complete routing configuration; Version increases with every change.
type Config struct {
	Version       uint64
	Listeners     []Listener
	TargetGroups  []TargetGroup
	LoadBalancers []LoadBalancer // the settings listeners name by LoadBalancerARN
	// Auth holds the keys of authenticate-oidc actions; nil when none has one.
	Auth *AuthKeys
}

// Listener is one port the load balancer serves, with its rules.
type Listener struct {
	ARN            string
	Port           int           // 1..65535, bound on Options.Host
	Protocol       string        // "HTTP" or "HTTPS"
	Certificates   []Certificate // HTTPS: first is the default, the rest picked by SNI
	TLS            TLSPolicy     // HTTPS: the listener's security policy (SslPolicy)
	Rules          []Rule        // non-default rules in any order; evaluated by ascending Priority
	DefaultActions []Action
	// LoadBalancerARN names the listener's LoadBalancer in Config.LoadBalancers;
	// "" takes ELB's defaults.
	LoadBalancerARN string
	// NoServerHeader is routing.http.response.server.enabled=false: responses
	// the load balancer generates carry no Server field.
	NoServerHeader bool
	// ResponseHeaders are added to every response (routing.http.response.*).
	ResponseHeaders []HeaderField
	// TLSVersionHeader and TLSCipherSuiteHeader rename the TLS request
	// headers (HTTPS, with LoadBalancer.TLSHeaders); "": ELB's names.
	TLSVersionHeader, TLSCipherSuiteHeader string
}

// Certificate is a PEM certificate chain and its private key. The control
// plane reads them from the files a listener names (lbsync), so a data
// plane needs no access to those files, and a changed file reaches it as a
// new configuration.
type Certificate struct {
	// Name identifies the certificate in errors and logs (the listener's
	// CertificateArn); the key material never appears in either.
	Name            string
	CertPEM, KeyPEM []byte
}

// String names the certificate, so that printing a configuration never
// prints a private key.
func (c Certificate) String() string { return c.Name }

// Rule is a listener rule: when all Conditions match, Actions run.
type Rule struct {
	ARN        string
	Priority   int
	Conditions []Condition
	Actions    []Action
}

// Condition is one ALB rule condition. Values within one condition are ORed.
type Condition struct {
	Field      string     // path-pattern, host-header, http-header, http-request-method, query-string, source-ip
	Values     []string   // path-pattern, host-header, http-header values, http-request-method, source-ip (CIDRs)
	HeaderName string     // http-header
	Query      []KeyValue // query-string; Key may be empty (match any key)
}

// KeyValue is one query-string condition pair; wildcards * and ? are allowed in both.
type KeyValue struct{ Key, Value string }

// Action is a rule or default action. Only the first terminal action (by Order) runs.
type Action struct {
	Type          string // forward, fixed-response, redirect, authenticate-oidc (before a routing action)
	Order         int
	Forward       []WeightedTargetGroup // forward: one group, or several with weights 0..999
	Stickiness    GroupStickiness       // target-group stickiness for weighted forward
	FixedResponse *FixedResponse
	Redirect      *Redirect
	// AuthenticateOIDC is the authenticate-oidc action's configuration.
	AuthenticateOIDC *AuthenticateOIDC
}

// WeightedTargetGroup is one group of a forward action with its weight (0..999).
type WeightedTargetGroup struct {
	ARN    string
	Weight int
}

// GroupStickiness binds a client to one group of a weighted forward (AWSALBTG cookie).
type GroupStickiness struct {
	Enabled  bool
	Duration time.Duration
}

// FixedResponse is the fixed-response action's content.
type FixedResponse struct{ StatusCode, ContentType, MessageBody string }

// Redirect is the redirect action; fields may use #{protocol} #{host} #{port} #{path} #{query}.
// StatusCode is HTTP_301 or HTTP_302.
type Redirect struct{ Protocol, Host, Port, Path, Query, StatusCode string }

// TargetGroup is a set of targets with their health check and balancing settings.
type TargetGroup struct {
	ARN, Name           string
	Protocol            string // HTTP or HTTPS (to targets)
	Port                int    // default port for targets without one
	HealthCheck         HealthCheck
	DeregistrationDelay time.Duration // deregistration_delay.timeout_seconds, default 300s
	SlowStart           time.Duration // slow_start.duration_seconds, 0 = off
	Stickiness          Stickiness    // stickiness.enabled / type lb_cookie / lb_cookie.duration_seconds
	Algorithm           string        // round_robin (default) or least_outstanding_requests
	Targets             []Target      // currently registered targets
}

// HealthCheck holds a target group's health check settings.
type HealthCheck struct {
	Enabled            bool
	Protocol           string // HTTP or HTTPS
	Port               string // "traffic-port" or a number
	Path               string // default "/"
	Interval, Timeout  time.Duration
	HealthyThreshold   int    // default 5
	UnhealthyThreshold int    // default 2
	Matcher            string // "200", "200,202", "200-299"
}

// Stickiness is target stickiness within a group; only type lb_cookie (AWSALB cookie) is supported.
type Stickiness struct {
	Enabled  bool
	Type     string
	Duration time.Duration
}

// Target is one registered target.
type Target struct {
	ID       string // instance/ip id as registered
	Host     string // what to dial, e.g. "127.0.0.1"
	Port     int
	Revision string // opaque label for statistics, e.g. "talk:3"; may be empty
}

// Target group algorithms.
const (
	AlgorithmRoundRobin = "round_robin"
	AlgorithmLOR        = "least_outstanding_requests"
)

// invalid wraps a formatted detail in ErrInvalidConfig.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// validate checks cfg and returns the first problem found. It does not touch files or sockets.
func validate(cfg *Config) error {
	groups := make(map[string]*TargetGroup, len(cfg.TargetGroups))
	for i := range cfg.TargetGroups {
		tg := &cfg.TargetGroups[i]
		if tg.ARN == "" {
			return invalid("target group %d has no ARN", i)
		}
		if _, dup := groups[tg.ARN]; dup {
			return invalid("duplicate target group %s", tg.ARN)
		}
		if err := validateGroup(tg); err != nil {
			return err
		}
		groups[tg.ARN] = tg
	}
	if err := validateSettings(cfg); err != nil {
		return err
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

func validateGroup(tg *TargetGroup) error {
	switch strings.ToUpper(tg.Protocol) {
	case "", "HTTP", "HTTPS":
	default:
		return invalid("target group %s: protocol %q", tg.ARN, tg.Protocol)
	}
	switch tg.Algorithm {
	case "", AlgorithmRoundRobin, AlgorithmLOR:
	default:
		return invalid("target group %s: algorithm %q", tg.ARN, tg.Algorithm)
	}
	if tg.DeregistrationDelay < 0 || tg.SlowStart < 0 {
		return invalid("target group %s: negative duration", tg.ARN)
	}
	if tg.Stickiness.Enabled && tg.Stickiness.Type != "" && tg.Stickiness.Type != "lb_cookie" {
		return invalid("target group %s: stickiness type %q not supported", tg.ARN, tg.Stickiness.Type)
	}
	hc := tg.HealthCheck
	if hc.Interval != 0 && hc.Interval < time.Second || hc.Timeout != 0 && hc.Timeout < time.Second {
		return invalid("target group %s: health check interval and timeout must be >= 1s", tg.ARN)
	}
	if hc.Port != "" && hc.Port != "traffic-port" {
		if p, err := strconv.Atoi(hc.Port); err != nil || p < 1 || p > 65535 {
			return invalid("target group %s: health check port %q", tg.ARN, hc.Port)
		}
	}
	if _, err := parseMatcher(hc.Matcher); err != nil {
		return invalid("target group %s: %v", tg.ARN, err)
	}
	if err := lbtarget.CheckTargets(tg.Port, tg.Targets, func(t Target) (string, int) { return t.ID, t.Port }); err != nil {
		return invalid("target group %s: %v", tg.ARN, err)
	}
	return nil
}

func validateListener(l *Listener, groups map[string]*TargetGroup) error {
	switch l.Protocol {
	case "HTTP":
	case "HTTPS":
		if len(l.Certificates) == 0 {
			return invalid("listener %s: HTTPS needs a certificate", l.ARN)
		}
		if err := l.TLS.Validate(); err != nil {
			return invalid("listener %s: %v", l.ARN, err)
		}
	default:
		return invalid("listener %s: protocol %q", l.ARN, l.Protocol)
	}
	if len(l.DefaultActions) == 0 {
		return invalid("listener %s: no default actions", l.ARN)
	}
	if err := validateActions(l.DefaultActions, groups); err != nil {
		return fmt.Errorf("listener %s default actions: %w", l.ARN, err)
	}
	prios := map[int]bool{}
	for _, r := range l.Rules {
		if prios[r.Priority] {
			return invalid("listener %s: duplicate rule priority %d", l.ARN, r.Priority)
		}
		prios[r.Priority] = true
		if len(r.Actions) == 0 {
			return invalid("rule %s: no actions", r.ARN)
		}
		for _, c := range r.Conditions {
			if err := validateCondition(c); err != nil {
				return fmt.Errorf("rule %s: %w", r.ARN, err)
			}
		}
		if err := validateActions(r.Actions, groups); err != nil {
			return fmt.Errorf("rule %s: %w", r.ARN, err)
		}
	}
	return nil
}

func validateCondition(c Condition) error {
	switch c.Field {
	case "path-pattern", "host-header", "http-request-method":
		if len(c.Values) == 0 {
			return invalid("condition %s has no values", c.Field)
		}
	case "http-header":
		if c.HeaderName == "" || len(c.Values) == 0 {
			return invalid("http-header condition needs a name and values")
		}
	case "query-string":
		if len(c.Query) == 0 {
			return invalid("query-string condition has no key/value pairs")
		}
	case "source-ip":
		for _, v := range c.Values {
			if _, err := netip.ParsePrefix(v); err != nil {
				return invalid("source-ip %q: %v", v, err)
			}
		}
		if len(c.Values) == 0 {
			return invalid("source-ip condition has no values")
		}
	default:
		return invalid("unknown condition field %q", c.Field)
	}
	return nil
}

func validateActions(actions []Action, groups map[string]*TargetGroup) error {
	for _, a := range actions {
		switch a.Type {
		case "forward":
			if len(a.Forward) == 0 {
				return invalid("forward action without target groups")
			}
			for _, w := range a.Forward {
				if groups[w.ARN] == nil {
					return invalid("forward to unknown target group %s", w.ARN)
				}
				if w.Weight < 0 || w.Weight > 999 {
					return invalid("weight %d out of range 0..999", w.Weight)
				}
			}
		case "fixed-response":
			if a.FixedResponse == nil {
				return invalid("fixed-response action without content")
			}
			if c, err := strconv.Atoi(a.FixedResponse.StatusCode); err != nil || c < 200 || c > 599 || c/100 == 3 {
				return invalid("fixed-response status %q", a.FixedResponse.StatusCode)
			}
			if !headerSafe(a.FixedResponse.ContentType) {
				return invalid("fixed-response content type %q", a.FixedResponse.ContentType)
			}
		case "redirect":
			if a.Redirect == nil {
				return invalid("redirect action without content")
			}
			if s := a.Redirect.StatusCode; s != "HTTP_301" && s != "HTTP_302" {
				return invalid("redirect status %q", s)
			}
			r := a.Redirect
			if !headerSafe(r.Protocol) || !headerSafe(r.Host) || !headerSafe(r.Port) || !headerSafe(r.Path) || !headerSafe(r.Query) {
				return invalid("redirect %+v: fields go into the Location header and must be visible ASCII", *r)
			}
		case ActionAuthenticateOIDC: // checked as served: validateAuth
		default:
			return invalid("unsupported action type %q", a.Type)
		}
	}
	return nil
}

// headerSafe reports whether s may be written into a response header as
// given: visible ASCII, with the spaces and tabs of a media type's
// parameters ("text/plain; charset=utf-8"), and no control characters.
func headerSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c > 0x7e {
			return false
		}
	}
	return true
}

// healthDefaults fills ELB's defaults into zero health check fields.
func healthDefaults(hc HealthCheck) HealthCheck {
	if hc.Path == "" {
		hc.Path = "/"
	}
	if hc.Interval == 0 {
		hc.Interval = 30 * time.Second
	}
	if hc.Timeout == 0 {
		hc.Timeout = 5 * time.Second
	}
	if hc.Timeout > hc.Interval {
		hc.Timeout = hc.Interval
	}
	if hc.HealthyThreshold <= 0 {
		hc.HealthyThreshold = 5
	}
	if hc.UnhealthyThreshold <= 0 {
		hc.UnhealthyThreshold = 2
	}
	if hc.Matcher == "" {
		hc.Matcher = "200"
	}
	if hc.Port == "" {
		hc.Port = "traffic-port"
	}
	if hc.Protocol == "" {
		hc.Protocol = "HTTP"
	}
	return hc
}

// parseMatcher parses a health check Matcher ("200" when empty), codes
// 100..599.
func parseMatcher(s string) (lbtarget.Matcher, error) {
	if s == "" {
		s = "200"
	}
	return lbtarget.ParseMatcher(s, 100)
}
