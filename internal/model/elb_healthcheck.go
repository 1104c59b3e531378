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

// defaultHealthCheck is ELB's default for HTTP/HTTPS target groups with
// instance or ip targets.
func defaultHealthCheck(protocol string) TargetGroupHealthCheck {
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
	setPtr(&hc.Port, s.Port)
	setPtr(&hc.Path, s.Path)
	setPtr(&hc.IntervalSeconds, s.IntervalSeconds)
	setPtr(&hc.TimeoutSeconds, s.TimeoutSeconds)
	setPtr(&hc.HealthyThresholdCount, s.HealthyThreshold)
	setPtr(&hc.UnhealthyThresholdCount, s.UnhealthyThreshold)
	setPtr(&hc.HTTPCode, s.HTTPCode)
	if s.GRPCCode != nil {
		return elbInvalid("A gRPC matcher can only be used with target groups whose protocol version is GRPC")
	}
	if err := hc.validate(); err != nil {
		return err
	}
	tg.HealthCheck = hc
	return nil
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
	if hc.Port != TrafficPort {
		if p, err := strconv.Atoi(hc.Port); err != nil || p < 1 || p > 65535 {
			return elbInvalid("Health check port '%s' must be 'traffic-port' or a number between 1 and 65535", hc.Port)
		}
	}
	if len(hc.Path) < 1 || len(hc.Path) > 1024 || !strings.HasPrefix(hc.Path, "/") {
		return elbInvalid("Health check path %q must begin with '/' and be 1 to 1024 characters long", hc.Path)
	}
	// The path is written into every health-check request's request line.
	if !visibleASCII(hc.Path) {
		return elbInvalid("Health check path %q can only contain printable ASCII characters without spaces", hc.Path)
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
	if err := inRange("Unhealthy threshold count", hc.UnhealthyThresholdCount, 2, 10); err != nil {
		return err
	}
	return validateHTTPMatcher(hc.HTTPCode)
}

func inRange(what string, v, lo, hi int) error {
	if v < lo || v > hi {
		return elbInvalid("%s '%d' must be between %d and %d", what, v, lo, hi)
	}
	return nil
}

// validateHTTPMatcher accepts ELB's matcher forms for ALB: codes 200-499 as
// a single value, a comma-separated list or a range.
func validateHTTPMatcher(m string) error {
	bad := elbInvalid("Health check matcher HTTP code %q must be a value, a comma-separated list or a range of codes between 200 and 499", m)
	if m == "" || len(m) > 128 {
		return bad
	}
	for _, part := range strings.Split(m, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 200 || a > 499 {
			return bad
		}
		if isRange {
			b, err := strconv.Atoi(hi)
			if err != nil || b < a || b > 499 {
				return bad
			}
		}
	}
	return nil
}
