package elbv2

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func TestNetworkSettings(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	sub := must(a.c.SetSubnets(ctx, &elb.SetSubnetsInput{LoadBalancerArn: aws.String(s.lb), Subnets: []string{"subnet-x", "subnet-y", "subnet-z"}}))(t)
	if len(sub.AvailabilityZones) != 3 || *sub.AvailabilityZones[2].SubnetId != "subnet-z" || *sub.AvailabilityZones[2].ZoneName != "us-east-1c" {
		t.Errorf("SetSubnets = %+v", sub.AvailabilityZones)
	}
	mapped := must(a.c.SetSubnets(ctx, &elb.SetSubnetsInput{LoadBalancerArn: aws.String(s.lb), IpAddressType: types.IpAddressTypeDualstack,
		SubnetMappings: []types.SubnetMapping{{SubnetId: aws.String("subnet-1")}, {SubnetId: aws.String("subnet-2")}}}))(t)
	if len(mapped.AvailabilityZones) != 2 || mapped.IpAddressType != types.IpAddressTypeDualstack {
		t.Errorf("SetSubnets mappings = %+v", mapped)
	}
	sg := must(a.c.SetSecurityGroups(ctx, &elb.SetSecurityGroupsInput{LoadBalancerArn: aws.String(s.lb), SecurityGroups: []string{"sg-2", "sg-3"}}))(t)
	if len(sg.SecurityGroupIds) != 2 || sg.SecurityGroupIds[1] != "sg-3" {
		t.Errorf("SetSecurityGroups = %v", sg.SecurityGroupIds)
	}
	ip := must(a.c.SetIpAddressType(ctx, &elb.SetIpAddressTypeInput{LoadBalancerArn: aws.String(s.lb), IpAddressType: types.IpAddressTypeIpv4}))(t)
	if ip.IpAddressType != types.IpAddressTypeIpv4 {
		t.Errorf("SetIpAddressType = %v", ip.IpAddressType)
	}
	d := must(a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{s.lb}}))(t).LoadBalancers[0]
	if len(d.AvailabilityZones) != 2 || *d.AvailabilityZones[0].SubnetId != "subnet-1" || len(d.SecurityGroups) != 2 || d.IpAddressType != types.IpAddressTypeIpv4 {
		t.Errorf("described = %+v", d)
	}

	nlb := a.createNLB(t, "edge")
	for name, call := range map[string]func() error{
		"InvalidConfigurationRequest/one subnet for an application load balancer": func() error {
			_, err := a.c.SetSubnets(ctx, &elb.SetSubnetsInput{LoadBalancerArn: aws.String(s.lb), Subnets: []string{"subnet-1"}})
			return err
		},
		"ValidationError/subnets and mappings": func() error {
			_, err := a.c.SetSubnets(ctx, &elb.SetSubnetsInput{LoadBalancerArn: aws.String(s.lb), Subnets: []string{"subnet-1", "subnet-2"},
				SubnetMappings: []types.SubnetMapping{{SubnetId: aws.String("subnet-3")}}})
			return err
		},
		"LoadBalancerNotFound/missing": func() error {
			_, err := a.c.SetSubnets(ctx, &elb.SetSubnetsInput{LoadBalancerArn: aws.String(s.lb + "0"), Subnets: []string{"a", "b"}})
			return err
		},
		"InvalidConfigurationRequest/security groups on an nlb created without": func() error {
			_, err := a.c.SetSecurityGroups(ctx, &elb.SetSecurityGroupsInput{LoadBalancerArn: aws.String(nlb), SecurityGroups: []string{"sg-1"}})
			return err
		},
		"ValidationError/six security groups": func() error {
			_, err := a.c.SetSecurityGroups(ctx, &elb.SetSecurityGroupsInput{LoadBalancerArn: aws.String(s.lb),
				SecurityGroups: []string{"1", "2", "3", "4", "5", "6"}})
			return err
		},
		"InvalidConfigurationRequest/nlb without public ipv4": func() error {
			_, err := a.c.SetIpAddressType(ctx, &elb.SetIpAddressTypeInput{LoadBalancerArn: aws.String(nlb), IpAddressType: types.IpAddressTypeDualstackWithoutPublicIpv4})
			return err
		},
		"ValidationError/unknown ip address type": func() error {
			_, err := a.c.SetIpAddressType(ctx, &elb.SetIpAddressTypeInput{LoadBalancerArn: aws.String(s.lb), IpAddressType: "ipv5"})
			return err
		},
	} {
		code, _, _ := strings.Cut(name, "/")
		t.Run(name, func(t *testing.T) { wantCode(t, call(), code) })
	}
	// An NLB takes one subnet.
	must(a.c.SetSubnets(ctx, &elb.SetSubnetsInput{LoadBalancerArn: aws.String(nlb), Subnets: []string{"subnet-9"}}))(t)
}

func TestSubnetMappingAddresses(t *testing.T) {
	a := newTestAPI(t)
	out := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("edge"), Type: types.LoadBalancerTypeEnumNetwork,
		SubnetMappings: []types.SubnetMapping{
			{SubnetId: aws.String("subnet-a"), AllocationId: aws.String("eipalloc-1"), PrivateIPv4Address: aws.String("10.0.0.5")},
			{SubnetId: aws.String("subnet-b")},
		}}))(t).LoadBalancers[0]
	d := must(a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{*out.LoadBalancerArn}}))(t).LoadBalancers[0]
	z := d.AvailabilityZones
	if len(z) != 2 || len(z[0].LoadBalancerAddresses) != 1 || *z[0].LoadBalancerAddresses[0].AllocationId != "eipalloc-1" ||
		*z[0].LoadBalancerAddresses[0].PrivateIPv4Address != "10.0.0.5" || z[1].LoadBalancerAddresses == nil || len(z[1].LoadBalancerAddresses) != 0 {
		t.Errorf("zones = %+v", z)
	}
	for code, in := range map[string]*elb.CreateLoadBalancerInput{
		"InvalidConfigurationRequest":      {Name: aws.String("web"), SubnetMappings: []types.SubnetMapping{{SubnetId: aws.String("s"), AllocationId: aws.String("eipalloc-1")}}},
		"InvalidConfigurationRequest/ipam": {Name: aws.String("ipam"), IpamPools: &types.IpamPools{Ipv4IpamPoolId: aws.String("ipam-pool-1")}},
		"InvalidConfigurationRequest/nat": {Name: aws.String("nat"), Type: types.LoadBalancerTypeEnumNetwork,
			EnablePrefixForIpv6SourceNat: types.EnablePrefixForIpv6SourceNatEnumOn},
		"ValidationError": {Name: aws.String("bad"), Type: types.LoadBalancerTypeEnumNetwork,
			SubnetMappings: []types.SubnetMapping{{SubnetId: aws.String("s"), PrivateIPv4Address: aws.String("fe80::1")}}},
	} {
		_, err := a.c.CreateLoadBalancer(ctx, in)
		code, _, _ = strings.Cut(code, "/")
		wantCode(t, err, code)
	}
	sub := must(a.c.SetSubnets(ctx, &elb.SetSubnetsInput{LoadBalancerArn: out.LoadBalancerArn,
		SubnetMappings: []types.SubnetMapping{{SubnetId: aws.String("subnet-c"), IPv6Address: aws.String("2001:db8::5")}}}))(t)
	if len(sub.AvailabilityZones) != 1 || *sub.AvailabilityZones[0].LoadBalancerAddresses[0].IPv6Address != "2001:db8::5" {
		t.Errorf("SetSubnets = %+v", sub.AvailabilityZones)
	}
}

func TestPrivateLinkEnforcement(t *testing.T) {
	a := newTestAPI(t)
	out := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("edge"), Type: types.LoadBalancerTypeEnumNetwork,
		Subnets: []string{"subnet-a"}, SecurityGroups: []string{"sg-1"}}))(t).LoadBalancers[0]
	sg := must(a.c.SetSecurityGroups(ctx, &elb.SetSecurityGroupsInput{LoadBalancerArn: out.LoadBalancerArn, SecurityGroups: []string{"sg-2"},
		EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: types.EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnumOff}))(t)
	if sg.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic != types.EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnumOff {
		t.Errorf("SetSecurityGroups = %+v", sg)
	}
	d := must(a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{*out.LoadBalancerArn}}))(t).LoadBalancers[0]
	if *d.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic != "off" || d.SecurityGroups[0] != "sg-2" {
		t.Errorf("described = %+v", d)
	}
	web := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web")}))(t).LoadBalancers[0]
	_, err := a.c.SetSecurityGroups(ctx, &elb.SetSecurityGroupsInput{LoadBalancerArn: web.LoadBalancerArn, SecurityGroups: []string{"sg-2"},
		EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: types.EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnumOn})
	wantCode(t, err, "InvalidConfigurationRequest")
}
