package elbops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// LoadBalancerAttributesInput is DescribeLoadBalancerAttributes' input and,
// with Attributes, ModifyLoadBalancerAttributes'.
type LoadBalancerAttributesInput struct {
	LoadBalancerARN string
	// Attributes are the attributes to set (ModifyLoadBalancerAttributes).
	Attributes []Attribute
}

// DescribeLoadBalancerAttributes lists every attribute ELB has for the
// load balancer's type.
func (s *Service) DescribeLoadBalancerAttributes(ctx context.Context, in *LoadBalancerAttributesInput) (*AttributesOutput, error) {
	var a model.ALB
	err := s.st.View(ctx, func(tx state.Tx) error {
		var err error
		a, err = tx.LoadBalancer(in.LoadBalancerARN)
		return err
	})
	if err != nil {
		return nil, fail(err)
	}
	return attributesOf(a.AttributeList()), nil
}

// ModifyLoadBalancerAttributes sets the given attributes, all or none, and
// answers every attribute.
func (s *Service) ModifyLoadBalancerAttributes(ctx context.Context, in *LoadBalancerAttributesInput) (*AttributesOutput, error) {
	var out model.ALB
	err := s.st.Update(ctx, func(tx state.Tx) error {
		a, err := tx.LoadBalancer(in.LoadBalancerARN)
		if err != nil {
			return err
		}
		if err := a.SetAttributes(in.Attributes); err != nil {
			return err
		}
		out = a
		return tx.PutLoadBalancer(a)
	})
	if err != nil {
		return nil, fail(err)
	}
	s.log.Info("load balancer attributes modified", "arn", out.ARN)
	return attributesOf(out.AttributeList()), nil
}

// ListenerAttributesInput is DescribeListenerAttributes' input and, with
// Attributes, ModifyListenerAttributes'.
type ListenerAttributesInput struct {
	ListenerARN string
	// Attributes are the attributes to set (ModifyListenerAttributes).
	Attributes []Attribute
}

// DescribeListenerAttributes lists every attribute ELB has for the
// listener's protocol.
func (s *Service) DescribeListenerAttributes(ctx context.Context, in *ListenerAttributesInput) (*AttributesOutput, error) {
	var l model.Listener
	err := s.st.View(ctx, func(tx state.Tx) error {
		var err error
		l, err = tx.Listener(in.ListenerARN)
		return err
	})
	if err != nil {
		return nil, fail(err)
	}
	return attributesOf(l.AttributeList()), nil
}

// ModifyListenerAttributes sets the given attributes, all or none, and
// answers every attribute.
func (s *Service) ModifyListenerAttributes(ctx context.Context, in *ListenerAttributesInput) (*AttributesOutput, error) {
	var out model.Listener
	err := s.st.Update(ctx, func(tx state.Tx) error {
		l, err := tx.Listener(in.ListenerARN)
		if err != nil {
			return err
		}
		if err := l.SetAttributes(in.Attributes); err != nil {
			return err
		}
		out = l
		return tx.PutListener(l)
	})
	if err != nil {
		return nil, fail(err)
	}
	s.log.Info("listener attributes modified", "arn", out.ARN)
	return attributesOf(out.AttributeList()), nil
}
