package model

import (
	"strings"
	"time"
)

// Target group values ELBv2 defines.
const (
	TargetTypeInstance = "instance"
	TargetTypeIP       = "ip"
	ProtocolHTTP       = "HTTP"
	ProtocolHTTPS      = "HTTPS"
	ProtocolTCP        = "TCP"
	ProtocolTLS        = "TLS"
	ProtocolUDP        = "UDP"
	ProtocolTCPUDP     = "TCP_UDP"
	TrafficPort        = "traffic-port"
)

// TargetGroup is an ELBv2 target group: of an application load balancer
// (HTTP, HTTPS) or of a network load balancer (TCP, TLS, UDP, TCP_UDP;
// IsNetwork).
// The load balancers that use it are derived from listeners and rules, never
// stored here.
type TargetGroup struct {
	ARN             string                 `json:"arn"`
	Name            string                 `json:"name"`
	Protocol        string                 `json:"protocol"`
	ProtocolVersion string                 `json:"protocolVersion"`
	Port            int                    `json:"port"`
	VpcID           string                 `json:"vpcId,omitempty"`
	TargetType      string                 `json:"targetType"`
	IPAddressType   string                 `json:"ipAddressType"`
	HealthCheck     TargetGroupHealthCheck `json:"healthCheck"`
	// Attributes holds every attribute ELB lists for the group's kind,
	// defaults filled in (see TargetGroupAttributeDefaults and
	// NetworkTargetGroupAttributeDefaults).
	Attributes  map[string]string `json:"attributes"`
	CreatedTime time.Time         `json:"createdTime"`
}

// TargetGroupSpec is what CreateTargetGroup asks for; nil means "not given".
type TargetGroupSpec struct {
	Name            string
	Protocol        string
	ProtocolVersion string
	Port            *int
	VpcID           string
	TargetType      string
	IPAddressType   string
	HealthCheck     HealthCheckSpec
}

// NewTargetGroup validates spec, applies ELB's defaults for ALB target
// groups and mints the ARN.
func NewTargetGroup(p Partition, spec TargetGroupSpec, now time.Time) (TargetGroup, error) {
	if err := ValidateELBName("Target group", spec.Name); err != nil {
		return TargetGroup{}, err
	}
	tg := TargetGroup{
		Name: spec.Name, Protocol: strings.ToUpper(spec.Protocol), ProtocolVersion: strings.ToUpper(spec.ProtocolVersion),
		VpcID: spec.VpcID, TargetType: spec.TargetType, IPAddressType: spec.IPAddressType, CreatedTime: now.UTC(),
	}
	if spec.Port != nil {
		tg.Port = *spec.Port
	}
	if tg.TargetType == "" {
		tg.TargetType = TargetTypeInstance
	}
	if tg.IPAddressType == "" {
		tg.IPAddressType = "ipv4"
	}
	if err := tg.validateTargetType(spec.Port != nil); err != nil {
		return TargetGroup{}, err
	}
	if tg.ProtocolVersion == "" && !tg.IsNetwork() {
		tg.ProtocolVersion = "HTTP1"
	}
	if err := tg.validateBasics(spec.Port != nil); err != nil {
		return TargetGroup{}, err
	}
	tg.Attributes = tg.attributeTable().defaults()
	tg.HealthCheck = defaultHealthCheck(tg.Protocol)
	if err := tg.ModifyHealthCheck(spec.HealthCheck); err != nil {
		return TargetGroup{}, err
	}
	tg.ARN = p.TargetGroupARN(tg.Name, NewELBID())
	return tg, nil
}

// IsNetwork reports whether tg is a network load balancer's target group
// (TCP, TLS, UDP or TCP_UDP), served by the layer-4 data plane.
func (tg TargetGroup) IsNetwork() bool { return IsNetworkProtocol(tg.Protocol) }

// validateTargetType applies ELB's rules for the target type, then refuses
// lambda and alb targets, which have no meaning on one host.
func (tg TargetGroup) validateTargetType(hasPort bool) error {
	switch tg.TargetType {
	case TargetTypeInstance, TargetTypeIP:
		return nil
	case "lambda":
		// ELB: a Lambda target group has no protocol, port or VPC.
		if tg.Protocol != "" || hasPort || tg.VpcID != "" {
			return elbInvalid("A protocol, port and VPC ID cannot be specified for target groups with target type 'lambda'")
		}
		return elbErr(ELBInvalidConfiguration, "Target type 'lambda' is not supported: Slipway has no Lambda; register processes or containers (instance or ip)")
	case "alb":
		// ELB: an application load balancer is a target of a TCP group only.
		if tg.Protocol != ProtocolTCP {
			return elbInvalid("Target groups with target type 'alb' support only the 'TCP' protocol")
		}
		return elbErr(ELBInvalidConfiguration, "Target type 'alb' is not supported: register the application load balancer's listener port as an ip target instead")
	}
	return elbInvalid("Target type '%s' must be one of 'instance, ip, lambda, alb'", tg.TargetType)
}

func (tg TargetGroup) validateBasics(hasPort bool) error {
	if tg.VpcID != "" {
		if err := validateELBID("VPC id", tg.VpcID); err != nil {
			return err
		}
	}
	// ELB requires protocol and port for instance and ip target groups.
	switch tg.Protocol {
	case ProtocolHTTP, ProtocolHTTPS, ProtocolTCP, ProtocolTLS, ProtocolUDP, ProtocolTCPUDP:
	case "":
		return elbInvalid("A protocol must be specified")
	case "GENEVE":
		return elbErr(ELBInvalidConfiguration, "Protocol 'GENEVE' is not supported: it is the protocol of gateway load balancers, which Slipway does not have")
	case "QUIC", "TCP_QUIC":
		return elbErr(ELBInvalidConfiguration, "Protocol '%s' is not supported", tg.Protocol)
	default:
		return elbInvalid("Protocol '%s' must be one of 'HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE'", tg.Protocol)
	}
	if !hasPort {
		return elbInvalid("A port must be specified")
	}
	if tg.Port < 1 || tg.Port > 65535 {
		return elbInvalid("Port '%d' must be between 1 and 65535", tg.Port)
	}
	if err := tg.validateProtocolVersion(); err != nil {
		return err
	}
	switch tg.IPAddressType {
	case "ipv4", "ipv6":
	default:
		return elbInvalid("IP address type '%s' must be one of 'ipv4, ipv6'", tg.IPAddressType)
	}
	return nil
}

// SameSettings reports whether a repeated CreateTargetGroup built other is
// the same request that built tg: ELB then answers with the existing group
// instead of DuplicateTargetGroupName.
func (tg TargetGroup) SameSettings(other TargetGroup) bool {
	return tg.Protocol == other.Protocol && tg.Port == other.Port && tg.VpcID == other.VpcID &&
		tg.TargetType == other.TargetType && tg.ProtocolVersion == other.ProtocolVersion &&
		tg.IPAddressType == other.IPAddressType && tg.HealthCheck == other.HealthCheck
}

// validateProtocolVersion follows ELB: a protocol version belongs to HTTP
// and HTTPS target groups.
func (tg TargetGroup) validateProtocolVersion() error {
	if tg.IsNetwork() {
		if tg.ProtocolVersion != "" {
			return elbInvalid("A protocol version can only be specified for target groups with the HTTP or HTTPS protocol")
		}
		return nil
	}
	switch tg.ProtocolVersion {
	case "HTTP1", "HTTP2":
	case "GRPC":
		return elbInvalid("Protocol version 'GRPC' is not supported")
	default:
		return elbInvalid("Protocol version '%s' must be one of 'HTTP1, HTTP2, GRPC'", tg.ProtocolVersion)
	}
	return nil
}

// CompatibleProtocols reports whether a listener of protocol listener can
// forward to a target group of protocol group, as ELB allows: HTTP and
// HTTPS listeners to HTTP or HTTPS groups, TCP to TCP or TCP_UDP, TLS to
// TCP or TLS, UDP to UDP or TCP_UDP, TCP_UDP only to TCP_UDP.
func CompatibleProtocols(listener, group string) bool {
	switch listener {
	case ProtocolHTTP, ProtocolHTTPS:
		return group == ProtocolHTTP || group == ProtocolHTTPS
	case ProtocolTCP:
		return group == ProtocolTCP || group == ProtocolTCPUDP
	case ProtocolTLS:
		return group == ProtocolTCP || group == ProtocolTLS
	case ProtocolUDP:
		return group == ProtocolUDP || group == ProtocolTCPUDP
	case ProtocolTCPUDP:
		return group == ProtocolTCPUDP
	}
	return false
}
