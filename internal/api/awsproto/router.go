package awsproto

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/browserguard"
)

// MaxBodyBytes bounds an API request body; ECS's largest inputs (task
// definitions) are far smaller.
const MaxBodyBytes = 8 << 20

// JSONAPI names an API of the JSON protocol (1.0 or 1.1) for HandleJSON.
type JSONAPI struct {
	// TargetPrefix is what X-Amz-Target carries before "." (the service
	// model's targetPrefix), e.g. "AmazonEC2ContainerServiceV20141113".
	TargetPrefix string
	// SigningName is the service of its SigV4 credential scope (the model's
	// signingName, else its endpointPrefix), e.g. "ecs", "logs".
	SigningName string
}

// QueryAPI names an API of the Query protocol for HandleQuery.
type QueryAPI struct {
	// Version is the API version requests carry, e.g. "2015-12-01".
	Version string
	// Namespace is the XML namespace of its answers and errors.
	Namespace string
	// SigningName is as in JSONAPI, e.g. "elasticloadbalancing", "monitoring".
	SigningName string
}

type route struct {
	xmlns       string // Query only
	signingName string
	handler     http.Handler
}

// Router is the single API endpoint. It tells the protocols apart by the
// request's shape, as AWS endpoints do: an X-Amz-Target header is JSON 1.1
// (ECS, CloudWatch Logs, ...), a form with Action and Version is the Query
// protocol (ELBv2, ...). With a Verifier it checks SigV4 for the routed API;
// without one (no credentials) it refuses what a web page could send (see
// screen). Then it hands the request, with its body re-readable, to the
// API's handler.
type Router struct {
	json     map[string]route
	query    map[string]route
	rpcv2    map[string]route // by service name (rpcv2.go)
	verifier *Verifier
	regions  RegionCheck // nil: every region (region.go)
	fallback http.Handler
	logger   *slog.Logger
}

// NewRouter returns a Router. verifier may be nil (no credentials: any
// signature is accepted, browser requests are refused); fallback serves
// everything that is not an AWS API request (may be nil).
func NewRouter(verifier *Verifier, fallback http.Handler, logger *slog.Logger) *Router {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Router{
		json: map[string]route{}, query: map[string]route{}, rpcv2: map[string]route{},
		verifier: verifier, fallback: fallback, logger: logger,
	}
}

// HandleJSON routes JSON requests whose X-Amz-Target starts with
// api.TargetPrefix + "." to h. It panics without a target prefix or a
// signing name: every API must say what its requests are signed for.
func (rt *Router) HandleJSON(api JSONAPI, h http.Handler) {
	if api.TargetPrefix == "" || api.SigningName == "" {
		panic(fmt.Sprintf("awsproto: HandleJSON(%+v) needs a TargetPrefix and a SigningName", api))
	}
	rt.json[api.TargetPrefix] = route{signingName: api.SigningName, handler: h}
}

// HandleQuery routes Query requests with api.Version to h; errors are
// written in api.Namespace. It panics without a version or a signing name.
func (rt *Router) HandleQuery(api QueryAPI, h http.Handler) {
	if api.Version == "" || api.SigningName == "" {
		panic(fmt.Sprintf("awsproto: HandleQuery(%+v) needs a Version and a SigningName", api))
	}
	rt.query[api.Version] = route{xmlns: api.Namespace, signingName: api.SigningName, handler: h}
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := NewRequestID()
	w.Header().Set("X-Amzn-RequestId", id)
	r = r.WithContext(WithRequestID(r.Context(), id))
	target := r.Header.Get("X-Amz-Target")
	switch {
	case target != "":
		rt.serveJSON(w, r, target)
	case isRPCv2(r):
		rt.serveRPCv2(w, r)
	case isQuery(r):
		rt.serveQuery(w, r)
	default:
		rt.serveOther(w, r)
	}
}

func isQuery(r *http.Request) bool {
	if r.Method == http.MethodPost {
		return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	}
	return r.URL.Query().Get("Action") != ""
}

func (rt *Router) serveJSON(w http.ResponseWriter, r *http.Request, target string) {
	if err := rt.screen(r); err != nil {
		WriteJSONError(w, jsonAuthError(err), "InternalFailure")
		return
	}
	prefix, _, _ := strings.Cut(target, ".")
	api, ok := rt.json[prefix]
	if !ok || r.Method != http.MethodPost {
		WriteJSONError(w, ClientError("UnknownOperationException", "Unknown operation %.200s", target), "InternalFailure")
		return
	}
	body, err := readBody(r, MaxBodyBytes)
	if err != nil {
		WriteJSONError(w, ClientError("SerializationException", "%v", err), "InternalFailure")
		return
	}
	if err := rt.authenticate(r, body, api.signingName); err != nil {
		WriteJSONError(w, jsonAuthError(err), "InternalFailure")
		return
	}
	api.handler.ServeHTTP(w, withBody(r, body))
}

func (rt *Router) serveQuery(w http.ResponseWriter, r *http.Request) {
	if err := rt.screen(r); err != nil {
		WriteXMLError(w, "", queryAuthError(err), "InternalFailure")
		return
	}
	body, err := readBody(r, MaxBodyBytes)
	if err != nil {
		WriteXMLError(w, "", ClientError("ValidationError", "%v", err), "InternalFailure")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		WriteXMLError(w, "", ClientError("MalformedQueryString", "%v", err), "InternalFailure")
		return
	}
	version := queryParam(form, r, "Version")
	api, ok := rt.query[version]
	if !ok {
		WriteXMLError(w, "", ClientError("InvalidAction", "no service speaks API version %.40q", version), "InternalFailure")
		return
	}
	if err := rt.screenMethod(r, queryParam(form, r, "Action")); err != nil {
		WriteXMLError(w, api.xmlns, queryAuthError(err), "InternalFailure")
		return
	}
	if err := rt.authenticate(r, body, api.signingName); err != nil {
		WriteXMLError(w, api.xmlns, queryAuthError(err), "InternalFailure")
		return
	}
	api.handler.ServeHTTP(w, withBody(r, body))
}

// queryParam reads a Query parameter as the API handlers do: from the form
// body, else from the URL.
func queryParam(form url.Values, r *http.Request, name string) string {
	if v := form.Get(name); v != "" {
		return v
	}
	return r.URL.Query().Get(name)
}

// serveOther serves what is not an AWS API request (/health) through the
// fallback; without credentials only to requests Check accepts.
func (rt *Router) serveOther(w http.ResponseWriter, r *http.Request) {
	if rt.verifier == nil {
		if err := browserguard.Check(r); err != nil {
			rt.refused(r, err)
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
	}
	if rt.fallback == nil {
		http.NotFound(w, r)
		return
	}
	rt.fallback.ServeHTTP(w, r)
}

func (rt *Router) authenticate(r *http.Request, body []byte, signingName string) error {
	if rt.verifier == nil {
		return rt.checkRegion(r, signingName)
	}
	err := rt.verifier.Verify(r, body, signingName)
	if err != nil {
		rt.refused(r, err)
		return err
	}
	return rt.checkRegion(r, signingName)
}

func (rt *Router) refused(r *http.Request, err error) {
	rt.logger.Warn("request refused", "request_id", RequestID(r.Context()), "remote", r.RemoteAddr, "err", err)
}

// withBody is r as its API handler gets it: body re-readable, the region
// of its credential scope in the context (RegionOf).
func withBody(r *http.Request, body []byte) *http.Request {
	r2 := r.Clone(WithRegion(r.Context(), requestRegion(r)))
	r2.Body = readCloser{bytes.NewReader(body)}
	r2.ContentLength = int64(len(body))
	r2.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return r2
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
