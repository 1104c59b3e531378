package model

// Quotas ELB documents ("Quotas for your Application Load Balancers", "...
// Network Load Balancers"), enforced where a request would exceed them and
// reported by DescribeAccountLimits (ELBAccountLimits).
const (
	MaxLoadBalancers            = 50   // load balancers of each type per Region
	MaxTargetGroups             = 3000 // target groups per Region
	MaxTargetGroupsPerALB       = 100  // target groups per load balancer
	MaxRulesPerALB              = 100  // rules per load balancer, not counting default rules
	MaxSecurityGroupsPerALB     = 5    // security groups per load balancer
	MaxConditionWildcards       = 5    // condition wildcards per rule
	MaxTargetsPerRegisterTarget = MaxTargetsPerGroup
	// MaxCertificatesPerListener bounds the certificates a listener has
	// besides its default one (certificates-per-application-load-balancer,
	// and the same for network load balancers).
	MaxCertificatesPerListener = 25
	// MaxTargetGroupsPerNLBForward is target-groups-per-action-on-network-load-balancer.
	MaxTargetGroupsPerNLBForward = 1
	// MaxSubnetsPerALB bounds the subnets (one per Availability Zone, which
	// are echoed here) a load balancer is created with: no Region has more
	// Availability Zones.
	MaxSubnetsPerALB = 16
	// maxELBIDLength bounds the identifiers that are only stored and echoed
	// (subnets, security groups, VPC and target ids): AWS's are far shorter.
	maxELBIDLength = 255
)

// ValidateELBIDs checks identifiers that are stored and echoed (subnet,
// security group, VPC ids): at most max of them, each 1-255 visible ASCII
// characters.
func ValidateELBIDs(what string, ids []string, max int) error {
	if len(ids) > max {
		return elbInvalid("At most %d %s can be specified", max, what)
	}
	for _, id := range ids {
		if err := validateELBID(what, id); err != nil {
			return err
		}
	}
	return nil
}

func validateELBID(what, id string) error {
	if id == "" || len(id) > maxELBIDLength || !visibleASCII(id) {
		return elbInvalid("%s %q must be 1 to %d printable ASCII characters", what, id, maxELBIDLength)
	}
	return nil
}

// alpnPolicies are the ALPN policies ELB defines.
var alpnPolicies = []string{"HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"}

// ValidateALPNPolicy checks a listener's ALPN policy: one of ELB's names,
// at most one.
func ValidateALPNPolicy(p []string) error {
	if len(p) > 1 {
		return elbInvalid("A listener can have at most one ALPN policy")
	}
	for _, name := range p {
		found := false
		for _, a := range alpnPolicies {
			found = found || a == name
		}
		if !found {
			return elbErr("ALPNPolicyNotFound", "ALPN policy %q not found: use one of HTTP1Only, HTTP2Only, HTTP2Optional, HTTP2Preferred, None", name)
		}
	}
	return nil
}

// ELBLimit is one of DescribeAccountLimits' limits: ELB's quota name and
// the maximum Slipway enforces.
type ELBLimit struct {
	Name string
	Max  int
}

// ELBAccountLimits returns the quotas this package and elbops enforce, by
// ELB's names, in name order.
func ELBAccountLimits() []ELBLimit {
	return []ELBLimit{
		{"application-load-balancers", MaxLoadBalancers},
		{"certificates-per-application-load-balancer", MaxCertificatesPerListener},
		{"certificates-per-network-load-balancer", MaxCertificatesPerListener},
		{"condition-values-per-alb-rule", MaxConditionValues},
		{"condition-wildcards-per-alb-rule", MaxConditionWildcards},
		{"listeners-per-application-load-balancer", MaxListenersPerALB},
		{"listeners-per-network-load-balancer", MaxListenersPerALB},
		{"network-load-balancers", MaxLoadBalancers},
		{"rules-per-application-load-balancer", MaxRulesPerALB},
		{"target-groups", MaxTargetGroups},
		{"target-groups-per-action-on-application-load-balancer", MaxTargetGroupsPerForward},
		{"target-groups-per-action-on-network-load-balancer", MaxTargetGroupsPerNLBForward},
		{"target-groups-per-application-load-balancer", MaxTargetGroupsPerALB},
		{"targets-per-application-load-balancer", MaxTargetsPerGroup},
		{"targets-per-network-load-balancer", MaxTargetsPerGroup},
	}
}
