package elbv2

import (
	"errors"

	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

type targetGroupsResult struct {
	TargetGroups list[wireTargetGroup]
	NextMarker   string `xml:",omitempty"`
}

func decodeHealthCheck(f form) (elbops.HealthCheck, error) {
	var s elbops.HealthCheck
	var errs []error
	intField := func(name string) *int {
		v, err := f.intPtr(name)
		errs = append(errs, err)
		return v
	}
	enabled, err := f.boolPtr("HealthCheckEnabled")
	errs = append(errs, err)
	s.Enabled = enabled
	s.Protocol, s.Port, s.Path = f.strPtr("HealthCheckProtocol"), f.strPtr("HealthCheckPort"), f.strPtr("HealthCheckPath")
	s.IntervalSeconds = intField("HealthCheckIntervalSeconds")
	s.TimeoutSeconds = intField("HealthCheckTimeoutSeconds")
	s.HealthyThreshold = intField("HealthyThresholdCount")
	s.UnhealthyThreshold = intField("UnhealthyThresholdCount")
	s.HTTPCode, s.GRPCCode = f.strPtr("Matcher.HttpCode"), f.strPtr("Matcher.GrpcCode")
	return s, errors.Join(errs...)
}

func decodeCreateTargetGroup(f form) (*elbops.CreateTargetGroupInput, error) {
	port, err := f.intPtr("Port")
	if err != nil {
		return nil, err
	}
	hc, err := decodeHealthCheck(f)
	if err != nil {
		return nil, err
	}
	control, err := f.intPtr("TargetControlPort")
	if err != nil {
		return nil, err
	}
	return &elbops.CreateTargetGroupInput{TargetControlPort: control,
		Name: f.str("Name"), Protocol: f.str("Protocol"), ProtocolVersion: f.str("ProtocolVersion"), Port: port,
		VpcID: f.str("VpcId"), TargetType: f.str("TargetType"), IPAddressType: f.str("IpAddressType"),
		HealthCheck: hc, Tags: decodeTags(f),
	}, nil
}

func decodeDescribeTargetGroups(f form) (*elbops.DescribeTargetGroupsInput, error) {
	p, err := f.page()
	return &elbops.DescribeTargetGroupsInput{LoadBalancerARN: f.str("LoadBalancerArn"), Names: f.strList("Names"),
		TargetGroupARNs: f.strList("TargetGroupArns"), Page: p}, err
}

func decodeModifyTargetGroup(f form) (*elbops.ModifyTargetGroupInput, error) {
	hc, err := decodeHealthCheck(f)
	return &elbops.ModifyTargetGroupInput{TargetGroupARN: f.str("TargetGroupArn"), HealthCheck: hc}, err
}

func decodeDeleteTargetGroup(f form) (*elbops.DeleteTargetGroupInput, error) {
	return &elbops.DeleteTargetGroupInput{TargetGroupARN: f.str("TargetGroupArn")}, nil
}

func encodeTargetGroups(o *elbops.TargetGroupsOutput) any {
	res := targetGroupsResult{NextMarker: o.NextMarker, TargetGroups: list[wireTargetGroup]{Member: []wireTargetGroup{}}}
	for _, tg := range o.TargetGroups {
		res.TargetGroups.Member = append(res.TargetGroups.Member, toWireTG(tg))
	}
	return res
}

type attributesResult struct {
	Attributes list[wireAttribute]
}

func decodeAttributes(f form) []elbops.Attribute {
	var out []elbops.Attribute
	for _, a := range f.list("Attributes") {
		out = append(out, elbops.Attribute{Key: a.str("Key"), Value: a.str("Value")})
	}
	return out
}

func decodeTargetGroupAttributes(f form) (*elbops.TargetGroupAttributesInput, error) {
	return &elbops.TargetGroupAttributesInput{TargetGroupARN: f.str("TargetGroupArn"), Attributes: decodeAttributes(f)}, nil
}

func decodeLoadBalancerAttributes(f form) (*elbops.LoadBalancerAttributesInput, error) {
	return &elbops.LoadBalancerAttributesInput{LoadBalancerARN: f.str("LoadBalancerArn"), Attributes: decodeAttributes(f)}, nil
}

func decodeListenerAttributes(f form) (*elbops.ListenerAttributesInput, error) {
	return &elbops.ListenerAttributesInput{ListenerARN: f.str("ListenerArn"), Attributes: decodeAttributes(f)}, nil
}

func encodeAttributes(o *elbops.AttributesOutput) any {
	res := attributesResult{Attributes: list[wireAttribute]{Member: []wireAttribute{}}}
	for _, a := range o.Attributes {
		res.Attributes.Member = append(res.Attributes.Member, wireAttribute(a))
	}
	return res
}
