package model

import (
	"net/url"
	"path/filepath"
	"strings"
)

// A listener's CertificateArn is the ARN of a certificate in Slipway's ACM
// (IsACMCertificate; the load balancer resolves it through ACM) or, as a
// shortcut, a file URL naming PEM files (CertificateFiles).

// IsACMCertificate reports whether arn has the shape of an ACM certificate
// ARN (arn:PARTITION:acm:REGION:ACCOUNT:certificate/ID); whether it exists is
// for ACM to say.
func IsACMCertificate(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "acm" && strings.HasPrefix(parts[5], "certificate/")
}

// CheckCertificateName refuses a CertificateArn that is neither an ACM
// certificate ARN nor a usable file URL (CertificateNotFound, as ELB
// answers for an ARN it cannot find).
func CheckCertificateName(arn string) error {
	if IsACMCertificate(arn) {
		return nil
	}
	_, _, err := CertificateFiles(arn)
	return err
}

// CertificateFiles maps a file-URL CertificateArn to PEM files, the URL
// naming the certificate chain:
//
//	file:///etc/slipway/tls/site.pem                       key in /etc/slipway/tls/site.key
//	file:///etc/slipway/tls/site.pem#/etc/keys/site-key.pem  key named after '#'
//
// Without a fragment the key is the certificate's path with its extension
// replaced by ".key" (".key" appended when it has none). Both paths must be
// absolute. Whether the files load is for the caller to check.
func CertificateFiles(arn string) (certFile, keyFile string, err error) {
	notFound := elbErr(ELBCertificateNotFound,
		"Certificate '%s' not found: use an ACM certificate ARN (aws acm import-certificate or request-certificate), "+
			"file:///ABSOLUTE/cert.pem (key beside it as cert.key) or file:///ABSOLUTE/cert.pem#/ABSOLUTE/key.pem", arn)
	u, perr := url.Parse(arn)
	if perr != nil || u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") || !filepath.IsAbs(u.Path) {
		return "", "", notFound
	}
	certFile = filepath.Clean(u.Path)
	if u.Fragment != "" {
		if !filepath.IsAbs(u.Fragment) {
			return "", "", notFound
		}
		return certFile, filepath.Clean(u.Fragment), nil
	}
	return certFile, strings.TrimSuffix(certFile, filepath.Ext(certFile)) + ".key", nil
}
