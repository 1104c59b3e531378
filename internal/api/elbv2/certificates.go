package elbv2

import (
	"crypto/tls"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
)

// checkCertificates makes sure every certificate of an HTTPS listener names
// PEM files that load as a key pair (see the package doc for the rule);
// otherwise CertificateNotFound, as ELB answers for an unknown ACM ARN.
func checkCertificates(certs []model.ListenerCertificate) error {
	for _, c := range certs {
		certFile, keyFile, err := model.CertificateFiles(c.ARN)
		if err != nil {
			return err
		}
		if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
			return awsproto.ClientError(codeCertificateNotFound, "Certificate '%s' not found: %v", c.ARN, err)
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
