package model

import (
	"strconv"
	"strings"
)

// TargetGroupHealthCheck is a target group's health check settings.
type TargetGroupHealthCheck struct {
	Enabled                 bool   `json:"enabled"`
	Protocol                string `json:"protocol"`
	Port                    string `json:"port"`
	Path                    string `json:"path"`
	IntervalSeconds         int    `json:"intervalSeconds"`
	TimeoutSeconds          int    `json:"timeoutSeconds"`
	HealthyThresholdCount   int    `json:"healthyThresholdCount"`
	UnhealthyThresholdCount int    `json:"unhealthyThresholdCount"`
	// HTTPCode is the Matcher's HttpCode: "200", "200,202" or "200-299".
	HTTPCode string `json:"httpCode"`
}

// HealthCheckSpec holds the health check fields of CreateTargetGroup and
// ModifyTargetGroup; nil means "not given".
type HealthCheckSpec struct {
	Enabled            *bool
	Protocol           *string
	Port               *string
	Path               *string
	IntervalSeconds    *int
	TimeoutSeconds     *int
	HealthyThreshold   *int
	UnhealthyThreshold *int
	HTTPCode           *string
	GRPCCode           *string
}

// defaultHealthCheck is ELB's default for target groups of protocol with
// instance or ip targets: HTTP(S) on "/" for application load balancers'
// groups, TCP for network load balancers' (timeout 10 s, thresholds 5 and
// 2, every 30 s, as the NLB guide documents).
func defaultHealthCheck(protocol string) TargetGroupHealthCheck {
	if IsNetworkProtocol(protocol) {
		return TargetGroupHealthCheck{
			Enabled: true, Protocol: ProtocolTCP, Port: TrafficPort,
			IntervalSeconds: 30, TimeoutSeconds: 10, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2,
		}
	}
	return TargetGroupHealthCheck{
		Enabled: true, Protocol: protocol, Port: TrafficPort, Path: "/",
		IntervalSeconds: 30, TimeoutSeconds: 5, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2,
		HTTPCode: "200",
	}
}

// ModifyHealthCheck applies the given fields and validates the result; tg is
// unchanged when it returns an error.
func (tg *TargetGroup) ModifyHealthCheck(s HealthCheckSpec) error {
	hc := tg.HealthCheck
	setPtr(&hc.Enabled, s.Enabled)
	if s.Protocol != nil {
		hc.Protocol = strings.ToUpper(*s.Protocol)
	}
	if s.GRPCCode != nil {
		return elbInvalid("A gRPC matcher can only be used with target groups whose protocol version is GRPC")
	}
	if tg.IsNetwork() {
		return tg.modifyNetworkHealthCheck(hc, s)
	}
	hc.set(s)
	if err := hc.validate(); err != nil {
		return err
	}
	tg.HealthCheck = hc
	return nil
}

// set applies the given fields of s but Enabled and Protocol (which the
// caller sets first, as the defaults depend on them).
func (hc *TargetGroupHealthCheck) set(s HealthCheckSpec) {
	setPtr(&hc.Port, s.Port)
	setPtr(&hc.Path, s.Path)
	setPtr(&hc.IntervalSeconds, s.IntervalSeconds)
	setPtr(&hc.TimeoutSeconds, s.TimeoutSeconds)
	setPtr(&hc.HealthyThresholdCount, s.HealthyThreshold)
	setPtr(&hc.UnhealthyThresholdCount, s.UnhealthyThreshold)
	setPtr(&hc.HTTPCode, s.HTTPCode)
}

func setPtr[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func (hc TargetGroupHealthCheck) validate() error {
	// Only Lambda target groups may turn health checks off.
	if !hc.Enabled {
		return elbInvalid("Health checks cannot be disabled for target groups with target type 'instance' or 'ip'")
	}
	if hc.Protocol != ProtocolHTTP && hc.Protocol != ProtocolHTTPS {
		return elbInvalid("Health check protocol '%s' is not supported for target groups with the HTTP or HTTPS protocol", hc.Protocol)
	}
	if err := validateHealthPath(hc.Path); err != nil {
		return err
	}
	if err := hc.validateCommon(); err != nil {
		return err
	}
	return validateMatcher(hc.HTTPCode, 499)
}

// validateCommon checks what every health check has: enabled (only Lambda
// target groups may turn checks off), port, interval, timeout, thresholds.
func (hc TargetGroupHealthCheck) validateCommon() error {
	if !hc.Enabled {
		return elbInvalid("Health checks cannot be disabled for target groups with target type 'instance' or 'ip'")
	}
	if hc.Port != TrafficPort {
		if p, err := strconv.Atoi(hc.Port); err != nil || p < 1 || p > 65535 {
			return elbInvalid("Health check port '%s' must be 'traffic-port' or a number between 1 and 65535", hc.Port)
		}
	}
	if err := inRange("Health check interval", hc.IntervalSeconds, 5, 300); err != nil {
		return err
	}
	if err := inRange("Health check timeout", hc.TimeoutSeconds, 2, 120); err != nil {
		return err
	}
	if hc.TimeoutSeconds >= hc.IntervalSeconds {
		return elbInvalid("Health check interval must be greater than the timeout.")
	}
	if err := inRange("Healthy threshold count", hc.HealthyThresholdCount, 2, 10); err != nil {
		return err
	}
	return inRange("Unhealthy threshold count", hc.UnhealthyThresholdCount, 2, 10)
}

func validateHealthPath(path string) error {
	if len(path) < 1 || len(path) > 1024 || !strings.HasPrefix(path, "/") {
		return elbInvalid("Health check path %q must begin with '/' and be 1 to 1024 characters long", path)
	}
	// The path is written into every health-check request's request line.
	if !visibleASCII(path) {
		return elbInvalid("Health check path %q can only contain printable ASCII characters without spaces", path)
	}
	return nil
}

func inRange(what string, v, lo, hi int) error {
	if v < lo || v > hi {
		return elbInvalid("%s '%d' must be between %d and %d", what, v, lo, hi)
	}
	return nil
}

// validateMatcher accepts ELB's matcher forms: codes 200-max (499 for
// application, 599 for network load balancers' groups) as a single value,
// a comma-separated list or a range.
func validateMatcher(m string, max int) error {
	bad := elbInvalid("Health check matcher HTTP code %q must be a value, a comma-separated list or a range of codes between 200 and %d", m, max)
	if m == "" || len(m) > 128 {
		return bad
	}
	for _, part := range strings.Split(m, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 200 || a > max {
			return bad
		}
		if isRange {
			b, err := strconv.Atoi(hi)
			if err != nil || b < a || b > max {
				return bad
			}
		}
	}
	return nil
}

// modifyNetworkHealthCheck applies s to hc (its protocol already set) for a
// network load balancer's target group, as ELB does: TCP checks have no
// path or matcher; HTTP and HTTPS checks default to "/" and 200-399 (codes
// 200-599), and the timeout to 6 s for HTTP and 10 s otherwise.
func (tg *TargetGroup) modifyNetworkHealthCheck(hc TargetGroupHealthCheck, s HealthCheckSpec) error {
	switch hc.Protocol {
	case ProtocolTCP:
		if s.Path != nil || s.HTTPCode != nil {
			return elbInvalid("Health check path and matcher cannot be specified with the TCP health check protocol")
		}
		hc.Path, hc.HTTPCode = "", ""
	case ProtocolHTTP, ProtocolHTTPS:
		if hc.Path == "" {
			hc.Path = "/"
		}
		if hc.HTTPCode == "" {
			hc.HTTPCode = "200-399"
		}
	default:
		return elbInvalid("Health check protocol '%s' is not supported for target groups with the %s protocol: use TCP, HTTP or HTTPS", hc.Protocol, tg.Protocol)
	}
	if s.Protocol != nil && s.TimeoutSeconds == nil && hc.Protocol != tg.HealthCheck.Protocol {
		hc.TimeoutSeconds = 10
		if hc.Protocol == ProtocolHTTP {
			hc.TimeoutSeconds = 6
		}
	}
	hc.set(s)
	if err := hc.validateCommon(); err != nil {
		return err
	}
	if hc.Protocol != ProtocolTCP {
		if err := validateHealthPath(hc.Path); err != nil {
			return err
		}
		if err := validateMatcher(hc.HTTPCode, 599); err != nil {
			return err
		}
	}
	tg.HealthCheck = hc
	return nil
}
