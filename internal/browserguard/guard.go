// Package browserguard refuses the HTTP requests a web page in the user's
// browser can make to a server on the user's loopback interface. A server
// without credentials cannot tell its callers apart, so it must at least
// tell a local program from a page: a page reaches it by DNS rebinding (a
// name the attacker controls, resolved to 127.0.0.1: the Host header names
// it) or by a cross-site request (the browser names the page in Origin or
// Sec-Fetch-Site). Programs such as the AWS CLI and SDKs send none of that.
package browserguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Sentinel errors of Check.
var (
	// ErrForeignHost reports a Host header that is not a loopback name or
	// address with the port the request arrived on.
	ErrForeignHost = errors.New("request not addressed to this server's loopback address")
	// ErrCrossSite reports a request a web page of another origin made.
	ErrCrossSite = errors.New("cross-site request")
)

// maxEcho bounds how much of a header value an error repeats.
const maxEcho = 100

// Check returns nil when r was addressed to this server by a loopback name
// or address (localhost, 127.0.0.0/8, [::1]) with the port it arrived on,
// and carries neither an Origin other than the server's own nor a
// Sec-Fetch-Site other than same-origin or none. The port comes from the
// connection (http.LocalAddrContextKey, which net/http servers set); a
// request without one is refused, because its Host cannot be checked.
func Check(r *http.Request) error {
	port, ok := localPort(r)
	if !ok {
		return fmt.Errorf("%w: the listening port is unknown", ErrForeignHost)
	}
	if !isOwnAuthority(r.Host, defaultPort(r), port) {
		return fmt.Errorf("%w: Host %.*q is not this server's loopback address; without credentials Slipway answers only "+
			"requests to localhost, 127.0.0.1 or [::1] on port %d, so that no web page can reach it through DNS rebinding. "+
			"Address it as %s, or configure credentials (--credentials-file) to serve other names",
			ErrForeignHost, maxEcho, r.Host, port, ownOrigin(r, port))
	}
	if origin, sent := r.Header["Origin"]; sent && !isOwnOrigin(strings.Join(origin, ","), r, port) {
		return fmt.Errorf("%w: the request comes from a web page (Origin %.*q); without credentials Slipway refuses "+
			"requests from other sites. Use the AWS CLI or an SDK, or configure credentials (--credentials-file)",
			ErrCrossSite, maxEcho, strings.Join(origin, ","))
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return fmt.Errorf("%w: the request comes from a web page (Sec-Fetch-Site: %.*s); without credentials Slipway refuses "+
			"requests from other sites. Use the AWS CLI or an SDK, or configure credentials (--credentials-file)",
			ErrCrossSite, maxEcho, site)
	}
	return nil
}

// Handler serves h the requests Check accepts and answers the others 403
// with the reason as plain text.
func Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := Check(r); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// IsLoopbackHost reports whether host (a name or an address, without port
// or brackets) always means this machine: "localhost" or a loopback IP.
// Other names, even ones that resolve to 127.0.0.1 now, can be rebound.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func localPort(r *http.Request) (int, bool) {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return 0, false
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.Port == 0 {
		return 0, false
	}
	return tcp.Port, true
}

func defaultPort(r *http.Request) int {
	if r.TLS != nil {
		return 443
	}
	return 80
}

// isOwnAuthority reports whether authority (a Host header or an origin's
// host[:port]) is a loopback host with the port wantPort, the port being
// defPort when it is left out.
func isOwnAuthority(authority string, defPort, wantPort int) bool {
	host, portText, err := net.SplitHostPort(authority)
	port := defPort
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(authority, "["), "]")
	} else if port, err = strconv.Atoi(portText); err != nil {
		return false
	}
	return port == wantPort && IsLoopbackHost(host)
}

// isOwnOrigin reports whether origin is this server's own (a page it
// served): the request's scheme, a loopback host and the listening port.
func isOwnOrigin(origin string, r *http.Request, port int) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Path != "" || u.User != nil || u.RawQuery != "" {
		return false
	}
	scheme, defPort := "http", 80
	if r.TLS != nil {
		scheme, defPort = "https", 443
	}
	return u.Scheme == scheme && isOwnAuthority(u.Host, defPort, port)
}

func ownOrigin(r *http.Request, port int) string {
	if r.TLS != nil {
		return "https://127.0.0.1:" + strconv.Itoa(port)
	}
	return "http://127.0.0.1:" + strconv.Itoa(port)
}
