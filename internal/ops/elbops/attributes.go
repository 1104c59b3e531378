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
	a, err := viewRecord(ctx, s.st, loadBalancerByARN(in.LoadBalancerARN))
	if err != nil {
		return nil, err
	}
	return attributesOf(a.AttributeList()), nil
}

// ModifyLoadBalancerAttributes sets the given attributes, all or none, and
// answers every attribute.
func (s *Service) ModifyLoadBalancerAttributes(ctx context.Context, in *LoadBalancerAttributesInput) (*AttributesOutput, error) {
	out, err := updateRecord(ctx, s.st, loadBalancerByARN(in.LoadBalancerARN), state.Tx.PutLoadBalancer,
		func(a *model.ALB) error { return a.SetAttributes(in.Attributes) })
	if err != nil {
		return nil, err
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
	l, err := viewRecord(ctx, s.st, listenerByARN(in.ListenerARN))
	if err != nil {
		return nil, err
	}
	return attributesOf(l.AttributeList()), nil
}

// ModifyListenerAttributes sets the given attributes, all or none, and
// answers every attribute.
func (s *Service) ModifyListenerAttributes(ctx context.Context, in *ListenerAttributesInput) (*AttributesOutput, error) {
	out, err := updateRecord(ctx, s.st, listenerByARN(in.ListenerARN), state.Tx.PutListener,
		func(l *model.Listener) error { return l.SetAttributes(in.Attributes) })
	if err != nil {
		return nil, err
	}
	s.log.Info("listener attributes modified", "arn", out.ARN)
	return attributesOf(out.AttributeList()), nil
}
