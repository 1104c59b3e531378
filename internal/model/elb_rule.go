package model

// Rule limits ELB applies to application load balancers.
const (
	MinRulePriority    = 1
	MaxRulePriority    = 50000
	MaxConditionValues = 5
)

// Rule is a non-default listener rule. A listener's default rule is not
// stored as a Rule: it is the listener's DefaultActions, reported with
// Priority "default" under Listener.DefaultRuleARN.
type Rule struct {
	ARN         string          `json:"arn"`
	ListenerARN string          `json:"listenerArn"`
	Priority    int             `json:"priority"`
	Conditions  []RuleCondition `json:"conditions"`
	Actions     []ELBAction     `json:"actions"`
}

// ValidatePriority applies ELB's priority range.
func ValidatePriority(p int) error {
	if p < MinRulePriority || p > MaxRulePriority {
		return elbInvalid("Priority '%d' must be between %d and %d", p, MinRulePriority, MaxRulePriority)
	}
	return nil
}
