package awsproto

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestRPCv2Routing(t *testing.T) {
	rt := NewRouter(nil, nil, nil)
	var got string
	rt.HandleRPCv2(RPCv2API{Service: "Svc", SigningName: "svc"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = r.URL.Path + " " + string(b)
	}))
	send := func(path, proto string) (int, map[string]string) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader("\xa0"))
		if proto != "" {
			req.Header.Set("Smithy-Protocol", proto)
		}
		req.Header.Set("Content-Type", RPCv2ContentType)
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, testutil.OnLoopback(req))
		var body map[string]string
		if w.Header().Get("Content-Type") == RPCv2ContentType {
			if err := cbor.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("error body is not CBOR: %v", err)
			}
		}
		return w.Code, body
	}
	if code, _ := send("/service/Svc/operation/Get", "rpc-v2-cbor"); code != 200 || got != "/service/Svc/operation/Get \xa0" {
		t.Errorf("routed: %d %q", code, got)
	}
	for _, c := range []struct{ path, proto, code string }{
		{"/service/Other/operation/Get", "rpc-v2-cbor", "UnknownOperationException"},
		{"/service/Svc/Get", "rpc-v2-cbor", "UnknownOperationException"},
		{"/service/Svc/operation/Get", "rpc-v2-json", "SerializationException"},
	} {
		if code, body := send(c.path, c.proto); code != 400 || body["__type"] != c.code {
			t.Errorf("%s %s: %d %v, want %s", c.path, c.proto, code, body, c.code)
		}
	}
	// Without the protocol header it is not an RPC v2 request at all.
	if code, _ := send("/service/Svc/operation/Get", ""); code == 200 {
		t.Error("a request without Smithy-Protocol was routed to the RPC v2 API")
	}
}

// Without credentials, RPC v2 requests are screened as the other protocols
// are: no Authorization of SigV4's shape, another Host or a cross-site page
// is refused in RPC v2's error shape, and the API is never reached.
func TestRPCv2RefusesBrowserRequestsWithoutCredentials(t *testing.T) {
	rt := NewRouter(nil, nil, nil)
	reached := 0
	rt.HandleRPCv2(RPCv2API{Service: "Svc", SigningName: "svc"}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached++ }))
	cases := []struct {
		name   string
		edit   func(*http.Request)
		status int
		code   string
	}{
		{"no Authorization", func(r *http.Request) { r.Header.Del("Authorization") }, 400, "MissingAuthenticationTokenException"},
		{"DNS rebinding", func(r *http.Request) { r.Host = "evil.example:4566" }, 403, "AccessDeniedException"},
		{"cross-site Origin", func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }, 403, "AccessDeniedException"},
		{"Sec-Fetch-Site cross-site", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, 403, "AccessDeniedException"},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodPost, "/service/Svc/operation/Put", strings.NewReader("\xa0"))
		req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		req.Header.Set("Content-Type", RPCv2ContentType)
		req = testutil.OnLoopback(req)
		c.edit(req)
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, req)
		var body map[string]string
		if err := cbor.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != c.status || body["__type"] != c.code {
			t.Errorf("%s: %d %v (%v), want %d %s", c.name, w.Code, body, err, c.status, c.code)
		}
	}
	if reached != 0 {
		t.Fatalf("%d refused requests reached the API", reached)
	}
}
