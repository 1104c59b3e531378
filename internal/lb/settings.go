package lb

import (
	"bytes"
	"crypto/tls"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// LoadBalancer is what an application load balancer's attributes ask of the
// listeners that name it (Listener.LoadBalancerARN). The zero value is ELB's
// defaults, except that ClientKeepAlive 0 sets no bound.
type LoadBalancer struct {
	ARN string
	// IdleTimeout is idle_timeout.timeout_seconds: a client connection with no
	// byte either way for this long is closed, and a target that sends nothing
	// for this long is answered 504. 0: Options.ClientIdleTimeout and
	// Options.TargetTimeout.
	IdleTimeout time.Duration
	// ClientKeepAlive is client_keep_alive.seconds: the first response after a
	// client connection is this old closes it (Connection: close over
	// HTTP/1.1, GOAWAY over HTTP/2). 0: no bound.
	ClientKeepAlive time.Duration
	// HTTP2Disabled is routing.http2.enabled=false: HTTPS listeners offer
	// only http/1.1 in ALPN.
	HTTP2Disabled bool
	// DropInvalidHeaderFields is routing.http.drop_invalid_header_fields.enabled:
	// request fields whose names are not [-A-Za-z0-9]+ are not forwarded.
	DropInvalidHeaderFields bool
	// PreserveHostHeader is routing.http.preserve_host_header.enabled: the Host
	// field reaches targets unchanged. Otherwise ELB's rewrite applies: on
	// listener ports 80 and 443 any port is removed from it, on other ports the
	// listener's port is added when it has none.
	PreserveHostHeader bool
	// XFFMode is routing.http.xff_header_processing.mode: XFFAppend (also
	// ""), XFFPreserve or XFFRemove.
	XFFMode string
	// XFFClientPort is routing.http.xff_client_port.enabled: the address
	// appended to X-Forwarded-For carries the client's port.
	XFFClientPort bool
	// TLSHeaders is routing.http.x_amzn_tls_version_and_cipher_suite.enabled:
	// HTTPS requests reach targets with the negotiated TLS version and suite
	// (OpenSSL names) in X-Amzn-Tls-Version and X-Amzn-Tls-Cipher-Suite, or the
	// names the listener gives them.
	TLSHeaders bool
}

// X-Forwarded-For modes (routing.http.xff_header_processing.mode).
const (
	XFFAppend   = "append"
	XFFPreserve = "preserve"
	XFFRemove   = "remove"
)

// HeaderField is one response header a listener adds to every response
// (routing.http.response.*.header_value), replacing a target's of that name.
type HeaderField struct{ Name, Value string }

// ELB's names of the TLS request headers (routing.http.request.*.header_name).
const (
	DefaultTLSVersionHeader     = "X-Amzn-Tls-Version"
	DefaultTLSCipherSuiteHeader = "X-Amzn-Tls-Cipher-Suite"
)

// Indexes into routes' xff mode.
const (
	xffAppend = iota
	xffPreserve
	xffRemove
)

// listenerSettings are one listener's attributes and its load balancer's,
// compiled for the request path (part of the immutable routes).
type listenerSettings struct {
	clientIdle, targetTimeout time.Duration
	keepAlive                 time.Duration
	dropInvalid, preserveHost bool
	xff                       int
	xffPort                   bool
	tlsHeaders                bool
	tlsVersionName            string // header names, ELB's or the listener's
	tlsCipherName             string
	tlsVersionKey, tlsCipher  []byte // the same, for comparing with request fields
	noServer                  bool
	respHeaders               []respHeader
}

// respHeader is a compiled HeaderField: its name and its whole line.
type respHeader struct {
	name []byte
	line string // "Name: value\r\n"
}

func (d *DataPlane) compileSettings(l *Listener, lbs map[string]*LoadBalancer) listenerSettings {
	s := listenerSettings{clientIdle: d.opts.ClientIdleTimeout, targetTimeout: d.opts.TargetTimeout,
		noServer: l.NoServerHeader, tlsVersionName: DefaultTLSVersionHeader, tlsCipherName: DefaultTLSCipherSuiteHeader}
	if l.TLSVersionHeader != "" {
		s.tlsVersionName = l.TLSVersionHeader
	}
	if l.TLSCipherSuiteHeader != "" {
		s.tlsCipherName = l.TLSCipherSuiteHeader
	}
	s.tlsVersionKey, s.tlsCipher = []byte(s.tlsVersionName), []byte(s.tlsCipherName)
	for _, h := range l.ResponseHeaders {
		s.respHeaders = append(s.respHeaders, respHeader{name: []byte(h.Name), line: h.Name + ": " + h.Value + "\r\n"})
	}
	b := lbs[l.LoadBalancerARN]
	if b == nil {
		return s
	}
	if b.IdleTimeout > 0 {
		s.clientIdle, s.targetTimeout = b.IdleTimeout, b.IdleTimeout
	}
	s.keepAlive = b.ClientKeepAlive
	s.dropInvalid, s.preserveHost, s.xffPort = b.DropInvalidHeaderFields, b.PreserveHostHeader, b.XFFClientPort
	s.tlsHeaders = b.TLSHeaders
	switch b.XFFMode {
	case XFFPreserve:
		s.xff = xffPreserve
	case XFFRemove:
		s.xff = xffRemove
	}
	return s
}

// loadBalancers indexes a validated configuration's load balancers.
func loadBalancers(cfg *Config) map[string]*LoadBalancer {
	lbs := make(map[string]*LoadBalancer, len(cfg.LoadBalancers))
	for i := range cfg.LoadBalancers {
		lbs[cfg.LoadBalancers[i].ARN] = &cfg.LoadBalancers[i]
	}
	return lbs
}

// validateSettings checks the load balancers and what listeners add to
// requests and responses; every name and value must be safe in a header.
func validateSettings(cfg *Config) error {
	lbs := make(map[string]*LoadBalancer, len(cfg.LoadBalancers))
	for i := range cfg.LoadBalancers {
		b := &cfg.LoadBalancers[i]
		if b.ARN == "" || lbs[b.ARN] != nil {
			return invalid("load balancer %d: no or duplicate ARN %q", i, b.ARN)
		}
		if b.IdleTimeout < 0 || b.ClientKeepAlive < 0 {
			return invalid("load balancer %s: negative timeout", b.ARN)
		}
		switch b.XFFMode {
		case "", XFFAppend, XFFPreserve, XFFRemove:
		default:
			return invalid("load balancer %s: X-Forwarded-For mode %q", b.ARN, b.XFFMode)
		}
		lbs[b.ARN] = b
	}
	return validateListenerSettings(cfg, lbs)
}

func validateListenerSettings(cfg *Config, lbs map[string]*LoadBalancer) error {
	for i := range cfg.Listeners {
		l := &cfg.Listeners[i]
		if l.LoadBalancerARN != "" && lbs[l.LoadBalancerARN] == nil {
			return invalid("listener %s: unknown load balancer %s", l.ARN, l.LoadBalancerARN)
		}
		for _, n := range []string{l.TLSVersionHeader, l.TLSCipherSuiteHeader} {
			if n != "" && (!isToken([]byte(n)) || reservedHeader([]byte(n))) {
				return invalid("listener %s: header name %q", l.ARN, n)
			}
		}
		for _, h := range l.ResponseHeaders {
			if !isToken([]byte(h.Name)) || reservedHeader([]byte(h.Name)) || !headerSafe(h.Value) {
				return invalid("listener %s: response header %q: a token name and a value of visible ASCII", l.ARN, h.Name)
			}
		}
	}
	return nil
}

// reservedHeader reports a field the proxy frames, forwards hop by hop or
// sets itself (model.IsReservedHeaderName, the list the API refuses too): a
// listener may neither add nor rename a header to one of them.
func reservedHeader(name []byte) bool {
	return model.IsReservedHeaderName(string(name)) || isHopByHop(name)
}

// validFieldName reports a field name of ELB's strict form, [-A-Za-z0-9]+
// (routing.http.drop_invalid_header_fields.enabled drops the others).
func validFieldName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isResponseOverride reports whether the listener adds a response field
// named name (the target's is then dropped).
func (s *listenerSettings) isResponseOverride(name []byte) bool {
	for i := range s.respHeaders {
		if bytes.EqualFold(s.respHeaders[i].name, name) {
			return true
		}
	}
	return false
}

// writeResponseHeaders adds the listener's response fields.
func (s *listenerSettings) writeResponseHeaders(wr *writer) {
	for i := range s.respHeaders {
		wr.writeString(s.respHeaders[i].line)
	}
}

// dropRequestField reports a client's request field the attributes keep from
// targets: every X-Forwarded-For in remove mode, names outside [-A-Za-z0-9]+
// with drop_invalid_header_fields, and the TLS headers the load balancer sets
// itself (a client cannot forge them).
func (s *listenerSettings) dropRequestField(name []byte) bool {
	switch {
	case s.xff == xffRemove && bytes.EqualFold(name, []byte("x-forwarded-for")):
		return true
	case s.dropInvalid && !validFieldName(name):
		return true
	case s.tlsHeaders && (bytes.EqualFold(name, s.tlsVersionKey) || bytes.EqualFold(name, s.tlsCipher)):
		return true
	}
	return false
}

// writeHost writes a request's Host value as ELB sends it without
// preserve_host_header: listener ports 80 and 443 drop any port, other ports
// add the listener's when the client gave none.
func (s *listenerSettings) writeHost(wr *writer, host []byte, port int) {
	if s.preserveHost {
		wr.write(host)
		return
	}
	name := stripPort(host)
	if port == 80 || port == 443 {
		wr.write(name)
		return
	}
	wr.write(host)
	if len(name) == len(host) {
		wr.writeString(":")
		wr.writeInt(int64(port))
	}
}

// writeTLSHeaders adds the negotiated TLS version and suite in OpenSSL's names
// (routing.http.x_amzn_tls_version_and_cipher_suite.enabled).
func (c *clientConn) writeTLSHeaders(wr *writer, s *listenerSettings) {
	wr.writeString(s.tlsVersionName)
	wr.writeString(": ")
	wr.writeString(versionName(c.tlsVer))
	wr.writeString("\r\n")
	wr.writeString(s.tlsCipherName)
	wr.writeString(": ")
	if c.tlsCerts != nil {
		wr.writeString(c.tlsCerts.policy.suiteName(c.tlsSuite))
	} else {
		wr.writeString(tls.CipherSuiteName(c.tlsSuite))
	}
	wr.writeString("\r\n")
}
