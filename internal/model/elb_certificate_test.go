package model

import (
	"errors"
	"testing"
)

func TestCertificateFiles(t *testing.T) {
	cases := []struct{ arn, cert, key string }{
		{"file:///etc/tls/site.pem", "/etc/tls/site.pem", "/etc/tls/site.key"},
		{"file:///etc/tls/site", "/etc/tls/site", "/etc/tls/site.key"},
		{"file://localhost/etc/tls/a.crt", "/etc/tls/a.crt", "/etc/tls/a.key"},
		{"file:///etc/tls/site.pem#/etc/keys/k.pem", "/etc/tls/site.pem", "/etc/keys/k.pem"},
	}
	for _, c := range cases {
		cert, key, err := CertificateFiles(c.arn)
		if err != nil || cert != c.cert || key != c.key {
			t.Errorf("%s: %q %q %v", c.arn, cert, key, err)
		}
	}
	for _, bad := range []string{"arn:aws:acm:us-east-1:1:certificate/x", "file://host/etc/x.pem", "file:relative.pem", "file:///a.pem#relative.key", ""} {
		_, _, err := CertificateFiles(bad)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Kind != ELBCertificateNotFound {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
