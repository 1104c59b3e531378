package browserguard

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// request is a request that arrived on 127.0.0.1:4566 with the given Host
// and headers (pairs).
func request(host string, headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Host = host
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4566}
	return r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, local))
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		req  *http.Request
		want error
	}{
		{"AWS CLI by address", request("127.0.0.1:4566"), nil},
		{"localhost", request("localhost:4566"), nil},
		{"localhost in capitals", request("LOCALHOST:4566"), nil},
		{"any 127/8 address", request("127.8.9.10:4566"), nil},
		{"IPv6 loopback", request("[::1]:4566"), nil},
		{"own origin", request("127.0.0.1:4566", "Origin", "http://localhost:4566", "Sec-Fetch-Site", "same-origin"), nil},
		{"typed into the address bar", request("127.0.0.1:4566", "Sec-Fetch-Site", "none"), nil},
		{"DNS rebinding", request("evil.example:4566"), ErrForeignHost},
		{"rebinding with a name that resolves to 127.0.0.1", request("localtest.me:4566"), ErrForeignHost},
		{"localhost subdomain", request("a.localhost:4566"), ErrForeignHost},
		{"other port", request("127.0.0.1:8080"), ErrForeignHost},
		{"no port means 80", request("127.0.0.1"), ErrForeignHost},
		{"bad port", request("127.0.0.1:http"), ErrForeignHost},
		{"empty Host", request(""), ErrForeignHost},
		{"unspecified address", request("0.0.0.0:4566"), ErrForeignHost},
		{"cross-site Origin", request("127.0.0.1:4566", "Origin", "https://evil.example"), ErrCrossSite},
		{"null Origin", request("127.0.0.1:4566", "Origin", "null"), ErrCrossSite},
		{"other local port Origin", request("127.0.0.1:4566", "Origin", "http://127.0.0.1:3000"), ErrCrossSite},
		{"Origin of another scheme", request("127.0.0.1:4566", "Origin", "https://127.0.0.1:4566"), ErrCrossSite},
		{"empty Origin", request("127.0.0.1:4566", "Origin", ""), ErrCrossSite},
		{"Sec-Fetch-Site cross-site", request("127.0.0.1:4566", "Sec-Fetch-Site", "cross-site"), ErrCrossSite},
		{"Sec-Fetch-Site same-site", request("127.0.0.1:4566", "Sec-Fetch-Site", "same-site"), ErrCrossSite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.req)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Check = %v, want %v", err, c.want)
			}
		})
	}
}

func TestCheckTLSAndUnknownPort(t *testing.T) {
	r := request("localhost")
	r.TLS = &tls.ConnectionState{}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 443}
	r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, local))
	r.Header.Set("Origin", "https://localhost")
	if err := Check(r); err != nil {
		t.Errorf("HTTPS on 443 without a port in Host: %v", err)
	}
	if err := Check(httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566/", nil)); !errors.Is(err, ErrForeignHost) {
		t.Errorf("a request with no local address: %v, want ErrForeignHost", err)
	}
}

func TestHandlerAnswersWhatToDo(t *testing.T) {
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request("evil.example:4566"))
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "http://127.0.0.1:4566") {
		t.Fatalf("rebinding: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, request("127.0.0.1:4566"))
	if w.Code != http.StatusOK || w.Body.String() != "ok" {
		t.Fatalf("loopback: %d %s", w.Code, w.Body)
	}
}
