package elbops

import (
	"context"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/internal/model"
)

// SSLPolicy is one of ELB's predefined security policies as
// DescribeSSLPolicies answers it: its TLS versions, its cipher suites in
// priority order, and the load balancer types that offer it.
type SSLPolicy = model.SSLPolicy

// DescribeSSLPoliciesInput is DescribeSSLPolicies' input: names (none for
// all) and a load balancer type ("" for both).
type DescribeSSLPoliciesInput struct {
	Names            []string
	LoadBalancerType string
	Page
}

// SSLPoliciesOutput is DescribeSSLPolicies' output.
type SSLPoliciesOutput struct {
	SSLPolicies []SSLPolicy
	NextMarker  string
}

// DescribeSSLPolicies describes ELB's predefined security policies, newest
// first; a name that is not one is SSLPolicyNotFound.
func (s *Service) DescribeSSLPolicies(_ context.Context, in *DescribeSSLPoliciesInput) (*SSLPoliciesOutput, error) {
	switch in.LoadBalancerType {
	case "", model.ALBTypeApplication, model.ALBTypeNetwork, model.ALBTypeGateway:
	default:
		return nil, Validation("Load balancer type '%s' must be one of 'application, network, gateway'", in.LoadBalancerType)
	}
	for _, n := range in.Names {
		if _, ok := model.LookupSSLPolicy(n); !ok {
			return nil, clientErr(model.ELBSSLPolicyNotFound, "One or more SSL policies not found: '%s'", n)
		}
	}
	// The policies keep ELB's order through paging: the key is the index.
	type indexed struct {
		i int
		p SSLPolicy
	}
	var all []indexed
	for i, p := range model.SSLPolicies() {
		if len(in.Names) > 0 && !slices.Contains(in.Names, p.Name) {
			continue
		}
		if in.LoadBalancerType != "" && !slices.Contains(p.Types, in.LoadBalancerType) {
			continue
		}
		all = append(all, indexed{i, p})
	}
	pg, next, err := page(in.Page, all, func(x indexed) string { return fmt.Sprintf("%04d", x.i) })
	if err != nil {
		return nil, err
	}
	out := &SSLPoliciesOutput{SSLPolicies: []SSLPolicy{}, NextMarker: next}
	for _, x := range pg {
		out.SSLPolicies = append(out.SSLPolicies, x.p)
	}
	return out, nil
}

// Limit is one of DescribeAccountLimits' limits.
type Limit = model.ELBLimit

// DescribeAccountLimitsInput is DescribeAccountLimits' input.
type DescribeAccountLimitsInput struct {
	Page
}

// AccountLimitsOutput is DescribeAccountLimits' output.
type AccountLimitsOutput struct {
	Limits     []Limit
	NextMarker string
}

// DescribeAccountLimits lists the quotas Slipway enforces, by ELB's names.
func (s *Service) DescribeAccountLimits(_ context.Context, in *DescribeAccountLimitsInput) (*AccountLimitsOutput, error) {
	pg, next, err := page(in.Page, model.ELBAccountLimits(), func(l Limit) string { return l.Name })
	if err != nil {
		return nil, err
	}
	return &AccountLimitsOutput{Limits: append([]Limit{}, pg...), NextMarker: next}, nil
}
