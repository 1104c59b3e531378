package model

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Listener attribute keys other packages read.
const (
	// ListenerAttrTCPIdleTimeout is tcp.idle_timeout.seconds of TCP, TLS
	// and TCP_UDP listeners: the layer-4 data plane closes a connection idle
	// this long.
	ListenerAttrTCPIdleTimeout = "tcp.idle_timeout.seconds"
	// ListenerAttrServerHeader is routing.http.response.server.enabled.
	ListenerAttrServerHeader = "routing.http.response.server.enabled"
)

// DefaultTCPIdleTimeoutSeconds is tcp.idle_timeout.seconds' default (ELB: 350).
const DefaultTCPIdleTimeoutSeconds = 350

// mtlsHeaders are the request headers of mutual TLS whose names an HTTPS
// listener's attributes rename: attribute part and ELB's header name.
var mtlsHeaders = [][2]string{
	{"x_amzn_mtls_clientcert_serial_number", "X-Amzn-Mtls-Clientcert-Serial-Number"},
	{"x_amzn_mtls_clientcert_issuer", "X-Amzn-Mtls-Clientcert-Issuer"},
	{"x_amzn_mtls_clientcert_subject", "X-Amzn-Mtls-Clientcert-Subject"},
	{"x_amzn_mtls_clientcert_validity", "X-Amzn-Mtls-Clientcert-Validity"},
	{"x_amzn_mtls_clientcert_leaf", "X-Amzn-Mtls-Clientcert-Leaf"},
	{"x_amzn_mtls_clientcert", "X-Amzn-Mtls-Clientcert"},
	{"x_amzn_tls_version", "X-Amzn-Tls-Version"},
	{"x_amzn_tls_cipher_suite", "X-Amzn-Tls-Cipher-Suite"},
}

// responseHeaders are the response headers an application load balancer's
// listener can add (routing.http.response.NAME.header_value, empty: not added).
var responseHeaders = []string{
	"strict_transport_security", "access_control_allow_origin", "access_control_allow_methods",
	"access_control_allow_headers", "access_control_allow_credentials", "access_control_expose_headers",
	"access_control_max_age", "content_security_policy", "x_content_type_options", "x_frame_options",
}

// listenerAttributeTable returns the attributes ELB lists for a listener of
// protocol p.
func listenerAttributeTable(p string) attrTable {
	switch p {
	case ProtocolTCP, ProtocolTLS, ProtocolTCPUDP:
		return attrTable{ListenerAttrTCPIdleTimeout: {def: strconv.Itoa(DefaultTCPIdleTimeoutSeconds), check: intRange(60, 6000)}}
	case ProtocolUDP:
		return attrTable{}
	}
	// The HTTP data plane applies them (lbsync, lb.Listener).
	t := attrTable{ListenerAttrServerHeader: {def: "true", check: boolAttr}}
	for _, h := range responseHeaders {
		t[responseHeaderKey(h)] = attrSpec{def: "", check: responseHeaderCheck(h)}
	}
	if p == ProtocolHTTPS {
		for _, h := range mtlsHeaders {
			t["routing.http.request."+h[0]+".header_name"] = attrSpec{def: h[1], check: headerName}
		}
	}
	return t
}

// reservedHeaderNames are the request headers a load balancer frames,
// forwards hop by hop or sets itself: a TLS header cannot be renamed to one,
// and the HTTP data plane refuses them too (lb takes them from here).
var reservedHeaderNames = []string{"content-length", "transfer-encoding", "host", "set-cookie", "date",
	"x-forwarded-for", "x-forwarded-proto", "x-forwarded-port", "x-amzn-trace-id",
	"te", "upgrade", "connection", "keep-alive", "proxy-connection"}

// OIDCHeaderPrefix starts the request headers authenticate-oidc sets
// (x-amzn-oidc-accesstoken, -identity and -data): a TLS header renamed to
// one would give the target a second identity header beside the load
// balancer's. (The mutual TLS headers are not reserved this way: each may be
// set to its own default name.)
const OIDCHeaderPrefix = "x-amzn-oidc-"

// IsReservedHeaderName reports, in any case, a request header name the load
// balancer frames, forwards hop by hop or sets itself, which a listener may
// neither add nor rename a header to.
func IsReservedHeaderName(name string) bool {
	for _, r := range reservedHeaderNames {
		if strings.EqualFold(name, r) {
			return true
		}
	}
	p := OIDCHeaderPrefix
	return len(name) >= len(p) && strings.EqualFold(name[:len(p)], p)
}

// ReservedHeaderNames lists, in lower case, the reserved names and the
// headers authenticate-oidc sets under OIDCHeaderPrefix (for tests that
// check every layer refuses them).
func ReservedHeaderNames() []string {
	return append(slices.Clone(reservedHeaderNames), OIDCHeaderPrefix+"accesstoken", OIDCHeaderPrefix+"identity",
		OIDCHeaderPrefix+"data")
}

// headerName accepts an HTTP header name (RFC 9110 token), 1-40 characters,
// not one the load balancer sets itself.
func headerName(key, v string) error {
	if v == "" || len(v) > 40 {
		return elbInvalid("The header name of attribute '%s' must be 1 to 40 characters long", key)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return elbInvalid("The header name '%s' of attribute '%s' can only contain alphanumeric characters, hyphens and underscores", v, key)
		}
	}
	if IsReservedHeaderName(v) {
		return elbInvalid("The header name '%s' of attribute '%s' is a header the load balancer sets itself", v, key)
	}
	return nil
}

// headerValue accepts a header value: printable ASCII, spaces allowed, never
// CR, LF or another control byte (it would end or corrupt the header line).
func headerValue(key, v string) error { return echoedText(key, v) }

func responseHeaderKey(h string) string { return "routing.http.response." + h + ".header_value" }

// responseHeaderCheck checks a response header's value: always a safe header
// value, and for the headers whose values the standards fix, one of those
// (a value a browser ignores would be accepted and do nothing).
func responseHeaderCheck(h string) func(key, v string) error {
	return func(key, v string) error {
		if err := headerValue(key, v); err != nil || v == "" {
			return err
		}
		switch h {
		case "access_control_allow_credentials":
			return oneOf(key, v, "true")
		case "x_content_type_options":
			return oneOf(key, v, "nosniff")
		case "access_control_max_age":
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return elbInvalid("The value of attribute '%s' must be a number of seconds", key)
			}
		case "x_frame_options":
			if v != "DENY" && v != "SAMEORIGIN" && !strings.HasPrefix(v, "ALLOW-FROM ") {
				return elbInvalid("The value of attribute '%s' must be DENY, SAMEORIGIN or ALLOW-FROM followed by an origin", key)
			}
		}
		return nil
	}
}

// responseHeaderName is the HTTP name of a response header attribute's
// header: strict_transport_security is Strict-Transport-Security.
func responseHeaderName(h string) string {
	parts := strings.Split(h, "_")
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, "-")
}

// ServerHeader is routing.http.response.server.enabled of an HTTP or HTTPS
// listener: the load balancer's own responses carry its Server header.
func (l Listener) ServerHeader() bool { return l.Attributes[ListenerAttrServerHeader] != "false" }

// ResponseHeaders are the headers an HTTP or HTTPS listener adds to every
// response (routing.http.response.*.header_value that are set), as name and
// value, in a fixed order.
func (l Listener) ResponseHeaders() [][2]string {
	var out [][2]string
	for _, h := range responseHeaders {
		if v := l.Attributes[responseHeaderKey(h)]; v != "" {
			out = append(out, [2]string{responseHeaderName(h), v})
		}
	}
	return out
}

// TLSHeaderNames are the names an HTTPS listener gives the TLS version and
// cipher suite request headers (routing.http.request.x_amzn_tls_*.header_name).
func (l Listener) TLSHeaderNames() (version, cipherSuite string) {
	return l.Attributes["routing.http.request.x_amzn_tls_version.header_name"], l.Attributes["routing.http.request.x_amzn_tls_cipher_suite.header_name"]
}

// AttributeList returns every attribute of l, defaults filled in, sorted by key.
func (l Listener) AttributeList() []TargetGroupAttribute {
	return sortedAttributes(listenerAttributeTable(l.Protocol), l.Attributes)
}

// SetAttributes validates attrs as ELB does for l's protocol and applies
// them; l is unchanged when it returns an error.
func (l *Listener) SetAttributes(attrs []TargetGroupAttribute) error {
	next, err := listenerAttributeTable(l.Protocol).apply(l.Attributes, attrs, func(key string) error {
		return elbErr(ELBInvalidConfiguration, "The attribute '%s' is not supported for %s listeners", key, l.Protocol)
	})
	if err != nil {
		return err
	}
	l.Attributes = next
	return nil
}

// keepAttributes drops the attributes l's protocol does not have (after a
// protocol change, as ELB does) and fills in the defaults of those it has.
func (l *Listener) keepAttributes() {
	t := listenerAttributeTable(l.Protocol)
	next := t.defaults()
	for k, v := range l.Attributes {
		if _, ok := t[k]; ok {
			next[k] = v
		}
	}
	l.Attributes = next
}

// IdleTimeout is tcp.idle_timeout.seconds of a TCP, TLS or TCP_UDP listener
// (350 s unless set; 0 for other protocols).
func (l Listener) IdleTimeout() time.Duration {
	v, ok := l.Attributes[ListenerAttrTCPIdleTimeout]
	if _, has := listenerAttributeTable(l.Protocol)[ListenerAttrTCPIdleTimeout]; !has {
		return 0
	}
	n, err := strconv.Atoi(v)
	if !ok || err != nil {
		n = DefaultTCPIdleTimeoutSeconds
	}
	return time.Duration(n) * time.Second
}
