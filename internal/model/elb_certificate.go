package model

import (
	"net/url"
	"path/filepath"
	"strings"
)

// CertificateFiles maps a listener's CertificateArn to PEM files. There is
// no ACM here, so the "ARN" is a file URL naming the certificate chain:
//
//	file:///etc/slipway/tls/site.pem                       key in /etc/slipway/tls/site.key
//	file:///etc/slipway/tls/site.pem#/etc/keys/site-key.pem  key named after '#'
//
// Without a fragment the key is the certificate's path with its extension
// replaced by ".key" (".key" appended when it has none). Both paths must be
// absolute. Whether the files load is for the caller to check.
func CertificateFiles(arn string) (certFile, keyFile string, err error) {
	notFound := elbErr(ELBCertificateNotFound,
		"Certificate '%s' not found: use file:///ABSOLUTE/cert.pem (key beside it as cert.key) or file:///ABSOLUTE/cert.pem#/ABSOLUTE/key.pem", arn)
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
