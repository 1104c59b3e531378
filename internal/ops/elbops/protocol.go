package elbops

import (
	"context"
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/certfile"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Listener protocols are decided here and nowhere else in the operations:
// which protocols a listener may have (model.Listener.ValidateListener, and
// which of them the load balancer's type has: checkListenerFits), which of
// them terminate TLS (and so keep certificates and an SSL policy), and what
// a listener's settings must satisfy. Application load balancers have HTTP
// and HTTPS listeners, network load balancers TCP, TLS, UDP and TCP_UDP
// ones, whose default actions only forward.

// errNoCertificateSource: the operations were given no CertificateSource,
// so no ACM certificate exists for them.
var errNoCertificateSource = errors.New("elbops: no ACM certificate source")

// terminatesTLS reports whether a listener of protocol p holds
// certificates and an SSL policy.
func terminatesTLS(p string) bool {
	switch p {
	case model.ProtocolHTTPS, model.ProtocolTLS:
		return true
	}
	return false
}

// checkListenerFits checks listener l against its load balancer (which
// must exist): the protocol must be one of the load balancer's type, and a
// network load balancer's listener can only forward (ELB has no
// fixed-response, redirect or authenticate actions at layer 4).
func checkListenerFits(tx state.Tx, l model.Listener) error {
	lb, err := tx.LoadBalancer(l.LoadBalancerARN)
	if err != nil {
		return err
	}
	if err := model.CheckListenerProtocol(lb.Type, l.Protocol); err != nil {
		return err
	}
	if terminatesTLS(l.Protocol) {
		if p, _ := model.LookupSSLPolicy(l.SSLPolicy); !slices.Contains(p.Types, lb.Type) {
			return clientErr(model.ELBSSLPolicyNotFound, "SSL policy '%s' is not supported for %s load balancers", l.SSLPolicy, lb.Type)
		}
	}
	if !lb.IsNetwork() {
		return nil
	}
	for _, a := range l.DefaultActions {
		if a.Type != model.ActionForward {
			return clientErr(model.ELBInvalidAction, "Action type '%s' is not supported for %s listeners: network load balancers' listeners can only forward", a.Type, l.Protocol)
		}
		if len(model.TargetGroupARNs([]model.ELBAction{a})) > model.MaxTargetGroupsPerNLBForward {
			return clientErr(model.ELBInvalidAction, "A forward action of a network load balancer's listener can have at most '%d' target group", model.MaxTargetGroupsPerNLBForward)
		}
	}
	return nil
}

// setProtocol changes l's protocol. ELB drops the TLS settings of a
// listener that changes to a protocol without TLS.
func setProtocol(l *model.Listener, p string) {
	if p == l.Protocol {
		return
	}
	l.Protocol = p
	if !terminatesTLS(p) {
		l.Certificates, l.SSLPolicy = nil, ""
	}
}

// validateListener checks a listener's port, protocol, TLS settings and
// ALPN policy as ELB does for application load balancers (model), then
// that its certificates load. Actions are checked apart, with their target
// groups.
func (s *Service) validateListener(ctx context.Context, l *model.Listener) error {
	if err := l.ValidateListener(); err != nil {
		return err
	}
	return s.checkCertificates(ctx, l.Certificates)
}

// checkCertificates makes sure every certificate of an HTTPS listener
// loads as a key pair: an ACM certificate that exists (through the
// CertificateSource), or PEM files (see internal/api/elbv2's package doc for
// the rule); otherwise CertificateNotFound, as ELB answers for an unknown
// ACM ARN. The answer is the same whatever is wrong (missing, a directory, a
// device, too large, not PEM), so that it tells a caller nothing about the
// server's files; the cause goes to the server's log.
func (s *Service) checkCertificates(ctx context.Context, certs []model.ListenerCertificate) error {
	for _, c := range certs {
		if !model.IsACMCertificate(c.ARN) {
			if _, err := certfile.Load(c.ARN); err != nil {
				s.log.Info("certificate refused", "certificate", c.ARN, "err", err)
				return clientErr(CodeCertificateNotFound, "%s", certfile.UserMessage(c.ARN))
			}
			continue
		}
		err := errNoCertificateSource
		if s.certs != nil {
			_, _, err = s.certs.KeyPair(ctx, c.ARN)
		}
		if err != nil {
			s.log.Info("certificate refused", "certificate", c.ARN, "err", err)
			return clientErr(CodeCertificateNotFound, "Certificate '%s' not found", c.ARN)
		}
	}
	return nil
}
