// Package acmops is the typed operations layer of the AWS Certificate Manager
// subset Slipway speaks (API version 2015-12-08): importing certificates,
// requesting certificates that a local certificate authority issues at once,
// describing, listing, reading, tagging and deleting them, with ACM's
// validation, quotas, pagination and errors (*awserr.Error, in ACM's codes
// and words).
//
// It knows nothing of HTTP: the wire (internal/api/acm) decodes requests into
// these inputs and encodes the outputs, and in-process callers (the load
// balancer, CloudFormation, the console) call it directly. Its records live
// in the server's store, one JSON record per certificate keyed by its ARN,
// each written in one transaction; private keys are sealed before they are
// stored (see seal.go) and never leave this package except to serve a
// listener (Certificate, KeyPair).
package acmops

import (
	"context"
	"log/slog"
	"time"

	"github.com/slipway-dev/slipway/internal/store"
)

// Users says which load balancers use which certificates, for InUseBy and
// for refusing to delete a certificate in use. internal/server implements it
// over the listeners in the state.
type Users interface {
	// CertificateUsers maps certificate ARNs to the ARNs of the load
	// balancers whose listeners name them.
	CertificateUsers(ctx context.Context) (map[string][]string, error)
}

// Options configure a Service.
type Options struct {
	// Region and Account go into ARNs.
	Region, Account string
	// Users is consulted for InUseBy and DeleteCertificate (nil: no user).
	Users Users
	// MaxCertificates is the quota of certificates (MaxCertificates when 0),
	// as AWS raises an account's quota on request.
	MaxCertificates int
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Service runs the ACM operations.
type Service struct {
	st     store.Store
	keys   *Keys
	region string
	acct   string
	users  Users
	quota  int
	now    func() time.Time
	log    *slog.Logger
}

// New returns the operations over st, issuing certificates from keys' CA
// and sealing private keys with its sealing key (see OpenKeys).
func New(st store.Store, keys *Keys, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxCertificates <= 0 {
		opts.MaxCertificates = MaxCertificates
	}
	return &Service{st: st, keys: keys, region: opts.Region, acct: opts.Account, users: opts.Users, quota: opts.MaxCertificates,
		now: opts.Now, log: opts.Logger.With("component", "acm")}
}

// RootPEM is the local CA's root certificate, PEM-encoded: what clients
// trust to accept the certificates RequestCertificate issues.
func (s *Service) RootPEM() []byte { return s.keys.ca.certPEM }

// MaxCertificates is ACM's default quota of certificates per account and
// region (imported and requested together here).
const MaxCertificates = 2500

// inUse returns the load balancers using each certificate.
func (s *Service) inUse(ctx context.Context) (map[string][]string, error) {
	if s.users == nil {
		return nil, nil
	}
	return s.users.CertificateUsers(ctx)
}
