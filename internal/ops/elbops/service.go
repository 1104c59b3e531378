// Package elbops is the typed operations layer of Elastic Load Balancing v2
// (API version 2015-12-01) for application and network load balancers:
// load balancers, target groups and listeners and their attributes, targets
// and their health, rules and tags, with ELB's validation, quotas, pagination and errors
// (*awserr.Error, in ELB's codes and words).
//
// It knows nothing of HTTP: the wire (internal/api/elbv2) decodes the Query
// form into these inputs and encodes the outputs as XML, and in-process
// callers (CloudFormation, the console) call it directly. It only reads and
// writes desired state in a state.State; the lbsync controller turns that
// state into the data plane's routing, and target health comes back through
// a HealthSource.
//
// Inputs follow the API's members. An optional scalar is a pointer (nil: not
// given). An optional list is a slice where nil means "not given" and an
// empty, non-nil slice means "given, empty" (as the SDKs send "Name=" for an
// empty list); where the API gives the empty value no meaning of its own a
// plain value is used. Nested structures (actions, conditions,
// certificates, targets, tags) reuse the stored model types through the
// aliases in types.go.
//
// See internal/api/elbv2's package doc for how Slipway differs from ELB on
// one host (listener ports unique across load balancers, echoed network
// settings, certificates as ACM ARNs or file URLs).
package elbops

import (
	"context"
	"log/slog"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// HealthSource is what the operations read from the running data planes:
// target health for DescribeTargetHealth and the state of a load balancer
// whose listeners could not all be served. *lbsync.Syncer implements it.
type HealthSource interface {
	// TargetHealth returns the health of registered and draining targets.
	TargetHealth(tgARN string) []lb.TargetHealth
	// LoadBalancerState returns ELB's state code (active, active_impaired,
	// ...) and a reason when it is not active.
	LoadBalancerState(lbARN string) (code, reason string)
}

// CertificateSource resolves a listener's ACM certificate ARN to its
// certificate chain and private key (PEM); *acmops.Service implements it.
// An error means the certificate cannot be served (CertificateNotFound).
type CertificateSource interface {
	KeyPair(ctx context.Context, arn string) (certPEM, keyPEM []byte, err error)
}

// Service runs the ELBv2 operations over a state.State.
type Service struct {
	st     *state.State
	health HealthSource
	certs  CertificateSource // nil: ACM ARNs are not found
	log    *slog.Logger
}

// New returns the operations over st. health may be nil (no data plane:
// targets report "initial" and load balancers "active"); so may logger.
func New(st *state.State, health HealthSource, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, health: health, log: logger.With("component", "elbv2")}
}

// SetCertificates makes listeners accept the ACM certificates src
// resolves. Call it before the operations serve requests.
func (s *Service) SetCertificates(src CertificateSource) { s.certs = src }

// lbState is the load balancer's state as the data plane sees it.
func (s *Service) lbState(arn string) LoadBalancerState {
	if s.health == nil {
		return LoadBalancerState{Code: model.ALBStateActive}
	}
	code, reason := s.health.LoadBalancerState(arn)
	return LoadBalancerState{Code: code, Reason: reason}
}

// lookupAll resolves every key or fails with the lookup's not-found error,
// as ELB's Describe calls do when any one is missing.
func lookupAll[T any](keys []string, get func(string) (T, error)) ([]T, error) {
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		v, err := get(k)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
