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
