package oidcauth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// maxIdPResponse bounds what one IdP response body may hold (token or
// user info endpoint); more is an error, not a truncation.
const maxIdPResponse = 64 << 10

// errTooLarge: an IdP response body went over maxIdPResponse.
var errTooLarge = errors.New("oidcauth: IdP response too large")

// NewClient is the HTTP client for the IdP's endpoints: TLS verified
// against roots (nil: the system's, or the bundle SSL_CERT_FILE names), no proxy,
// every phase bounded by idpTimeout, response heads by 16 KiB and bodies
// by maxIdPResponse.
func NewClient(roots *x509.CertPool) *http.Client {
	t := &http.Transport{
		DialContext:            (&net.Dialer{Timeout: idpTimeout}).DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    idpTimeout,
		ResponseHeaderTimeout:  idpTimeout,
		MaxResponseHeaderBytes: 16 << 10,
		MaxIdleConns:           16,
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{
		Transport: limited{t},
		Timeout:   idpTimeout,
		// The token and user info endpoints answer; they do not redirect.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// limited caps every response body at maxIdPResponse.
type limited struct{ rt http.RoundTripper }

func (l limited) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &capped{rc: resp.Body, left: maxIdPResponse}
	return resp, nil
}

type capped struct {
	rc   io.ReadCloser
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more than allowed tells a full body from a longer one.
		var one [1]byte
		if n, _ := c.rc.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *capped) Close() error { return c.rc.Close() }
