package elbops

import (
	"context"
	"errors"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// SubnetMapping is one of the SubnetMappings of CreateLoadBalancer and
// SetSubnets: the subnet and, for network load balancers, its addresses
// (stored and echoed, like Subnets).
type SubnetMapping = model.ELBSubnetMapping

// CreateLoadBalancerInput is CreateLoadBalancer's input. Subnets and
// SubnetMappings are exclusive (nil: not given).
type CreateLoadBalancerInput struct {
	Name                  string
	Subnets               []string
	SubnetMappings        []SubnetMapping
	SecurityGroups        []string
	Scheme                string
	Type                  string
	IPAddressType         string
	CustomerOwnedIpv4Pool string
	Tags                  []Tag
	// SystemTags are tags with the reserved aws: prefix that an in-process
	// caller sets (CloudFormation's; model.ValidateSystemTags), never the wire.
	SystemTags []Tag
	// EnablePrefixForIPv6SourceNat ("on", "off") and IPv4IPAMPoolID are
	// refused unless off or empty: source NAT prefixes and IPAM pools
	// allocate VPC addresses, which this host has none of.
	EnablePrefixForIPv6SourceNat string
	IPv4IPAMPoolID               string
}

// LoadBalancersOutput is the output of CreateLoadBalancer (one load
// balancer) and DescribeLoadBalancers.
type LoadBalancersOutput struct {
	LoadBalancers []LoadBalancer
	NextMarker    string
}

// CreateLoadBalancer creates an application load balancer, or returns the
// one of that name when its settings are the same (ELB's CreateLoadBalancer
// is idempotent); a new one is reported as provisioning.
func (s *Service) CreateLoadBalancer(ctx context.Context, in *CreateLoadBalancerInput) (*LoadBalancersOutput, error) {
	if in.SubnetMappings != nil && in.Subnets != nil {
		return nil, Validation("You can specify subnets or subnet mappings, not both")
	}
	if in.EnablePrefixForIPv6SourceNat != "" && in.EnablePrefixForIPv6SourceNat != "off" || in.IPv4IPAMPoolID != "" {
		return nil, clientErr(CodeInvalidConfigurationRq, "IPv6 source NAT prefixes and IPAM pools are not supported: they allocate VPC addresses, which Slipway does not have")
	}
	spec := model.ALBSpec{
		Name: in.Name, Subnets: model.SubnetMappingsOf(in.Subnets), SecurityGroups: in.SecurityGroups,
		Scheme: in.Scheme, Type: in.Type, IPAddressType: in.IPAddressType,
		CustomerOwnedIpv4Pool: in.CustomerOwnedIpv4Pool,
	}
	spec.Subnets = append(spec.Subnets, in.SubnetMappings...)
	if err := model.ValidateELBTags(in.Tags); err != nil {
		return nil, fail(err)
	}
	fresh, err := model.NewALB(s.st.Partition, spec, s.st.Now())
	if err != nil {
		return nil, fail(err)
	}
	var out model.ALB
	err = s.st.Update(ctx, func(tx state.Tx) error {
		existing, err := tx.LoadBalancerByName(spec.Name)
		if err == nil {
			if !existing.SameSettings(spec) {
				return clientErr(CodeDuplicateLoadBalancer, "A load balancer with the same name '%s' exists, but with different settings", spec.Name)
			}
			out = existing
			return nil
		}
		if !errors.Is(err, state.ErrLoadBalancerNotFound) {
			return err
		}
		all, err := tx.LoadBalancers()
		if err != nil {
			return err
		}
		// ELB's quota is per type (application-load-balancers, network-load-balancers).
		count := 0
		for _, a := range all {
			if a.Type == fresh.Type {
				count++
			}
		}
		if count >= model.MaxLoadBalancers {
			return clientErr(CodeTooManyLoadBalancers, "You've reached the limit on the number of %s load balancers for your account (%d)", fresh.Type, model.MaxLoadBalancers)
		}
		out = fresh
		if err := tx.PutLoadBalancer(out); err != nil {
			return err
		}
		return putNewTags(tx, out.ARN, in.Tags, in.SystemTags)
	})
	if err != nil {
		return nil, fail(err)
	}
	s.log.Info("load balancer created", "name", out.Name, "arn", out.ARN)
	// ELB reports a new load balancer as provisioning.
	lb := LoadBalancer{ALB: out, State: LoadBalancerState{Code: model.ALBStateProvisioning}}
	return &LoadBalancersOutput{LoadBalancers: []LoadBalancer{lb}}, nil
}

// MaxDescribeLoadBalancers is how many ARNs DescribeLoadBalancers takes.
const MaxDescribeLoadBalancers = 20

// DescribeLoadBalancersInput is DescribeLoadBalancers' input: names or
// ARNs (not both), or neither for all.
type DescribeLoadBalancersInput struct {
	Names            []string
	LoadBalancerARNs []string
	Page
}

// DescribeLoadBalancers describes load balancers in name order; any one
// asked for that does not exist fails the call (LoadBalancerNotFound).
func (s *Service) DescribeLoadBalancers(ctx context.Context, in *DescribeLoadBalancersInput) (*LoadBalancersOutput, error) {
	names, arns := in.Names, in.LoadBalancerARNs
	if len(names) > 0 && len(arns) > 0 {
		return nil, Validation("Load balancer names and load balancer ARNs cannot be specified at the same time")
	}
	// ELB: "You can specify up to 20 load balancers in a single call."
	if len(arns) > MaxDescribeLoadBalancers {
		return nil, Validation("At most %d load balancer ARNs can be specified", MaxDescribeLoadBalancers)
	}
	var lbs []model.ALB
	err := s.st.View(ctx, func(tx state.Tx) error {
		var err error
		switch {
		case len(names) > 0:
			lbs, err = lookupAll(names, tx.LoadBalancerByName)
		case len(arns) > 0:
			lbs, err = lookupAll(arns, tx.LoadBalancer)
		default:
			lbs, err = tx.LoadBalancers()
		}
		return err
	})
	if err != nil {
		return nil, fail(err)
	}
	pg, next, err := page(in.Page, lbs, func(a model.ALB) string { return a.Name })
	if err != nil {
		return nil, err
	}
	out := &LoadBalancersOutput{NextMarker: next, LoadBalancers: []LoadBalancer{}}
	for _, a := range pg {
		out.LoadBalancers = append(out.LoadBalancers, LoadBalancer{ALB: a, State: s.lbState(a.ARN)})
	}
	return out, nil
}

// DeleteLoadBalancerInput is DeleteLoadBalancer's input.
type DeleteLoadBalancerInput struct {
	LoadBalancerARN string
}

// DeleteLoadBalancer deletes a load balancer with its listeners and rules.
func (s *Service) DeleteLoadBalancer(ctx context.Context, in *DeleteLoadBalancerInput) error {
	arn := in.LoadBalancerARN
	if arn == "" {
		return Validation("A load balancer ARN must be specified")
	}
	err := s.st.Update(ctx, func(tx state.Tx) error {
		a, err := tx.LoadBalancer(arn)
		if errors.Is(err, state.ErrLoadBalancerNotFound) {
			return nil // ELB: deleting what is already gone succeeds
		}
		if err != nil {
			return err
		}
		if a.DeletionProtection() {
			return clientErr(CodeOperationNotPermitted, "Load balancer '%s' cannot be deleted because deletion protection is enabled", arn)
		}
		return tx.DeleteLoadBalancer(arn)
	})
	if err != nil {
		return fail(err)
	}
	s.log.Info("load balancer deleted", "arn", arn)
	return nil
}
