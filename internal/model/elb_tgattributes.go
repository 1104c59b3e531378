package model

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Target group attribute keys Slipway's data plane acts on; the others ELB
// lists for ALB target groups are validated, stored and echoed.
const (
	AttrDeregistrationDelay  = "deregistration_delay.timeout_seconds"
	AttrSlowStart            = "slow_start.duration_seconds"
	AttrStickinessEnabled    = "stickiness.enabled"
	AttrStickinessType       = "stickiness.type"
	AttrStickinessLBDuration = "stickiness.lb_cookie.duration_seconds"
	AttrAppCookieName        = "stickiness.app_cookie.cookie_name"
	AttrAppCookieDuration    = "stickiness.app_cookie.duration_seconds"
	AttrAlgorithm            = "load_balancing.algorithm.type"
	AttrAnomalyMitigation    = "load_balancing.algorithm.anomaly_mitigation"
	AttrCrossZone            = "load_balancing.cross_zone.enabled"
	AttrDNSFailoverCount     = "target_group_health.dns_failover.minimum_healthy_targets.count"
	AttrDNSFailoverPercent   = "target_group_health.dns_failover.minimum_healthy_targets.percentage"
	AttrUnhealthyRouteCount  = "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count"
	AttrUnhealthyRoutePct    = "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage"
)

// TargetGroupAttribute is one key/value attribute of a target group.
type TargetGroupAttribute struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// TargetGroupAttributeDefaults returns ELB's defaults for an ALB target group
// with instance or ip targets.
func TargetGroupAttributeDefaults() map[string]string {
	return map[string]string{
		AttrDeregistrationDelay: "300", AttrSlowStart: "0",
		AttrStickinessEnabled: "false", AttrStickinessType: "lb_cookie",
		AttrStickinessLBDuration: "86400", AttrAppCookieName: "", AttrAppCookieDuration: "86400",
		AttrAlgorithm: "round_robin", AttrAnomalyMitigation: "off",
		AttrCrossZone:        "use_load_balancer_configuration",
		AttrDNSFailoverCount: "1", AttrDNSFailoverPercent: "off",
		AttrUnhealthyRouteCount: "1", AttrUnhealthyRoutePct: "off",
	}
}

// nlbOnlyAttributes are keys ELB accepts only for network or gateway load
// balancers' target groups.
var nlbOnlyAttributes = map[string]bool{
	"deregistration_delay.connection_termination.enabled": true, "preserve_client_ip.enabled": true,
	"proxy_protocol_v2.enabled": true, "target_health_state.unhealthy.connection_termination.enabled": true,
	"target_health_state.unhealthy.draining_interval_seconds": true, "target_failover.on_deregistration": true,
	"target_failover.on_unhealthy": true, "lambda.multi_value_headers.enabled": true,
}

// AttributeList returns tg's attributes sorted by key.
func (tg TargetGroup) AttributeList() []TargetGroupAttribute {
	if tg.IsNetwork() {
		return sortedAttributes(tg.attributeTable(), tg.Attributes)
	}
	out := make([]TargetGroupAttribute, 0, len(tg.Attributes))
	for _, k := range slices.Sorted(maps.Keys(tg.Attributes)) {
		out = append(out, TargetGroupAttribute{Key: k, Value: tg.Attributes[k]})
	}
	return out
}

// SetAttributes validates attrs as ELB does for tg's kind and applies
// them; tg is unchanged when it returns an error.
func (tg *TargetGroup) SetAttributes(attrs []TargetGroupAttribute) error {
	if tg.IsNetwork() {
		return tg.setNetworkAttributes(attrs)
	}
	if len(attrs) == 0 {
		return elbInvalid("At least one attribute must be specified")
	}
	next := maps.Clone(tg.Attributes)
	if next == nil {
		next = TargetGroupAttributeDefaults()
	}
	for _, a := range attrs {
		if err := validateAttribute(a.Key, a.Value); err != nil {
			return err
		}
		next[a.Key] = a.Value
	}
	if err := validateAttributeCombination(next); err != nil {
		return err
	}
	tg.Attributes = next
	return nil
}

func validateAttribute(key, v string) error {
	if nlbOnlyAttributes[key] {
		return elbErr(ELBInvalidConfiguration, "The attribute '%s' is not supported for target groups of application load balancers", key)
	}
	switch key {
	case AttrDeregistrationDelay:
		return intAttr(key, v, 0, 3600)
	case AttrSlowStart:
		if v == "0" {
			return nil
		}
		return intAttr(key, v, 30, 900)
	case AttrStickinessLBDuration, AttrAppCookieDuration:
		return intAttr(key, v, 1, 604800)
	case AttrStickinessEnabled:
		return oneOf(key, v, "true", "false")
	case AttrStickinessType:
		return oneOf(key, v, "lb_cookie", "app_cookie")
	case AttrAppCookieName:
		return validateAppCookieName(v)
	case AttrAlgorithm:
		return oneOf(key, v, "round_robin", "least_outstanding_requests", "weighted_random")
	case AttrAnomalyMitigation:
		return oneOf(key, v, "on", "off")
	case AttrCrossZone:
		return oneOf(key, v, "true", "false", "use_load_balancer_configuration")
	case AttrDNSFailoverCount:
		if v == "off" {
			return nil
		}
		return intAttr(key, v, 1, 1<<31-1)
	case AttrUnhealthyRouteCount:
		return intAttr(key, v, 1, 1<<31-1)
	case AttrDNSFailoverPercent, AttrUnhealthyRoutePct:
		if v == "off" {
			return nil
		}
		return intAttr(key, v, 1, 100)
	}
	return elbInvalid("Target group attribute key '%s' is not recognized", key)
}

func intAttr(key, v string, lo, hi int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return elbInvalid("'%s' must be an integer between %d and %d for attribute '%s'", v, lo, hi, key)
	}
	return nil
}

func oneOf(key, v string, allowed ...string) error {
	if !slices.Contains(allowed, v) {
		return elbInvalid("'%s' must be one of '%s' for attribute '%s'", v, strings.Join(allowed, ", "), key)
	}
	return nil
}

// validateAppCookieName follows ELB: the prefixes AWSALB, AWSALBAPP and
// AWSALBTG are reserved for the load balancer's own cookies.
func validateAppCookieName(v string) error {
	if strings.HasPrefix(v, "AWSALB") {
		return elbInvalid("Application cookie name '%s' cannot start with 'AWSALB', 'AWSALBAPP' or 'AWSALBTG'", v)
	}
	if len(v) > 128 {
		return elbInvalid("Application cookie name '%s' cannot be longer than '128' characters", v)
	}
	return nil
}

// validateAttributeCombination checks rules that involve several keys.
func validateAttributeCombination(a map[string]string) error {
	// ELB: slow start works only with round robin.
	if a[AttrSlowStart] != "0" && a[AttrAlgorithm] != "round_robin" {
		return elbErr(ELBInvalidConfiguration, "Slow start mode is only supported with the 'round_robin' load balancing algorithm")
	}
	// ELB: anomaly mitigation is an option of weighted random routing.
	if a[AttrAnomalyMitigation] == "on" && a[AttrAlgorithm] != "weighted_random" {
		return elbErr(ELBInvalidConfiguration, "Anomaly mitigation is only supported with the 'weighted_random' load balancing algorithm")
	}
	if a[AttrStickinessEnabled] == "true" && a[AttrStickinessType] == "app_cookie" && a[AttrAppCookieName] == "" {
		return elbErr(ELBInvalidConfiguration, "An application cookie name must be specified for 'app_cookie' stickiness")
	}
	return nil
}

// DeregistrationDelay is deregistration_delay.timeout_seconds.
func (tg TargetGroup) DeregistrationDelay() time.Duration {
	return tg.secondsAttr(AttrDeregistrationDelay, 300)
}

// SlowStart is slow_start.duration_seconds (0: off).
func (tg TargetGroup) SlowStart() time.Duration { return tg.secondsAttr(AttrSlowStart, 0) }

// StickinessDuration is stickiness.lb_cookie.duration_seconds.
func (tg TargetGroup) StickinessDuration() time.Duration {
	return tg.secondsAttr(AttrStickinessLBDuration, 86400)
}

// Attribute returns the value of key, or ELB's default when it is unset.
func (tg TargetGroup) Attribute(key string) string {
	if v, ok := tg.Attributes[key]; ok {
		return v
	}
	if tg.IsNetwork() {
		return tg.attributeTable()[key].def
	}
	return TargetGroupAttributeDefaults()[key]
}

func (tg TargetGroup) secondsAttr(key string, def int) time.Duration {
	n, err := strconv.Atoi(tg.Attribute(key))
	if err != nil {
		n = def
	}
	return time.Duration(n) * time.Second
}
