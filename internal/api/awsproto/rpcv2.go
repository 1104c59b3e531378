package awsproto

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// RPCv2API names an API of the Smithy RPC v2 CBOR protocol for HandleRPCv2:
// requests are POST /service/<Service>/operation/<Operation> with the
// header Smithy-Protocol: rpc-v2-cbor (aws-sdk-go-v2 sends CloudWatch so).
type RPCv2API struct {
	// Service is the service shape's name, e.g. "GraniteServiceVersion20100801".
	Service string
	// SigningName is as in JSONAPI, e.g. "monitoring".
	SigningName string
}

// rpcv2Prefix starts every RPC v2 path.
const rpcv2Prefix = "/service/"

// RPCv2ContentType is the content type of RPC v2 CBOR bodies.
const RPCv2ContentType = "application/cbor"

// HandleRPCv2 routes RPC v2 CBOR requests for api.Service to h. It panics
// without a service or a signing name.
func (rt *Router) HandleRPCv2(api RPCv2API, h http.Handler) {
	if api.Service == "" || api.SigningName == "" {
		panic(fmt.Sprintf("awsproto: HandleRPCv2(%+v) needs a Service and a SigningName", api))
	}
	rt.rpcv2[api.Service] = route{signingName: api.SigningName, handler: h}
}

// isRPCv2 reports a request of the RPC v2 protocol's shape.
func isRPCv2(r *http.Request) bool {
	return r.Header.Get("Smithy-Protocol") != "" && strings.HasPrefix(r.URL.Path, rpcv2Prefix)
}

// rpcv2Service returns the service and operation of an RPC v2 path.
func rpcv2Service(path string) (service, operation string, ok bool) {
	rest := strings.TrimPrefix(path, rpcv2Prefix)
	service, operation, ok = strings.Cut(rest, "/operation/")
	return service, operation, ok && service != "" && operation != "" && !strings.Contains(operation, "/")
}

func (rt *Router) serveRPCv2(w http.ResponseWriter, r *http.Request) {
	if err := rt.screen(r); err != nil {
		WriteRPCv2Error(w, jsonAuthError(err), "InternalFailure")
		return
	}
	service, _, ok := rpcv2Service(r.URL.Path)
	api, known := rt.rpcv2[service]
	switch {
	case r.Header.Get("Smithy-Protocol") != "rpc-v2-cbor":
		WriteRPCv2Error(w, ClientError("SerializationException", "unsupported Smithy-Protocol %.40q: Slipway speaks rpc-v2-cbor", r.Header.Get("Smithy-Protocol")), "InternalFailure")
		return
	case !ok || !known || r.Method != http.MethodPost:
		WriteRPCv2Error(w, ClientError("UnknownOperationException", "Unknown operation %.200s", r.URL.Path), "InternalFailure")
		return
	}
	body, err := readBody(r, MaxBodyBytes)
	if err != nil {
		WriteRPCv2Error(w, ClientError("SerializationException", "%v", err), "InternalFailure")
		return
	}
	if err := rt.authenticate(r, body, api.signingName); err != nil {
		WriteRPCv2Error(w, jsonAuthError(err), "InternalFailure")
		return
	}
	api.handler.ServeHTTP(w, withBody(r, body))
}

// WriteRPCv2Error answers with err in the RPC v2 CBOR error shape
// {"__type": code, "message": text}. Errors that are not *Error become
// serverCode with HTTP 500.
func WriteRPCv2Error(w http.ResponseWriter, err error, serverCode string) {
	e := AsError(err, serverCode)
	body, _ := cbor.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", RPCv2ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}
