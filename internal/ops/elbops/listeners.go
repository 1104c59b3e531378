package elbops

import (
	"context"
	"fmt"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// CreateListenerInput is CreateListener's input. Port and DefaultActions
// are required; Certificates, DefaultActions and ALPNPolicy are nil when
// not given.
type CreateListenerInput struct {
	LoadBalancerARN string
	Port            *int
	Protocol        *string
	SSLPolicy       *string
	Certificates    []Certificate
	DefaultActions  []Action
	ALPNPolicy      []string
	// MutualAuthentication is the mutual TLS mode ("off", "verify",
	// "passthrough"; nil: not given). Only "off" is offered.
	MutualAuthentication *MutualAuthentication
	Tags                 []Tag
	// SystemTags are tags with the reserved aws: prefix that an in-process
	// caller sets (CloudFormation's; model.ValidateSystemTags), never the wire.
	SystemTags []Tag
}

// ModifyListenerInput is ModifyListener's input: what is given (non-nil)
// changes, the rest stays.
type ModifyListenerInput struct {
	ListenerARN    string
	Port           *int
	Protocol       *string
	SSLPolicy      *string
	Certificates   []Certificate
	DefaultActions []Action
	ALPNPolicy     []string
	// MutualAuthentication is the mutual TLS mode ("off", "verify",
	// "passthrough"; nil: not given). Only "off" is offered.
	MutualAuthentication *MutualAuthentication
}

// ListenersOutput is the output of CreateListener and ModifyListener (one
// listener) and DescribeListeners.
type ListenersOutput struct {
	Listeners  []Listener
	NextMarker string
}

// MutualAuthentication is a listener's MutualAuthentication member.
type MutualAuthentication struct {
	Mode          string
	TrustStoreARN string
}

// listenerChange is what CreateListener and ModifyListener carry.
type listenerChange struct {
	port                *int
	protocol, sslPolicy *string
	certs               []Certificate
	actions             []Action
	alpn                []string
	mtls                *MutualAuthentication
}

// checkMutualAuthentication refuses mutual TLS: the data planes neither
// verify client certificates against a trust store nor pass them on, so
// accepting "verify" or "passthrough" would let through what the caller
// meant to stop.
func checkMutualAuthentication(m *MutualAuthentication) error {
	if m == nil || (m.Mode == "" || m.Mode == "off") && m.TrustStoreARN == "" {
		return nil
	}
	switch m.Mode {
	case "", "off", "verify", "passthrough":
	default:
		return Validation("Mutual authentication mode '%s' must be one of 'off, passthrough, verify'", m.Mode)
	}
	return clientErr(CodeInvalidConfigurationRq, "Mutual TLS authentication ('%s') is not supported: Slipway's listeners do not check or pass on client certificates", m.Mode)
}

// apply sets the given fields on l and validates the result.
func (c listenerChange) apply(ctx context.Context, s *Service, l *model.Listener) error {
	if err := checkMutualAuthentication(c.mtls); err != nil {
		return err
	}
	if c.port != nil {
		l.Port = *c.port
	}
	if c.protocol != nil {
		setProtocol(l, *c.protocol)
	}
	if c.sslPolicy != nil {
		l.SSLPolicy = *c.sslPolicy
	}
	// Given empty, a list clears the member (stored as nil, as never set).
	if c.certs != nil {
		if err := l.SetDefaultCertificate(c.certs); err != nil {
			return err
		}
	}
	if c.alpn != nil {
		l.ALPNPolicy = nilIfEmpty(c.alpn)
	}
	if c.actions != nil {
		actions, err := model.NormalizeActions(c.actions)
		if err != nil {
			return err
		}
		l.DefaultActions = actions
	}
	return s.validateListener(ctx, l)
}

// CreateListener adds a listener to a load balancer, or returns the
// identical one on the same port (ELB's CreateListener is idempotent).
func (s *Service) CreateListener(ctx context.Context, in *CreateListenerInput) (*ListenersOutput, error) {
	if in.Port == nil {
		return nil, Validation("A listener port must be specified")
	}
	if in.DefaultActions == nil {
		return nil, Validation("At least one default action must be specified")
	}
	if err := model.ValidateELBTags(in.Tags); err != nil {
		return nil, fail(err)
	}
	c := listenerChange{port: in.Port, protocol: in.Protocol, sslPolicy: in.SSLPolicy,
		certs: in.Certificates, actions: in.DefaultActions, alpn: in.ALPNPolicy, mtls: in.MutualAuthentication}
	lbARN := in.LoadBalancerARN
	l := model.Listener{LoadBalancerARN: lbARN}
	if err := c.apply(ctx, s, &l); err != nil {
		return nil, fail(err)
	}
	l.ARN = model.ListenerARN(lbARN, model.NewELBID())
	l.DefaultRuleARN = model.RuleARN(l.ARN, model.NewELBID())
	var out model.Listener
	err := s.st.Update(ctx, func(tx state.Tx) error {
		if err := checkListenerFits(tx, l); err != nil {
			return err
		}
		existing, err := checkListenerPlacement(tx, l)
		if existing != nil {
			out = *existing
			return nil
		}
		if err != nil {
			return err
		}
		if err := checkTargetGroups(tx, l, l.DefaultActions); err != nil {
			return err
		}
		if err := prepareAuth(tx, l, l.DefaultActions, nil); err != nil {
			return err
		}
		out = l
		if err := tx.PutListener(l); err != nil {
			return err
		}
		return putNewTags(tx, l.ARN, in.Tags, in.SystemTags)
	})
	if err != nil {
		return nil, fail(err)
	}
	s.log.Info("listener created", "arn", out.ARN, "port", out.Port, "protocol", out.Protocol)
	return &ListenersOutput{Listeners: []Listener{out}}, nil
}

// DescribeListenersInput is DescribeListeners' input: a load balancer or
// listener ARNs, exactly one of them.
type DescribeListenersInput struct {
	LoadBalancerARN string
	ListenerARNs    []string
	Page
}

// DescribeListeners describes listeners in port order.
func (s *Service) DescribeListeners(ctx context.Context, in *DescribeListenersInput) (*ListenersOutput, error) {
	lbARN, arns := in.LoadBalancerARN, in.ListenerARNs
	if (lbARN == "") == (len(arns) == 0) {
		return nil, Validation("You must specify either listener ARNs or a load balancer ARN")
	}
	var ls []model.Listener
	err := s.st.View(ctx, func(tx state.Tx) error {
		var err error
		if lbARN != "" {
			if _, err = tx.LoadBalancer(lbARN); err != nil {
				return err
			}
			ls, err = tx.Listeners(lbARN)
			return err
		}
		ls, err = lookupAll(arns, tx.Listener)
		return err
	})
	if err != nil {
		return nil, fail(err)
	}
	key := func(l model.Listener) string { return fmt.Sprintf("%05d %s", l.Port, l.ARN) }
	pg, next, err := page(in.Page, ls, key)
	if err != nil {
		return nil, err
	}
	return &ListenersOutput{Listeners: append([]Listener{}, pg...), NextMarker: next}, nil
}

// ModifyListener changes a listener's port, protocol, TLS settings or
// default actions.
func (s *Service) ModifyListener(ctx context.Context, in *ModifyListenerInput) (*ListenersOutput, error) {
	c := listenerChange{port: in.Port, protocol: in.Protocol, sslPolicy: in.SSLPolicy,
		certs: in.Certificates, actions: in.DefaultActions, alpn: in.ALPNPolicy, mtls: in.MutualAuthentication}
	var out model.Listener
	err := s.st.Update(ctx, func(tx state.Tx) error {
		l, err := tx.Listener(in.ListenerARN)
		if err != nil {
			return err
		}
		old := l.DefaultActions
		if err := c.apply(ctx, s, &l); err != nil {
			return err
		}
		if err := checkListenerFits(tx, l); err != nil {
			return err
		}
		if existing, err := checkListenerPlacement(tx, l); err != nil || existing != nil {
			if existing != nil {
				err = duplicateListener(l.LoadBalancerARN)
			}
			return err
		}
		if err := checkTargetGroups(tx, l, l.DefaultActions); err != nil {
			return err
		}
		if err := prepareAuth(tx, l, l.DefaultActions, old); err != nil {
			return err
		}
		if err := checkRulesAuth(tx, l); err != nil {
			return err
		}
		out = l
		return tx.PutListener(l)
	})
	if err != nil {
		return nil, fail(err)
	}
	s.log.Info("listener modified", "arn", out.ARN, "port", out.Port, "protocol", out.Protocol)
	return &ListenersOutput{Listeners: []Listener{out}}, nil
}

// DeleteListenerInput is DeleteListener's input.
type DeleteListenerInput struct {
	ListenerARN string
}

// DeleteListener deletes a listener and its rules.
func (s *Service) DeleteListener(ctx context.Context, in *DeleteListenerInput) error {
	arn := in.ListenerARN
	err := s.st.Update(ctx, func(tx state.Tx) error {
		if _, err := tx.Listener(arn); err != nil {
			return err
		}
		return tx.DeleteListener(arn)
	})
	if err != nil {
		return fail(err)
	}
	s.log.Info("listener deleted", "arn", arn)
	return nil
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
