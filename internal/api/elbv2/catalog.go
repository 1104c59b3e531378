package elbv2

import "github.com/slipway-dev/slipway/internal/ops/elbops"

type wireCipher struct {
	Name     string
	Priority int
}

type wireSSLPolicy struct {
	SslProtocols               list[string]
	Ciphers                    list[wireCipher]
	Name                       string
	SupportedLoadBalancerTypes list[string]
}

type sslPoliciesResult struct {
	SslPolicies list[wireSSLPolicy]
	NextMarker  string `xml:",omitempty"`
}

func decodeDescribeSSLPolicies(f form) (*elbops.DescribeSSLPoliciesInput, error) {
	p, err := page(f)
	return &elbops.DescribeSSLPoliciesInput{Names: f.StrList("Names"), LoadBalancerType: f.Str("LoadBalancerType"), Page: p}, err
}

func encodeSSLPolicies(o *elbops.SSLPoliciesOutput) any {
	res := sslPoliciesResult{NextMarker: o.NextMarker, SslPolicies: list[wireSSLPolicy]{Member: []wireSSLPolicy{}}}
	for _, p := range o.SSLPolicies {
		w := wireSSLPolicy{Name: p.Name, SslProtocols: listOf(p.Protocols), SupportedLoadBalancerTypes: listOf(p.Types)}
		for i, c := range p.Ciphers {
			w.Ciphers.Member = append(w.Ciphers.Member, wireCipher{Name: c, Priority: i + 1})
		}
		res.SslPolicies.Member = append(res.SslPolicies.Member, w)
	}
	return res
}

type wireLimit struct {
	Name string
	Max  int
}

type accountLimitsResult struct {
	Limits     list[wireLimit]
	NextMarker string `xml:",omitempty"`
}

func decodeDescribeAccountLimits(f form) (*elbops.DescribeAccountLimitsInput, error) {
	p, err := page(f)
	return &elbops.DescribeAccountLimitsInput{Page: p}, err
}

func encodeAccountLimits(o *elbops.AccountLimitsOutput) any {
	res := accountLimitsResult{NextMarker: o.NextMarker, Limits: list[wireLimit]{Member: []wireLimit{}}}
	for _, l := range o.Limits {
		res.Limits.Member = append(res.Limits.Member, wireLimit(l))
	}
	return res
}
