package testutil

import (
	"context"
	"net"
	"net/http"
)

// DummyAuthorization is an Authorization header of SigV4's shape, what an
// AWS client signing with any key sends. A server without credentials
// requires one (it is how it tells a client from a web page) but does not
// check it; raw requests in tests carry it.
const DummyAuthorization = "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/ecs/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
	"Signature=0000000000000000000000000000000000000000000000000000000000000000"

// OnLoopback makes r, built for a handler called directly, look as one an
// HTTP server received on 127.0.0.1:4566 from an AWS client: the Host, the
// connection's local address (which net/http gives handlers) and
// DummyAuthorization unless r has an Authorization header.
func OnLoopback(r *http.Request) *http.Request {
	r.Host = "127.0.0.1:4566"
	if r.Header.Get("Authorization") == "" {
		r.Header.Set("Authorization", DummyAuthorization)
	}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4566}
	return r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, local))
}
