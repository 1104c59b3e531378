package elbv2

import "github.com/slipway-dev/slipway/internal/ops/elbops"

type loadBalancersResult struct {
	LoadBalancers list[wireLoadBalancer]
	NextMarker    string `xml:",omitempty"`
}

func decodeCreateLoadBalancer(f form) (*elbops.CreateLoadBalancerInput, error) {
	in := &elbops.CreateLoadBalancerInput{
		Name: f.str("Name"), Subnets: f.optStrList("Subnets"), SecurityGroups: f.strList("SecurityGroups"),
		Scheme: f.str("Scheme"), Type: f.str("Type"), IPAddressType: f.str("IpAddressType"),
		CustomerOwnedIpv4Pool: f.str("CustomerOwnedIpv4Pool"), Tags: decodeTags(f),
		EnablePrefixForIPv6SourceNat: f.str("EnablePrefixForIpv6SourceNat"), IPv4IPAMPoolID: f.str("IpamPools.Ipv4IpamPoolId"),
	}
	in.SubnetMappings = decodeSubnetMappings(f)
	return in, nil
}

func decodeDescribeLoadBalancers(f form) (*elbops.DescribeLoadBalancersInput, error) {
	p, err := f.page()
	return &elbops.DescribeLoadBalancersInput{Names: f.strList("Names"), LoadBalancerARNs: f.strList("LoadBalancerArns"), Page: p}, err
}

func decodeDeleteLoadBalancer(f form) (*elbops.DeleteLoadBalancerInput, error) {
	return &elbops.DeleteLoadBalancerInput{LoadBalancerARN: f.str("LoadBalancerArn")}, nil
}

func encodeLoadBalancers(o *elbops.LoadBalancersOutput) any {
	res := loadBalancersResult{NextMarker: o.NextMarker, LoadBalancers: list[wireLoadBalancer]{Member: []wireLoadBalancer{}}}
	for _, a := range o.LoadBalancers {
		res.LoadBalancers.Member = append(res.LoadBalancers.Member, toWireLB(a))
	}
	return res
}
