package server

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/internal/api/acm"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
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
	s.acm = acmops.New(s.db, keys, acmops.Options{Region: s.cfg.Region, Account: s.cfg.Account,
		Users: certificateUsers{s.st}, Logger: s.cfg.Logger})
	return nil
}

// useACMCertificates lets listeners take ACM certificate ARNs: the ELB
// operations check them, the syncer serves them.
func (s *Server) useACMCertificates() {
	s.elbOps.SetCertificates(s.acm)
	s.syncer.SetCertificates(s.acm)
}

// registerACM serves ACM's API.
func (s *Server) registerACM(router *awsproto.Router) {
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: acm.TargetPrefix, SigningName: acm.SigningName}, acm.New(s.acm, s.cfg.Logger))
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
