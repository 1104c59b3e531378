package elbv2

import "github.com/slipway-dev/slipway/internal/ops/elbops"

type loadBalancersResult struct {
	LoadBalancers list[wireLoadBalancer]
	NextMarker    string `xml:",omitempty"`
}

func decodeCreateLoadBalancer(f form) (*elbops.CreateLoadBalancerInput, error) {
	in := &elbops.CreateLoadBalancerInput{
		Name: f.Str("Name"), Subnets: optStrList(f, "Subnets"), SecurityGroups: f.StrList("SecurityGroups"),
		Scheme: f.Str("Scheme"), Type: f.Str("Type"), IPAddressType: f.Str("IpAddressType"),
		CustomerOwnedIpv4Pool: f.Str("CustomerOwnedIpv4Pool"), Tags: decodeTags(f),
		EnablePrefixForIPv6SourceNat: f.Str("EnablePrefixForIpv6SourceNat"), IPv4IPAMPoolID: f.Str("IpamPools.Ipv4IpamPoolId"),
	}
	in.SubnetMappings = decodeSubnetMappings(f)
	return in, nil
}

func decodeDescribeLoadBalancers(f form) (*elbops.DescribeLoadBalancersInput, error) {
	p, err := page(f)
	return &elbops.DescribeLoadBalancersInput{Names: f.StrList("Names"), LoadBalancerARNs: f.StrList("LoadBalancerArns"), Page: p}, err
}

func decodeDeleteLoadBalancer(f form) (*elbops.DeleteLoadBalancerInput, error) {
	return &elbops.DeleteLoadBalancerInput{LoadBalancerARN: f.Str("LoadBalancerArn")}, nil
}

func encodeLoadBalancers(o *elbops.LoadBalancersOutput) any {
	res := loadBalancersResult{NextMarker: o.NextMarker, LoadBalancers: list[wireLoadBalancer]{Member: []wireLoadBalancer{}}}
	for _, a := range o.LoadBalancers {
		res.LoadBalancers.Member = append(res.LoadBalancers.Member, toWireLB(a))
	}
	return res
}
