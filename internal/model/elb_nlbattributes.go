package model

// Target group attribute keys of network load balancers that the layer-4 data
// plane (internal/l4) acts on. ELB accepts them only for NLB target groups
// (nlbOnlyAttributes); absent from a record, they have ELB's defaults, which
// NLBAttributeDefault gives.
const (
	AttrConnectionTermination          = "deregistration_delay.connection_termination.enabled"
	AttrUnhealthyConnectionTermination = "target_health_state.unhealthy.connection_termination.enabled"
	AttrProxyProtocolV2                = "proxy_protocol_v2.enabled"
	AttrPreserveClientIP               = "preserve_client_ip.enabled"
)

// StickinessSourceIP is the stickiness.type of network load balancers.
const StickinessSourceIP = "source_ip"

// NLBAttributeDefault is ELB's default of an NLB-only target group attribute.
func NLBAttributeDefault(key string) string {
	switch key {
	case AttrUnhealthyConnectionTermination:
		return "true"
	case AttrConnectionTermination, AttrProxyProtocolV2:
		return "false"
	}
	return ""
}
