package elbops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ListenerCertificatesInput is the input of AddListenerCertificates and
// RemoveListenerCertificates.
type ListenerCertificatesInput struct {
	ListenerARN  string
	Certificates []Certificate
}

// ListenerCertificatesOutput is the output of AddListenerCertificates and
// DescribeListenerCertificates.
type ListenerCertificatesOutput struct {
	Certificates []Certificate
	NextMarker   string
}

// AddListenerCertificates adds certificates to an HTTPS or TLS listener's
// certificate list; the data plane chooses among them and the default one
// by SNI. Adding one the listener has is not an error (ELB answers success).
func (s *Service) AddListenerCertificates(ctx context.Context, in *ListenerCertificatesInput) (*ListenerCertificatesOutput, error) {
	if len(in.Certificates) == 0 {
		return nil, Validation("At least one certificate must be specified")
	}
	if err := s.checkCertificates(ctx, in.Certificates); err != nil {
		return nil, err
	}
	var added []Certificate
	err := s.updateListener(ctx, in.ListenerARN, func(l *model.Listener) error {
		have := map[string]bool{}
		for _, c := range l.Certificates {
			have[c.ARN] = true
		}
		for _, c := range in.Certificates {
			if !have[c.ARN] {
				have[c.ARN] = true
				l.Certificates = append(l.Certificates, Certificate{ARN: c.ARN})
			}
			added = append(added, Certificate{ARN: c.ARN})
		}
		if len(l.SNICertificates()) > model.MaxCertificatesPerListener {
			return clientErr(model.ELBTooManyCertificates, "You've reached the limit on the number of certificates per load balancer (%d)", model.MaxCertificatesPerListener)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ListenerCertificatesOutput{Certificates: added}, nil
}

// RemoveListenerCertificates removes certificates added with
// AddListenerCertificates; the default certificate cannot be removed
// (OperationNotPermitted), and one the listener does not have is ignored,
// as ELB does.
func (s *Service) RemoveListenerCertificates(ctx context.Context, in *ListenerCertificatesInput) error {
	if len(in.Certificates) == 0 {
		return Validation("At least one certificate must be specified")
	}
	return s.updateListener(ctx, in.ListenerARN, func(l *model.Listener) error {
		drop := map[string]bool{}
		for _, c := range in.Certificates {
			drop[c.ARN] = true
		}
		if def := l.DefaultCertificates(); len(def) > 0 && drop[def[0].ARN] {
			return clientErr(CodeOperationNotPermitted, "The default certificate '%s' cannot be removed from the listener: change it with ModifyListener", def[0].ARN)
		}
		kept := l.DefaultCertificates()
		for _, c := range l.SNICertificates() {
			if !drop[c.ARN] {
				kept = append(kept, c)
			}
		}
		l.Certificates = kept
		return nil
	})
}

// DescribeListenerCertificatesInput is DescribeListenerCertificates' input.
type DescribeListenerCertificatesInput struct {
	ListenerARN string
	Page
}

// DescribeListenerCertificates lists a listener's certificates, the
// default one (IsDefault) included, in ARN order.
func (s *Service) DescribeListenerCertificates(ctx context.Context, in *DescribeListenerCertificatesInput) (*ListenerCertificatesOutput, error) {
	l, err := viewRecord(ctx, s.st, listenerByARN(in.ListenerARN))
	if err != nil {
		return nil, err
	}
	pg, next, err := page(in.Page, append([]Certificate{}, l.Certificates...), func(c Certificate) string { return c.ARN })
	if err != nil {
		return nil, err
	}
	return &ListenerCertificatesOutput{Certificates: append([]Certificate{}, pg...), NextMarker: next}, nil
}

// updateListener reads a listener, which must terminate TLS, lets change
// modify it and stores it, in one transaction.
func (s *Service) updateListener(ctx context.Context, arn string, change func(*model.Listener) error) error {
	_, err := updateRecord(ctx, s.st, listenerByARN(arn), state.Tx.PutListener, func(l *model.Listener) error {
		if !terminatesTLS(l.Protocol) {
			return clientErr(CodeValidationError, "Certificates can only be added to or removed from HTTPS and TLS listeners, not %s", l.Protocol)
		}
		return change(l)
	})
	if err != nil {
		return err
	}
	s.log.Info("listener certificates changed", "arn", arn)
	return nil
}
