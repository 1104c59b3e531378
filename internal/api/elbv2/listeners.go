package elbv2

import "github.com/slipway-dev/slipway/internal/ops/elbops"

type listenersResult struct {
	Listeners  list[wireListener]
	NextMarker string `xml:",omitempty"`
}

// listenerMembers are the members CreateListener and ModifyListener share.
type listenerMembers struct {
	port                *int
	protocol, sslPolicy *string
	certs               []elbops.Certificate
	actions             []elbops.Action
	alpn                []string
	mtls                *elbops.MutualAuthentication
}

func decodeListenerMembers(f form) (listenerMembers, error) {
	var m listenerMembers
	var err error
	if m.port, err = intPtr(f, "Port"); err != nil {
		return m, err
	}
	m.protocol, m.sslPolicy = f.StrPtr("Protocol"), f.StrPtr("SslPolicy")
	certs, err := decodeCertificates(f)
	if err != nil {
		return m, err
	}
	actions, err := decodeActions(f.List("DefaultActions"))
	if err != nil {
		return m, err
	}
	m.certs, m.actions = optional(f, "Certificates", certs), optional(f, "DefaultActions", actions)
	m.alpn = optStrList(f, "AlpnPolicy")
	if f.Has("MutualAuthentication") {
		m.mtls = &elbops.MutualAuthentication{Mode: f.Str("MutualAuthentication.Mode"), TrustStoreARN: f.Str("MutualAuthentication.TrustStoreArn")}
	}
	return m, nil
}

func decodeCertificates(f form) ([]elbops.Certificate, error) {
	var out []elbops.Certificate
	for _, c := range f.List("Certificates") {
		def, err := boolPtr(c, "IsDefault")
		if err != nil {
			return nil, err
		}
		out = append(out, elbops.Certificate{ARN: c.Str("CertificateArn"), IsDefault: def != nil && *def})
	}
	return out, nil
}

func decodeCreateListener(f form) (*elbops.CreateListenerInput, error) {
	m, err := decodeListenerMembers(f)
	if err != nil {
		return nil, err
	}
	return &elbops.CreateListenerInput{
		LoadBalancerARN: f.Str("LoadBalancerArn"), Port: m.port, Protocol: m.protocol, SSLPolicy: m.sslPolicy,
		Certificates: m.certs, DefaultActions: m.actions, ALPNPolicy: m.alpn, MutualAuthentication: m.mtls, Tags: decodeTags(f),
	}, nil
}

func decodeModifyListener(f form) (*elbops.ModifyListenerInput, error) {
	m, err := decodeListenerMembers(f)
	if err != nil {
		return nil, err
	}
	return &elbops.ModifyListenerInput{
		ListenerARN: f.Str("ListenerArn"), Port: m.port, Protocol: m.protocol, SSLPolicy: m.sslPolicy,
		Certificates: m.certs, DefaultActions: m.actions, ALPNPolicy: m.alpn, MutualAuthentication: m.mtls,
	}, nil
}

func decodeDescribeListeners(f form) (*elbops.DescribeListenersInput, error) {
	p, err := page(f)
	return &elbops.DescribeListenersInput{LoadBalancerARN: f.Str("LoadBalancerArn"), ListenerARNs: f.StrList("ListenerArns"), Page: p}, err
}

func decodeDeleteListener(f form) (*elbops.DeleteListenerInput, error) {
	return &elbops.DeleteListenerInput{ListenerARN: f.Str("ListenerArn")}, nil
}

func encodeListeners(o *elbops.ListenersOutput) any {
	res := listenersResult{NextMarker: o.NextMarker, Listeners: list[wireListener]{Member: []wireListener{}}}
	for _, l := range o.Listeners {
		res.Listeners.Member = append(res.Listeners.Member, toWireListener(l))
	}
	return res
}
