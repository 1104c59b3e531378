package acmops

import (
	"context"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/store"
)

// DeleteCertificate deletes a certificate and its private key, unless a
// listener uses it (ResourceInUseException, as ACM refuses while another
// service uses the certificate).
func (s *Service) DeleteCertificate(ctx context.Context, in *CertificateArnInput) error {
	if err := s.checkARN("certificateArn", in.CertificateArn); err != nil {
		return err
	}
	users, err := s.inUse(ctx)
	if err != nil {
		return err
	}
	if u := users[in.CertificateArn]; len(u) > 0 {
		return awserr.New(codeInUse, "Certificate %s in account %s is in use by %s.", in.CertificateArn, s.acct,
			strings.Join(u, ", "))
	}
	err = s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := get(tx, in.CertificateArn); err != nil {
			return err
		}
		return tx.Delete(bucket, in.CertificateArn)
	})
	if err == nil {
		s.log.Info("certificate deleted", "arn", in.CertificateArn)
	}
	return err
}
