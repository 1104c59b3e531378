package elbops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// SetSubnetsInput is SetSubnets' input: subnets or subnet mappings (not
// both), and optionally a new IP address type.
type SetSubnetsInput struct {
	LoadBalancerARN string
	Subnets         []string
	SubnetMappings  []SubnetMapping
	IPAddressType   string
}

// SetSubnetsOutput is SetSubnets' output: the load balancer's zones and IP
// address type.
type SetSubnetsOutput struct {
	AvailabilityZones []model.ELBAvailabilityZone
	IPAddressType     string
	// Network is whether the load balancer is a network load balancer
	// (whose zones ELB describes with their addresses).
	Network bool
}

// SetSubnets replaces a load balancer's subnets (stored and echoed: there
// are no subnets on one host). ELB needs at least one subnet for a network
// and two for an application load balancer.
func (s *Service) SetSubnets(ctx context.Context, in *SetSubnetsInput) (*SetSubnetsOutput, error) {
	if in.Subnets != nil && in.SubnetMappings != nil {
		return nil, Validation("You can specify subnets or subnet mappings, not both")
	}
	subnets := append(model.SubnetMappingsOf(in.Subnets), in.SubnetMappings...)
	var out model.ALB
	err := s.updateLoadBalancer(ctx, in.LoadBalancerARN, func(a *model.ALB) error {
		if err := model.ValidateSubnetMappings(a.Type, subnets); err != nil {
			return err
		}
		need := 2
		if a.IsNetwork() {
			need = 1
		}
		if len(subnets) < need {
			return clientErr(CodeInvalidConfigurationRq, "At least %d subnets in different Availability Zones must be specified", need)
		}
		if in.IPAddressType != "" {
			if err := model.ValidateIPAddressType(a.Type, in.IPAddressType); err != nil {
				return err
			}
			a.IPAddressType = in.IPAddressType
		}
		a.SetSubnets(s.st.Partition.Region, subnets)
		out = *a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SetSubnetsOutput{AvailabilityZones: append([]model.ELBAvailabilityZone{}, out.AvailabilityZones...),
		IPAddressType: out.IPAddressType, Network: out.IsNetwork()}, nil
}

// SetSecurityGroupsInput is SetSecurityGroups' input.
type SetSecurityGroupsInput struct {
	LoadBalancerARN string
	SecurityGroups  []string
	// EnforceSGInboundPrivateLink is
	// EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic ("on", "off";
	// "": unchanged), network load balancers only; stored and echoed.
	EnforceSGInboundPrivateLink string
}

// SetSecurityGroupsOutput is SetSecurityGroups' output.
type SetSecurityGroupsOutput struct {
	SecurityGroupIDs            []string
	EnforceSGInboundPrivateLink string
}

// SetSecurityGroups replaces a load balancer's security groups (stored and
// echoed). ELB: a network load balancer created without security groups
// cannot get any, and one created with some cannot lose them all.
func (s *Service) SetSecurityGroups(ctx context.Context, in *SetSecurityGroupsInput) (*SetSecurityGroupsOutput, error) {
	if err := model.ValidateELBIDs("security groups", in.SecurityGroups, model.MaxSecurityGroupsPerALB); err != nil {
		return nil, fail(err)
	}
	var out model.ALB
	err := s.updateLoadBalancer(ctx, in.LoadBalancerARN, func(a *model.ALB) error {
		if a.IsNetwork() && (len(a.SecurityGroups) == 0) != (len(in.SecurityGroups) == 0) {
			return clientErr(CodeInvalidConfigurationRq,
				"A network load balancer created without security groups cannot have any, and one created with security groups must keep at least one")
		}
		switch e := in.EnforceSGInboundPrivateLink; {
		case e == "":
		case e != "on" && e != "off":
			return Validation("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic '%s' must be one of 'on, off'", e)
		case !a.IsNetwork():
			return clientErr(CodeInvalidConfigurationRq, "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic can only be set for network load balancers")
		default:
			a.EnforceSGInboundPrivateLink = e
		}
		a.SecurityGroups = nilIfEmpty(in.SecurityGroups)
		out = *a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SetSecurityGroupsOutput{SecurityGroupIDs: append([]string{}, out.SecurityGroups...),
		EnforceSGInboundPrivateLink: out.EnforceSGInboundPrivateLink}, nil
}

// SetIPAddressTypeInput is SetIpAddressType's input.
type SetIPAddressTypeInput struct {
	LoadBalancerARN string
	IPAddressType   string
}

// SetIPAddressTypeOutput is SetIpAddressType's output.
type SetIPAddressTypeOutput struct {
	IPAddressType string
}

// SetIPAddressType changes a load balancer's IP address type (stored and
// echoed: listeners bind on the host's address whatever it is).
func (s *Service) SetIPAddressType(ctx context.Context, in *SetIPAddressTypeInput) (*SetIPAddressTypeOutput, error) {
	if in.IPAddressType == "" {
		return nil, Validation("An IP address type must be specified")
	}
	err := s.updateLoadBalancer(ctx, in.LoadBalancerARN, func(a *model.ALB) error {
		if err := model.ValidateIPAddressType(a.Type, in.IPAddressType); err != nil {
			return err
		}
		a.IPAddressType = in.IPAddressType
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SetIPAddressTypeOutput{IPAddressType: in.IPAddressType}, nil
}

// updateLoadBalancer reads a load balancer, lets change modify it and
// stores it, in one transaction; nothing is stored when change fails.
func (s *Service) updateLoadBalancer(ctx context.Context, arn string, change func(*model.ALB) error) error {
	if _, err := updateRecord(ctx, s.st, loadBalancerByARN(arn), state.Tx.PutLoadBalancer, change); err != nil {
		return err
	}
	s.log.Info("load balancer modified", "arn", arn)
	return nil
}
