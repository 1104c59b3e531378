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
	if m.port, err = f.intPtr("Port"); err != nil {
		return m, err
	}
	m.protocol, m.sslPolicy = f.strPtr("Protocol"), f.strPtr("SslPolicy")
	certs, err := decodeCertificates(f)
	if err != nil {
		return m, err
	}
	actions, err := decodeActions(f.list("DefaultActions"))
	if err != nil {
		return m, err
	}
	m.certs, m.actions = optional(f, "Certificates", certs), optional(f, "DefaultActions", actions)
	m.alpn = f.optStrList("AlpnPolicy")
	if f.has("MutualAuthentication") {
		m.mtls = &elbops.MutualAuthentication{Mode: f.str("MutualAuthentication.Mode"), TrustStoreARN: f.str("MutualAuthentication.TrustStoreArn")}
	}
	return m, nil
}

func decodeCertificates(f form) ([]elbops.Certificate, error) {
	var out []elbops.Certificate
	for _, c := range f.list("Certificates") {
		def, err := c.boolPtr("IsDefault")
		if err != nil {
			return nil, err
		}
		out = append(out, elbops.Certificate{ARN: c.str("CertificateArn"), IsDefault: def != nil && *def})
	}
	return out, nil
}

func decodeCreateListener(f form) (*elbops.CreateListenerInput, error) {
	m, err := decodeListenerMembers(f)
	if err != nil {
		return nil, err
	}
	return &elbops.CreateListenerInput{
		LoadBalancerARN: f.str("LoadBalancerArn"), Port: m.port, Protocol: m.protocol, SSLPolicy: m.sslPolicy,
		Certificates: m.certs, DefaultActions: m.actions, ALPNPolicy: m.alpn, MutualAuthentication: m.mtls, Tags: decodeTags(f),
	}, nil
}

func decodeModifyListener(f form) (*elbops.ModifyListenerInput, error) {
	m, err := decodeListenerMembers(f)
	if err != nil {
		return nil, err
	}
	return &elbops.ModifyListenerInput{
		ListenerARN: f.str("ListenerArn"), Port: m.port, Protocol: m.protocol, SSLPolicy: m.sslPolicy,
		Certificates: m.certs, DefaultActions: m.actions, ALPNPolicy: m.alpn, MutualAuthentication: m.mtls,
	}, nil
}

func decodeDescribeListeners(f form) (*elbops.DescribeListenersInput, error) {
	p, err := f.page()
	return &elbops.DescribeListenersInput{LoadBalancerARN: f.str("LoadBalancerArn"), ListenerARNs: f.strList("ListenerArns"), Page: p}, err
}

func decodeDeleteListener(f form) (*elbops.DeleteListenerInput, error) {
	return &elbops.DeleteListenerInput{ListenerARN: f.str("ListenerArn")}, nil
}

func encodeListeners(o *elbops.ListenersOutput) any {
	res := listenersResult{NextMarker: o.NextMarker, Listeners: list[wireListener]{Member: []wireListener{}}}
	for _, l := range o.Listeners {
		res.Listeners.Member = append(res.Listeners.Member, toWireListener(l))
	}
	return res
}
