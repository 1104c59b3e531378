package server

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/internal/api/acm"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/acmops"
	"github.com/slipway-dev/slipway/internal/state"
)

// acmDir holds the local CA and the key that seals stored private keys, in
// the data directory (see docs/certificates.md).
const acmDir = "acm"

// CAPath is where the API serves the local CA's root certificate (PEM), for
// `slipway ca` and anyone who wants to trust it.
const CAPath = "/slipway/acm/ca.pem"

// openACM opens the local CA and ACM's operations over the store.
func (s *Server) openACM() error {
	keys, err := acmops.OpenKeys(filepath.Join(s.cfg.DataDir, acmDir), time.Now())
	if err != nil {
		return err
	}
	s.acmKeys = keys
	s.acm = s.newACM(s.st)
	return nil
}

// newACM is ACM's operations in st's region: its certificates in the
// region's buckets, ARNs of its region, the one local CA of the
// installation.
func (s *Server) newACM(st *state.State) *acmops.Service {
	return acmops.New(st.Store(), s.acmKeys, acmops.Options{Region: st.Partition.Region, Account: st.Partition.Account,
		Users: certificateUsers{st}, Logger: s.cfg.Logger})
}

// useACMCertificates lets listeners take ACM certificate ARNs: the ELB
// operations check them (each region's against its own ACM), the syncer
// serves them (from the ACM of the region the ARN names).
func (s *Server) useACMCertificates() {
	s.elbOps.SetCertificates(s.acm)
	s.syncer.SetCertificates(regionCertificates{s})
}

// registerACM serves ACM's API, each region its own.
func (s *Server) registerACM(router *awsproto.Router) {
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: acm.TargetPrefix, SigningName: acm.SigningName},
		s.regionalJSON(func(rg *regional) http.Handler { return rg.acmAPI }))
}

// regionCertificates resolves an ACM ARN in the ACM of the region it
// names, for the syncer, which serves every region's listeners.
type regionCertificates struct{ s *Server }

func (c regionCertificates) KeyPair(ctx context.Context, arn string) ([]byte, []byte, error) {
	certs := c.s.acm
	if a, ok := model.ParseARN(arn); ok {
		if rg := c.s.openRegion(a.Region); rg != nil {
			certs = rg.certs
		}
	}
	return certs.KeyPair(ctx, arn)
}

// serveCA answers with the local CA's root certificate: public, so served
// like /health, without a signature.
func (s *Server) serveCA(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(s.acm.RootPEM())
}

// ACM is ACM's operations layer, for in-process callers (the load balancer,
// CloudFormation).
func (s *Server) ACM() *acmops.Service { return s.acm }

// certificateUsers reads which load balancers' listeners name which
// certificates.
type certificateUsers struct{ st *state.State }

func (u certificateUsers) CertificateUsers(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	err := u.st.View(ctx, func(tx state.Tx) error {
		ls, err := tx.AllListeners()
		if err != nil {
			return err
		}
		for _, l := range ls {
			for _, c := range l.Certificates {
				if !slices.Contains(out[c.ARN], l.LoadBalancerARN) {
					out[c.ARN] = append(out[c.ARN], l.LoadBalancerARN)
				}
			}
		}
		return nil
	})
	for _, lbs := range out {
		slices.Sort(lbs)
	}
	return out, err
}
