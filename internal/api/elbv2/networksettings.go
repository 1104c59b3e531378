package elbv2

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

func decodeSubnetMappings(f form) []elbops.SubnetMapping {
	var mappings []elbops.SubnetMapping
	for _, m := range f.List("SubnetMappings") {
		mappings = append(mappings, elbops.SubnetMapping{SubnetID: m.Str("SubnetId"), ELBSubnetAddresses: model.ELBSubnetAddresses{
			AllocationID: m.Str("AllocationId"), PrivateIPv4Address: m.Str("PrivateIPv4Address"), IPv6Address: m.Str("IPv6Address")}})
	}
	return optional(f, "SubnetMappings", mappings)
}

type setSubnetsResult struct {
	AvailabilityZones list[wireAZ]
	IpAddressType     string `xml:",omitempty"`
}

func decodeSetSubnets(f form) (*elbops.SetSubnetsInput, error) {
	return &elbops.SetSubnetsInput{LoadBalancerARN: f.Str("LoadBalancerArn"), Subnets: optStrList(f, "Subnets"),
		SubnetMappings: decodeSubnetMappings(f), IPAddressType: f.Str("IpAddressType")}, nil
}

func encodeSetSubnets(o *elbops.SetSubnetsOutput) any {
	return setSubnetsResult{IpAddressType: o.IPAddressType, AvailabilityZones: toWireAZs(o.AvailabilityZones, o.Network)}
}

type setSecurityGroupsResult struct {
	SecurityGroupIds                                     list[string]
	EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic string `xml:",omitempty"`
}

func decodeSetSecurityGroups(f form) (*elbops.SetSecurityGroupsInput, error) {
	return &elbops.SetSecurityGroupsInput{LoadBalancerARN: f.Str("LoadBalancerArn"), SecurityGroups: f.StrList("SecurityGroups"),
		EnforceSGInboundPrivateLink: f.Str("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic")}, nil
}

func encodeSetSecurityGroups(o *elbops.SetSecurityGroupsOutput) any {
	return setSecurityGroupsResult{SecurityGroupIds: listOf(o.SecurityGroupIDs),
		EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: o.EnforceSGInboundPrivateLink}
}

type setIPAddressTypeResult struct {
	IpAddressType string
}

func decodeSetIPAddressType(f form) (*elbops.SetIPAddressTypeInput, error) {
	return &elbops.SetIPAddressTypeInput{LoadBalancerARN: f.Str("LoadBalancerArn"), IPAddressType: f.Str("IpAddressType")}, nil
}

func encodeSetIPAddressType(o *elbops.SetIPAddressTypeOutput) any {
	return setIPAddressTypeResult{IpAddressType: o.IPAddressType}
}

type listenerCertificatesResult struct {
	Certificates list[wireCertificate]
	NextMarker   string `xml:",omitempty"`
}

func decodeListenerCertificates(f form) (*elbops.ListenerCertificatesInput, error) {
	certs, err := decodeCertificates(f)
	return &elbops.ListenerCertificatesInput{ListenerARN: f.Str("ListenerArn"), Certificates: certs}, err
}

func decodeDescribeListenerCertificates(f form) (*elbops.DescribeListenerCertificatesInput, error) {
	p, err := page(f)
	return &elbops.DescribeListenerCertificatesInput{ListenerARN: f.Str("ListenerArn"), Page: p}, err
}

func encodeListenerCertificates(o *elbops.ListenerCertificatesOutput) any {
	res := listenerCertificatesResult{NextMarker: o.NextMarker, Certificates: list[wireCertificate]{Member: []wireCertificate{}}}
	for _, c := range o.Certificates {
		res.Certificates.Member = append(res.Certificates.Member, wireCertificate{CertificateArn: c.ARN, IsDefault: c.IsDefault})
	}
	return res
}
