package model

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Load balancer values ELBv2 defines.
const (
	ALBTypeApplication   = "application"
	ALBTypeNetwork       = "network"
	ALBTypeGateway       = "gateway"
	ALBSchemeInternet    = "internet-facing"
	ALBSchemeInternal    = "internal"
	ALBIPAddressTypeV4   = "ipv4"
	ALBStateActive       = "active"
	ALBStateProvisioning = "provisioning"
	ALBStateImpaired     = "active_impaired"
	ALBStateFailed       = "failed"
)

// coipPattern is ELB's pattern for a customer-owned IPv4 pool (at most 256 characters).
var coipPattern = regexp.MustCompile(`^ipv4pool-coip-[a-zA-Z0-9]{1,241}$`)

// albHostedZones are the Route 53 zones ELB names as CanonicalHostedZoneId of
// application load balancers, by region. Echoed for tools that build alias
// records; the DNS name itself does not resolve to this machine.
var albHostedZones = map[string]string{
	"us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2",
	"us-west-1": "Z368ELLRRE2KJ0", "us-west-2": "Z1H1FL5HABSF5",
	"ca-central-1": "ZQSVJUPU6J1EY", "eu-west-1": "Z32O12XQLNTSW2",
	"eu-west-2": "ZHURV8PSTC4K8", "eu-west-3": "Z3Q77PNBQS71R4",
	"eu-central-1": "Z215JYRZR1TBD5", "ap-northeast-1": "Z14GRHDCWA56QT",
	"ap-northeast-2": "ZWKZPGTI48KDX", "ap-southeast-1": "Z1LMS91P8CMLE5",
	"ap-southeast-2": "Z1GM3OXH4ZPM65", "ap-south-1": "ZP97RAFLXTNZK",
	"sa-east-1": "Z2P70J7HTTTPLU",
}

// nlbHostedZones are the Route 53 zones ELB names as CanonicalHostedZoneId of
// network load balancers, by region (echoed as albHostedZones are).
var nlbHostedZones = map[string]string{
	"us-east-1": "Z26RNL4JYFTOTI", "us-east-2": "ZLMOA37VPKANP",
	"us-west-1": "Z24FKFUX50B4VW", "us-west-2": "Z18D5FSROUN65G",
	"ca-central-1": "Z2EPGBW3API2WT", "eu-west-1": "Z2IFOLAFXWLO4F",
	"eu-west-2": "ZD4D7Y8KGAS4G", "eu-west-3": "Z1CMS0P5QUZ6D5",
	"eu-central-1": "Z3F0SRJ5LGBH90", "ap-northeast-1": "Z31USIVHYNEOWT",
	"ap-northeast-2": "ZIBE1TIR4HY56", "ap-southeast-1": "ZKVM4W9LS7TM",
	"ap-southeast-2": "ZCT6FZBF4DROD", "ap-south-1": "ZVDDRBQ08TROA",
	"sa-east-1": "ZTK26PT1VY4CU",
}

// ALB is an ELBv2 load balancer, application or network (Type). Its network settings (subnets,
// security groups, VPC, scheme, IP address type) cannot mean anything on one
// host: they are stored and echoed as given.
type ALB struct {
	ARN                   string                `json:"arn"`
	Name                  string                `json:"name"`
	DNSName               string                `json:"dnsName"`
	CanonicalHostedZoneID string                `json:"canonicalHostedZoneId"`
	Scheme                string                `json:"scheme"`
	Type                  string                `json:"type"`
	IPAddressType         string                `json:"ipAddressType"`
	VpcID                 string                `json:"vpcId,omitempty"`
	AvailabilityZones     []ELBAvailabilityZone `json:"availabilityZones,omitempty"`
	SecurityGroups        []string              `json:"securityGroups,omitempty"`
	CustomerOwnedIpv4Pool string                `json:"customerOwnedIpv4Pool,omitempty"`
	CreatedTime           time.Time             `json:"createdTime"`
	// Attributes holds every attribute ELB lists for the load balancer's
	// type, defaults filled in (see LoadBalancerAttributeDefaults); nil in
	// records written before attributes existed, read as the defaults.
	Attributes map[string]string `json:"attributes,omitempty"`
	// EnforceSGInboundPrivateLink is a network load balancer's
	// EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic ("on", "off";
	// "" before SetSecurityGroups set it), stored and echoed: there is no
	// PrivateLink here.
	EnforceSGInboundPrivateLink string `json:"enforceSgInboundPrivateLink,omitempty"`
}

// IsNetwork reports whether a is a network load balancer (TCP, TLS, UDP
// and TCP_UDP listeners, served by the layer-4 data plane).
func (a ALB) IsNetwork() bool { return a.Type == ALBTypeNetwork }

// ELBAvailabilityZone is one zone (subnet) of a load balancer, echoed,
// with the addresses a network load balancer's subnet mapping gave.
type ELBAvailabilityZone struct {
	ZoneName string `json:"zoneName,omitempty"`
	SubnetID string `json:"subnetId,omitempty"`
	ELBSubnetAddresses
}

// ELBSubnetAddresses are the addresses of a network load balancer's subnet
// mapping (an Elastic IP allocation, a private IPv4 and an IPv6 address),
// stored and echoed: listeners bind on this host's address.
type ELBSubnetAddresses struct {
	AllocationID       string `json:"allocationId,omitempty"`
	PrivateIPv4Address string `json:"privateIPv4Address,omitempty"`
	IPv6Address        string `json:"ipv6Address,omitempty"`
}

// IsZero reports whether no address was given.
func (a ELBSubnetAddresses) IsZero() bool { return a == ELBSubnetAddresses{} }

// ELBSubnetMapping is one subnet of CreateLoadBalancer or SetSubnets, with
// its addresses (network load balancers only).
type ELBSubnetMapping struct {
	SubnetID string
	ELBSubnetAddresses
}

// SubnetMappingsOf returns the mappings of plain subnet ids.
func SubnetMappingsOf(subnets []string) []ELBSubnetMapping {
	var out []ELBSubnetMapping
	for _, s := range subnets {
		out = append(out, ELBSubnetMapping{SubnetID: s})
	}
	return out
}

// ValidateSubnetMappings checks the subnets of a load balancer of type
// lbType: at most MaxSubnetsPerALB echoed ids, and addresses only for
// network load balancers, each a valid address of its family.
func ValidateSubnetMappings(lbType string, mappings []ELBSubnetMapping) error {
	ids := make([]string, 0, len(mappings))
	for _, m := range mappings {
		ids = append(ids, m.SubnetID)
		if m.IsZero() {
			continue
		}
		if lbType != ALBTypeNetwork {
			return elbErr(ELBInvalidConfiguration, "Elastic IP allocations and IP addresses of subnet mappings can only be specified for network load balancers")
		}
		if m.AllocationID != "" {
			if err := validateELBID("allocation ID", m.AllocationID); err != nil {
				return err
			}
		}
		if a, err := netip.ParseAddr(m.PrivateIPv4Address); m.PrivateIPv4Address != "" && (err != nil || !a.Is4()) {
			return elbInvalid("Private IPv4 address '%s' is not a valid IPv4 address", m.PrivateIPv4Address)
		}
		if a, err := netip.ParseAddr(m.IPv6Address); m.IPv6Address != "" && (err != nil || !a.Is6()) {
			return elbInvalid("IPv6 address '%s' is not a valid IPv6 address", m.IPv6Address)
		}
	}
	return ValidateELBIDs("subnets", ids, MaxSubnetsPerALB)
}

// ALBSpec is what CreateLoadBalancer asks for.
type ALBSpec struct {
	Name                  string
	Subnets               []ELBSubnetMapping
	SecurityGroups        []string
	Scheme                string
	Type                  string
	IPAddressType         string
	CustomerOwnedIpv4Pool string
}

// ValidateELBName applies ELB's naming rule for load balancers and target
// groups: 1-32 characters, alphanumeric or hyphens, not starting or ending
// with a hyphen. what is "Load balancer" or "Target group".
func ValidateELBName(what, name string) error {
	switch {
	case name == "":
		return elbInvalid("%s name cannot be empty", what)
	case len(name) > 32:
		return elbInvalid("%s name '%s' cannot be longer than '32' characters", what, name)
	case strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-"):
		return elbInvalid("%s name '%s' cannot begin or end with '-'", what, name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return elbInvalid("%s name '%s' can only contain characters that are alphanumeric characters or hyphens(-)", what, name)
		}
	}
	return nil
}

// NewALB validates spec, applies ELB's defaults and mints the load balancer's
// ARN and DNS name.
func NewALB(p Partition, spec ALBSpec, now time.Time) (ALB, error) {
	spec = spec.withDefaults()
	if err := spec.validate(); err != nil {
		return ALB{}, err
	}
	zones := albHostedZones
	if spec.Type == ALBTypeNetwork {
		zones = nlbHostedZones
	}
	zone := zones[p.Region]
	if zone == "" {
		zone = zones[DefaultRegion]
	}
	a := ALB{
		ARN: p.LoadBalancerARNOf(spec.Type, spec.Name, NewELBID()), Name: spec.Name,
		DNSName:               lbDNSName(spec.Type, spec.Name, spec.Scheme, p.Region),
		CanonicalHostedZoneID: zone, Scheme: spec.Scheme, Type: spec.Type,
		IPAddressType: spec.IPAddressType, SecurityGroups: spec.SecurityGroups,
		CustomerOwnedIpv4Pool: spec.CustomerOwnedIpv4Pool, CreatedTime: now.UTC(),
		Attributes: LoadBalancerAttributeDefaults(spec.Type, spec.Scheme),
	}
	a.SetSubnets(p.Region, spec.Subnets)
	return a, nil
}

// SetSubnets replaces a's zones with one per subnet. Zone names are echoed
// in the region's a, b, c... order: there are no real subnets to look them
// up in.
func (a *ALB) SetSubnets(region string, subnets []ELBSubnetMapping) {
	a.AvailabilityZones = nil
	for i, s := range subnets {
		a.AvailabilityZones = append(a.AvailabilityZones, ELBAvailabilityZone{
			ZoneName: fmt.Sprintf("%s%c", region, 'a'+rune(i%26)), SubnetID: s.SubnetID, ELBSubnetAddresses: s.ELBSubnetAddresses,
		})
	}
}

func (s ALBSpec) withDefaults() ALBSpec {
	if s.Scheme == "" {
		s.Scheme = ALBSchemeInternet
	}
	if s.Type == "" {
		s.Type = ALBTypeApplication
	}
	if s.IPAddressType == "" {
		s.IPAddressType = ALBIPAddressTypeV4
	}
	return s
}

func (s ALBSpec) validate() error {
	if err := ValidateELBName("Load balancer", s.Name); err != nil {
		return err
	}
	if err := ValidateSubnetMappings(s.Type, s.Subnets); err != nil {
		return err
	}
	if err := ValidateELBIDs("security groups", s.SecurityGroups, MaxSecurityGroupsPerALB); err != nil {
		return err
	}
	if s.CustomerOwnedIpv4Pool != "" && !coipPattern.MatchString(s.CustomerOwnedIpv4Pool) {
		return elbInvalid("Customer-owned IPv4 pool %q must look like ipv4pool-coip-12345678", s.CustomerOwnedIpv4Pool)
	}
	// ELB reserves the prefix it gives internal load balancers' DNS names.
	if strings.HasPrefix(s.Name, "internal-") {
		return elbInvalid("Load balancer name '%s' cannot begin with 'internal-'", s.Name)
	}
	switch s.Type {
	case ALBTypeApplication, ALBTypeNetwork:
	case ALBTypeGateway:
		// A gateway load balancer forwards IP packets over GENEVE to virtual
		// appliances in a VPC: nothing on one host can be one.
		return elbErr(ELBOperationNotPermitted, "Load balancer type 'gateway' is not supported: Slipway provides application and network load balancers")
	default:
		return elbInvalid("Load balancer type '%s' must be one of 'application, network, gateway'", s.Type)
	}
	if s.Scheme != ALBSchemeInternet && s.Scheme != ALBSchemeInternal {
		return elbInvalid("Scheme '%s' must be one of 'internet-facing, internal'", s.Scheme)
	}
	if s.Type == ALBTypeNetwork && s.CustomerOwnedIpv4Pool != "" {
		return elbErr(ELBInvalidConfiguration, "A customer-owned IPv4 pool can only be specified for application load balancers")
	}
	return ValidateIPAddressType(s.Type, s.IPAddressType)
}

// ValidateIPAddressType checks a load balancer's IP address type: ELB
// offers dualstack-without-public-ipv4 to application load balancers only.
func ValidateIPAddressType(lbType, t string) error {
	switch t {
	case "ipv4", "dualstack":
	case "dualstack-without-public-ipv4":
		if lbType == ALBTypeNetwork {
			return elbErr(ELBInvalidConfiguration, "IP address type 'dualstack-without-public-ipv4' is not supported for network load balancers")
		}
	default:
		return elbInvalid("IP address type '%s' must be one of 'ipv4, dualstack, dualstack-without-public-ipv4'", t)
	}
	return nil
}

// SameSettings reports whether a repeated CreateLoadBalancer with spec is the
// same request as the one that created a: ELB answers it with the existing
// load balancer instead of DuplicateLoadBalancerName.
func (a ALB) SameSettings(spec ALBSpec) bool {
	spec = spec.withDefaults()
	var subnets []ELBSubnetMapping
	for _, z := range a.AvailabilityZones {
		subnets = append(subnets, ELBSubnetMapping{SubnetID: z.SubnetID, ELBSubnetAddresses: z.ELBSubnetAddresses})
	}
	return a.Scheme == spec.Scheme && a.Type == spec.Type && a.IPAddressType == spec.IPAddressType &&
		slices.Equal(subnets, spec.Subnets) && slices.Equal(a.SecurityGroups, spec.SecurityGroups)
}

// lbDNSName follows ELB's shapes, NAME-DIGITS.REGION.elb.amazonaws.com for
// application and NAME-HEX16.elb.REGION.amazonaws.com for network load
// balancers, with the "internal-" prefix of internal load balancers.
func lbDNSName(lbType, name, scheme, region string) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(9_000_000_000))
	host := fmt.Sprintf("%s-%d.%s.elb.amazonaws.com", name, n.Int64()+1_000_000_000, region)
	if lbType == ALBTypeNetwork {
		host = fmt.Sprintf("%s-%s.elb.%s.amazonaws.com", name, NewELBID(), region)
	}
	if scheme == ALBSchemeInternal {
		host = "internal-" + host
	}
	return host
}
