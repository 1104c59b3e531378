package elbv2

import (
	"log/slog"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/certfile"
	"github.com/slipway-dev/slipway/internal/model"
)

// checkCertificates makes sure every certificate of an HTTPS listener names
// PEM files that load as a key pair (see the package doc for the rule);
// otherwise CertificateNotFound, as ELB answers for an unknown ACM ARN. The
// answer is the same whatever is wrong (missing, a directory, a device,
// too large, not PEM), so that it tells a caller nothing about the server's
// files; the cause goes to the server's log.
func checkCertificates(log *slog.Logger, certs []model.ListenerCertificate) error {
	for _, c := range certs {
		if _, err := certfile.Load(c.ARN); err != nil {
			log.Info("certificate refused", "certificate", c.ARN, "err", err)
			return awsproto.ClientError(codeCertificateNotFound, "%s", certfile.UserMessage(c.ARN))
		}
	}
	return nil
}

func parseCertificates(f form) ([]model.ListenerCertificate, error) {
	var out []model.ListenerCertificate
	for _, c := range f.list("Certificates") {
		def, err := c.boolPtr("IsDefault")
		if err != nil {
			return nil, err
		}
		out = append(out, model.ListenerCertificate{ARN: c.str("CertificateArn"), IsDefault: def != nil && *def})
	}
	return out, nil
}
