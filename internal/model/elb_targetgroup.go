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
	TrafficPort        = "traffic-port"
)

// TargetGroup is an ELBv2 target group of an application load balancer.
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
	// Attributes holds every attribute ELB lists for ALB target groups,
	// defaults filled in (see TargetGroupAttributeDefaults).
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
		VpcID: spec.VpcID, TargetType: spec.TargetType, IPAddressType: spec.IPAddressType,
		Attributes: TargetGroupAttributeDefaults(), CreatedTime: now.UTC(),
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
	if tg.ProtocolVersion == "" {
		tg.ProtocolVersion = "HTTP1"
	}
	if err := tg.validateBasics(spec.Port != nil); err != nil {
		return TargetGroup{}, err
	}
	tg.HealthCheck = defaultHealthCheck(tg.Protocol)
	if err := tg.ModifyHealthCheck(spec.HealthCheck); err != nil {
		return TargetGroup{}, err
	}
	tg.ARN = p.TargetGroupARN(tg.Name, NewELBID())
	return tg, nil
}

func (tg TargetGroup) validateBasics(hasPort bool) error {
	if tg.VpcID != "" {
		if err := validateELBID("VPC id", tg.VpcID); err != nil {
			return err
		}
	}
	switch tg.TargetType {
	case TargetTypeInstance, TargetTypeIP:
	case "lambda", "alb":
		return elbInvalid("Target type '%s' is not supported: targets are processes and containers reached over the network", tg.TargetType)
	default:
		return elbInvalid("Target type '%s' must be one of 'instance, ip, lambda, alb'", tg.TargetType)
	}
	// ELB requires protocol and port for instance and ip target groups.
	switch tg.Protocol {
	case ProtocolHTTP, ProtocolHTTPS:
	case "":
		return elbInvalid("A protocol must be specified")
	case "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE", "QUIC", "TCP_QUIC":
		return elbErr(ELBUnsupportedProtocol, "Protocol '%s' is not supported: Slipway load balancers are application load balancers (HTTP, HTTPS)", tg.Protocol)
	default:
		return elbInvalid("Protocol '%s' must be one of 'HTTP, HTTPS'", tg.Protocol)
	}
	if !hasPort {
		return elbInvalid("A port must be specified")
	}
	if tg.Port < 1 || tg.Port > 65535 {
		return elbInvalid("Port '%d' must be between 1 and 65535", tg.Port)
	}
	switch tg.ProtocolVersion {
	case "HTTP1", "HTTP2":
	case "GRPC":
		return elbInvalid("Protocol version 'GRPC' is not supported")
	default:
		return elbInvalid("Protocol version '%s' must be one of 'HTTP1, HTTP2, GRPC'", tg.ProtocolVersion)
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
