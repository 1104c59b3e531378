package elbv2

import (
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

// list is a Query-protocol XML list: <Name><member>...</member></Name>.
type list[T any] struct {
	Member []T `xml:"member"`
}

func listOf[T any](items []T) list[T] { return list[T]{Member: items} }

// isoTime formats t as ELB does (ISO 8601, milliseconds, UTC).
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

type wireLBState struct {
	Code   string
	Reason string `xml:",omitempty"`
}

type wireAZ struct {
	ZoneName string
	SubnetId string `xml:",omitempty"`
	// LoadBalancerAddresses is sent for network load balancers: the
	// addresses their subnet mapping gave (echoed), or none.
	LoadBalancerAddresses *list[wireLBAddress] `xml:",omitempty"`
}

type wireLBAddress struct {
	AllocationId       string `xml:",omitempty"`
	PrivateIPv4Address string `xml:",omitempty"`
	IPv6Address        string `xml:",omitempty"`
}

// toWireAZs encodes a load balancer's zones.
func toWireAZs(zones []model.ELBAvailabilityZone, network bool) list[wireAZ] {
	out := list[wireAZ]{Member: []wireAZ{}}
	for _, z := range zones {
		w := wireAZ{ZoneName: z.ZoneName, SubnetId: z.SubnetID}
		if network {
			addrs := list[wireLBAddress]{}
			if !z.IsZero() {
				addrs.Member = []wireLBAddress{{AllocationId: z.AllocationID, PrivateIPv4Address: z.PrivateIPv4Address, IPv6Address: z.IPv6Address}}
			}
			w.LoadBalancerAddresses = &addrs
		}
		out.Member = append(out.Member, w)
	}
	return out
}

type wireLoadBalancer struct {
	LoadBalancerArn       string
	DNSName               string
	CanonicalHostedZoneId string
	CreatedTime           string
	LoadBalancerName      string
	Scheme                string
	VpcId                 string `xml:",omitempty"`
	State                 wireLBState
	Type                  string
	AvailabilityZones     list[wireAZ]
	SecurityGroups        *list[string] `xml:",omitempty"`
	IpAddressType         string
	CustomerOwnedIpv4Pool string `xml:",omitempty"`
	// EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: network load
	// balancers, once set.
	EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic string `xml:",omitempty"`
}

func toWireLB(a elbops.LoadBalancer) wireLoadBalancer {
	w := wireLoadBalancer{
		LoadBalancerArn: a.ARN, DNSName: a.DNSName, CanonicalHostedZoneId: a.CanonicalHostedZoneID,
		CreatedTime: isoTime(a.CreatedTime), LoadBalancerName: a.Name, Scheme: a.Scheme, VpcId: a.VpcID,
		State: wireLBState(a.State), Type: a.Type,
		IpAddressType: a.IPAddressType, CustomerOwnedIpv4Pool: a.CustomerOwnedIpv4Pool,
		EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: a.EnforceSGInboundPrivateLink,
	}
	if w.VpcId == "" {
		w.VpcId = defaultVpcID(a.ARN)
	}
	// ELB always lists an application load balancer's security groups, and
	// a network load balancer's only when it has some.
	if !a.IsNetwork() || len(a.SecurityGroups) > 0 {
		sg := listOf(a.SecurityGroups)
		w.SecurityGroups = &sg
	}
	w.AvailabilityZones = toWireAZs(a.AvailabilityZones, a.IsNetwork())
	return w
}

type wireMatcher struct {
	HttpCode string
}

type wireTargetGroup struct {
	TargetGroupArn             string
	TargetGroupName            string
	Protocol                   string
	Port                       int
	VpcId                      string `xml:",omitempty"`
	HealthCheckProtocol        string
	HealthCheckPort            string
	HealthCheckEnabled         bool
	HealthCheckIntervalSeconds int
	HealthCheckTimeoutSeconds  int
	HealthyThresholdCount      int
	UnhealthyThresholdCount    int
	HealthCheckPath            string       `xml:",omitempty"`
	Matcher                    *wireMatcher `xml:",omitempty"`
	LoadBalancerArns           list[string]
	TargetType                 string
	ProtocolVersion            string `xml:",omitempty"`
	IpAddressType              string
}

func toWireTG(tg elbops.TargetGroup) wireTargetGroup {
	hc := tg.HealthCheck
	w := wireTargetGroup{
		TargetGroupArn: tg.ARN, TargetGroupName: tg.Name, Protocol: tg.Protocol, Port: tg.Port, VpcId: tg.VpcID,
		HealthCheckProtocol: hc.Protocol, HealthCheckPort: hc.Port, HealthCheckEnabled: hc.Enabled,
		HealthCheckIntervalSeconds: hc.IntervalSeconds, HealthCheckTimeoutSeconds: hc.TimeoutSeconds,
		HealthyThresholdCount: hc.HealthyThresholdCount, UnhealthyThresholdCount: hc.UnhealthyThresholdCount,
		HealthCheckPath:  hc.Path,
		LoadBalancerArns: listOf(tg.LoadBalancerARNs), TargetType: tg.TargetType, ProtocolVersion: tg.ProtocolVersion,
		IpAddressType: tg.IPAddressType,
	}
	// A TCP health check has neither path nor matcher, and ELB sends none.
	if hc.HTTPCode != "" {
		w.Matcher = &wireMatcher{HttpCode: hc.HTTPCode}
	}
	return w
}

type wireTag struct {
	Key   string
	Value string
}

func toWireTags(tags []elbops.Tag) list[wireTag] {
	out := list[wireTag]{Member: []wireTag{}}
	for _, t := range tags {
		out.Member = append(out.Member, wireTag(t))
	}
	return out
}

type wireAttribute struct {
	Key   string
	Value string
}

type wireTargetDescription struct {
	Id               string
	Port             int
	AvailabilityZone string `xml:",omitempty"`
}

type wireTargetHealth struct {
	State       string
	Reason      string `xml:",omitempty"`
	Description string `xml:",omitempty"`
}

type wireTargetHealthDescription struct {
	Target          wireTargetDescription
	HealthCheckPort string
	TargetHealth    wireTargetHealth
}

type wireCertificate struct {
	CertificateArn string
	IsDefault      bool
}

type wireListener struct {
	ListenerArn     string
	LoadBalancerArn string
	Port            int
	Protocol        string
	Certificates    *list[wireCertificate] `xml:",omitempty"`
	SslPolicy       string                 `xml:",omitempty"`
	DefaultActions  list[wireAction]
	AlpnPolicy      *list[string] `xml:",omitempty"`
}

func toWireListener(l elbops.Listener) wireListener {
	w := wireListener{
		ListenerArn: l.ARN, LoadBalancerArn: l.LoadBalancerARN, Port: l.Port, Protocol: l.Protocol,
		SslPolicy: l.SSLPolicy, DefaultActions: toWireActions(l.DefaultActions),
	}
	// ELB describes a listener's default certificate; the others are
	// DescribeListenerCertificates'.
	if def := l.DefaultCertificates(); len(def) > 0 {
		certs := list[wireCertificate]{}
		for _, c := range def {
			certs.Member = append(certs.Member, wireCertificate{CertificateArn: c.ARN, IsDefault: c.IsDefault})
		}
		w.Certificates = &certs
	}
	if len(l.ALPNPolicy) > 0 {
		p := listOf(l.ALPNPolicy)
		w.AlpnPolicy = &p
	}
	return w
}

type wireRule struct {
	RuleArn    string
	Priority   string
	Conditions list[wireCondition]
	Actions    list[wireAction]
	IsDefault  bool
}

func toWireRule(r elbops.Rule) wireRule {
	w := wireRule{RuleArn: r.ARN, Priority: r.Priority, IsDefault: r.IsDefault, Actions: toWireActions(r.Actions)}
	w.Conditions.Member = []wireCondition{}
	for _, c := range r.Conditions {
		w.Conditions.Member = append(w.Conditions.Member, toWireCondition(c))
	}
	return w
}
