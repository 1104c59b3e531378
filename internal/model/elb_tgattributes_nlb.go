package model

// AttrUnhealthyDrainingInterval is
// target_health_state.unhealthy.draining_interval_seconds; the other keys of
// network load balancers' groups are in elb_nlbattributes.go.
const AttrUnhealthyDrainingInterval = "target_health_state.unhealthy.draining_interval_seconds"

// udpLike reports whether the group carries UDP, where ELB turns some
// TCP-only attributes off.
func (tg TargetGroup) udpLike() bool {
	return tg.Protocol == ProtocolUDP || tg.Protocol == ProtocolTCPUDP
}

// attributeTable is what ELB lists for tg's kind; for application load
// balancers' groups see TargetGroupAttributeDefaults and validateAttribute.
func (tg TargetGroup) attributeTable() attrTable {
	if !tg.IsNetwork() {
		t := attrTable{}
		for k, v := range TargetGroupAttributeDefaults() {
			t[k] = attrSpec{def: v}
		}
		return t
	}
	udp := tg.udpLike()
	// ELB: client IP preservation is off by default for ip targets over TCP
	// or TLS, on otherwise; connection termination on deregistration is on
	// by default for UDP and TCP_UDP groups.
	preserve := !(tg.TargetType == TargetTypeIP && !udp)
	return attrTable{
		AttrDeregistrationDelay:            {def: "300", check: intRange(0, 3600)},
		AttrConnectionTermination:          {def: boolString(udp), check: boolAttr},
		AttrPreserveClientIP:               {def: boolString(preserve), check: boolAttr},
		AttrProxyProtocolV2:                {def: "false", check: boolAttr},
		AttrStickinessEnabled:              {def: "false", check: boolAttr},
		AttrStickinessType:                 {def: StickinessSourceIP, check: enumAttr(StickinessSourceIP)},
		AttrCrossZone:                      {def: "use_load_balancer_configuration", check: enumAttr("true", "false", "use_load_balancer_configuration")},
		AttrDNSFailoverCount:               {def: "1", check: validateAttribute},
		AttrDNSFailoverPercent:             {def: "off", check: validateAttribute},
		AttrUnhealthyRouteCount:            {def: "1", check: validateAttribute},
		AttrUnhealthyRoutePct:              {def: "off", check: validateAttribute},
		AttrUnhealthyConnectionTermination: {def: boolString(!udp), check: boolAttr},
		AttrUnhealthyDrainingInterval:      {def: "0", check: intRange(0, 360000)},
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// NetworkTargetGroupAttributeDefaults returns ELB's defaults for a network
// load balancer's target group of protocol and target type.
func NetworkTargetGroupAttributeDefaults(protocol, targetType string) map[string]string {
	return TargetGroup{Protocol: protocol, TargetType: targetType}.attributeTable().defaults()
}

// setNetworkAttributes validates attrs as ELB does for a network load
// balancer's target group and applies them.
func (tg *TargetGroup) setNetworkAttributes(attrs []TargetGroupAttribute) error {
	next, err := tg.attributeTable().apply(tg.Attributes, attrs, func(key string) error {
		if _, alb := TargetGroupAttributeDefaults()[key]; alb || key == "lambda.multi_value_headers.enabled" {
			return elbErr(ELBInvalidConfiguration, "The attribute '%s' is not supported for target groups of network load balancers", key)
		}
		if key == "target_failover.on_deregistration" || key == "target_failover.on_unhealthy" {
			return elbErr(ELBInvalidConfiguration, "The attribute '%s' is only supported for target groups of gateway load balancers", key)
		}
		return elbInvalid("Target group attribute key '%s' is not recognized", key)
	})
	if err != nil {
		return err
	}
	if tg.udpLike() {
		switch {
		case next[AttrPreserveClientIP] != "true":
			return elbErr(ELBInvalidConfiguration, "Client IP preservation cannot be disabled for %s target groups", tg.Protocol)
		case next[AttrProxyProtocolV2] == "true":
			return elbErr(ELBInvalidConfiguration, "Proxy protocol v2 is not supported for %s target groups", tg.Protocol)
		case next[AttrUnhealthyConnectionTermination] == "true":
			return elbErr(ELBInvalidConfiguration, "Unhealthy connection termination cannot be enabled for %s target groups", tg.Protocol)
		}
	}
	// ELB: the draining interval applies only when unhealthy targets keep
	// their connections.
	if next[AttrUnhealthyDrainingInterval] != "0" && next[AttrUnhealthyConnectionTermination] == "true" {
		return elbErr(ELBInvalidConfiguration, "'%s' can only be set when '%s' is 'false'", AttrUnhealthyDrainingInterval, AttrUnhealthyConnectionTermination)
	}
	tg.Attributes = next
	return nil
}

// ConnectionTermination is deregistration_delay.connection_termination.enabled:
// at the end of the deregistration delay a draining target's connections
// and flows are closed.
func (tg TargetGroup) ConnectionTermination() bool {
	return tg.Attribute(AttrConnectionTermination) == "true"
}

// UnhealthyConnectionTermination is
// target_health_state.unhealthy.connection_termination.enabled.
func (tg TargetGroup) UnhealthyConnectionTermination() bool {
	return tg.Attribute(AttrUnhealthyConnectionTermination) == "true"
}

// ProxyProtocolV2 is proxy_protocol_v2.enabled: every TCP connection to a
// target starts with a PROXY protocol v2 header.
func (tg TargetGroup) ProxyProtocolV2() bool { return tg.Attribute(AttrProxyProtocolV2) == "true" }

// SourceIPStickiness is stickiness.enabled with stickiness.type source_ip
// (network load balancers' groups): one client reaches one target.
func (tg TargetGroup) SourceIPStickiness() bool {
	return tg.IsNetwork() && tg.Attribute(AttrStickinessEnabled) == "true" && tg.Attribute(AttrStickinessType) == StickinessSourceIP
}
