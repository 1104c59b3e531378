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
		v, err := intPtr(f, name)
		errs = append(errs, err)
		return v
	}
	enabled, err := boolPtr(f, "HealthCheckEnabled")
	errs = append(errs, err)
	s.Enabled = enabled
	s.Protocol, s.Port, s.Path = f.StrPtr("HealthCheckProtocol"), f.StrPtr("HealthCheckPort"), f.StrPtr("HealthCheckPath")
	s.IntervalSeconds = intField("HealthCheckIntervalSeconds")
	s.TimeoutSeconds = intField("HealthCheckTimeoutSeconds")
	s.HealthyThreshold = intField("HealthyThresholdCount")
	s.UnhealthyThreshold = intField("UnhealthyThresholdCount")
	s.HTTPCode, s.GRPCCode = f.StrPtr("Matcher.HttpCode"), f.StrPtr("Matcher.GrpcCode")
	return s, errors.Join(errs...)
}

func decodeCreateTargetGroup(f form) (*elbops.CreateTargetGroupInput, error) {
	port, err := intPtr(f, "Port")
	if err != nil {
		return nil, err
	}
	hc, err := decodeHealthCheck(f)
	if err != nil {
		return nil, err
	}
	control, err := intPtr(f, "TargetControlPort")
	if err != nil {
		return nil, err
	}
	return &elbops.CreateTargetGroupInput{TargetControlPort: control,
		Name: f.Str("Name"), Protocol: f.Str("Protocol"), ProtocolVersion: f.Str("ProtocolVersion"), Port: port,
		VpcID: f.Str("VpcId"), TargetType: f.Str("TargetType"), IPAddressType: f.Str("IpAddressType"),
		HealthCheck: hc, Tags: decodeTags(f),
	}, nil
}

func decodeDescribeTargetGroups(f form) (*elbops.DescribeTargetGroupsInput, error) {
	p, err := page(f)
	return &elbops.DescribeTargetGroupsInput{LoadBalancerARN: f.Str("LoadBalancerArn"), Names: f.StrList("Names"),
		TargetGroupARNs: f.StrList("TargetGroupArns"), Page: p}, err
}

func decodeModifyTargetGroup(f form) (*elbops.ModifyTargetGroupInput, error) {
	hc, err := decodeHealthCheck(f)
	return &elbops.ModifyTargetGroupInput{TargetGroupARN: f.Str("TargetGroupArn"), HealthCheck: hc}, err
}

func decodeDeleteTargetGroup(f form) (*elbops.DeleteTargetGroupInput, error) {
	return &elbops.DeleteTargetGroupInput{TargetGroupARN: f.Str("TargetGroupArn")}, nil
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
	for _, a := range f.List("Attributes") {
		out = append(out, elbops.Attribute{Key: a.Str("Key"), Value: a.Str("Value")})
	}
	return out
}

func decodeTargetGroupAttributes(f form) (*elbops.TargetGroupAttributesInput, error) {
	return &elbops.TargetGroupAttributesInput{TargetGroupARN: f.Str("TargetGroupArn"), Attributes: decodeAttributes(f)}, nil
}

func decodeLoadBalancerAttributes(f form) (*elbops.LoadBalancerAttributesInput, error) {
	return &elbops.LoadBalancerAttributesInput{LoadBalancerARN: f.Str("LoadBalancerArn"), Attributes: decodeAttributes(f)}, nil
}

func decodeListenerAttributes(f form) (*elbops.ListenerAttributesInput, error) {
	return &elbops.ListenerAttributesInput{ListenerARN: f.Str("ListenerArn"), Attributes: decodeAttributes(f)}, nil
}

func encodeAttributes(o *elbops.AttributesOutput) any {
	res := attributesResult{Attributes: list[wireAttribute]{Member: []wireAttribute{}}}
	for _, a := range o.Attributes {
		res.Attributes.Member = append(res.Attributes.Member, wireAttribute(a))
	}
	return res
}
