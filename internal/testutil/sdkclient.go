package testutil

import (
	"bytes"
	"io"
	"net/http"
)

// SDKHTTPClient is an HTTP client for aws-sdk-go-v2 clients of a server on
// 127.0.0.1. It sends a copy of each request body: the SDK closes the body
// it handed to the transport as soon as the answer arrives (aws-sdk-go-v2
// issue 2737), which a local server can send before the transport has
// finished with the request, and the transport then closes the connection
// under the answer being read.
func SDKHTTPClient() *http.Client { return &http.Client{Transport: ownBodyTransport{}} }

type ownBodyTransport struct{}

func (ownBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return http.DefaultTransport.RoundTrip(r)
}
