package elbops

import "github.com/slipway-dev/slipway/internal/model"

// Nested structures the operations take and return as stored: their fields
// are already the API's members in Slipway's records.
type (
	// Tag is a resource tag (Key, Value).
	Tag = model.Tag
	// Action is a listener default action or a rule action. Order 0 means
	// "not given"; a weight left nil gets ELB's default.
	Action = model.ELBAction
	// Certificate is a listener certificate: a file URL (see
	// internal/api/elbv2's package doc) and IsDefault.
	Certificate = model.ListenerCertificate
	// HealthCheck holds the health check members of CreateTargetGroup and
	// ModifyTargetGroup (HealthCheckEnabled, HealthCheckProtocol, ...,
	// Matcher); nil means "not given".
	HealthCheck = model.HealthCheckSpec
	// Attribute is a target group attribute (Key, Value).
	Attribute = model.TargetGroupAttribute
	// Listener is a listener as described: ARN, load balancer, port,
	// protocol, certificates, SSL and ALPN policy, default actions.
	Listener = model.Listener
	// Condition is a rule condition as stored and described: one form,
	// whichever the request used (see ConditionInput).
	Condition = model.RuleCondition
)

// Page is the paging of the Describe calls: Marker is the NextMarker of the
// previous page ("" for the first), PageSize at most 400 (nil: 400).
type Page struct {
	Marker   string
	PageSize *int
}

// LoadBalancerState is a load balancer's state code (provisioning, active,
// active_impaired, failed) and, when not active, why.
type LoadBalancerState struct {
	Code   string
	Reason string
}

// LoadBalancer is a load balancer as described: the stored record and the
// data plane's state of it.
type LoadBalancer struct {
	model.ALB
	State LoadBalancerState
}

// TargetGroup is a target group as described: the stored record and the
// load balancers whose listeners or rules forward to it.
type TargetGroup struct {
	model.TargetGroup
	LoadBalancerARNs []string
}

// Rule is a listener rule as DescribeRules reports it. A listener's default
// rule has Priority "default", IsDefault and no conditions.
type Rule struct {
	ARN        string
	Priority   string
	IsDefault  bool
	Conditions []Condition
	Actions    []Action
}

// RuleDefaultPriority is the Priority of a listener's default rule.
const RuleDefaultPriority = "default"
