package awsproto

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MaxBodyBytes bounds an API request body; ECS's largest inputs (task
// definitions) are far smaller.
const MaxBodyBytes = 8 << 20

type queryService struct {
	xmlns   string
	handler http.Handler
}

// Router is the single API endpoint. It tells the protocols apart by the
// request's shape, as AWS endpoints do: an X-Amz-Target header is JSON 1.1
// (ECS, CloudWatch Logs, ...), a form with Action and Version is the Query
// protocol (ELBv2, ...). It checks SigV4 when a Verifier is set, then hands
// the request, with its body re-readable, to the service's handler.
type Router struct {
	json     map[string]http.Handler
	query    map[string]queryService
	verifier *Verifier
	fallback http.Handler
	logger   *slog.Logger
}

// NewRouter returns a Router. verifier may be nil (authentication off);
// fallback serves everything that is not an AWS API request (may be nil).
func NewRouter(verifier *Verifier, fallback http.Handler, logger *slog.Logger) *Router {
	return &Router{
		json: map[string]http.Handler{}, query: map[string]queryService{},
		verifier: verifier, fallback: fallback, logger: logger,
	}
}

// HandleJSON routes JSON 1.1 requests whose X-Amz-Target starts with
// targetPrefix + "." to h.
func (rt *Router) HandleJSON(targetPrefix string, h http.Handler) { rt.json[targetPrefix] = h }

// HandleQuery routes Query requests with the given Version to h; errors are
// written in the namespace xmlns.
func (rt *Router) HandleQuery(version, xmlns string, h http.Handler) {
	rt.query[version] = queryService{xmlns: xmlns, handler: h}
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
	case isQuery(r):
		rt.serveQuery(w, r)
	case rt.fallback != nil:
		rt.fallback.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

func isQuery(r *http.Request) bool {
	if r.Method == http.MethodPost {
		return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	}
	return r.URL.Query().Get("Action") != ""
}

func (rt *Router) serveJSON(w http.ResponseWriter, r *http.Request, target string) {
	prefix, _, _ := strings.Cut(target, ".")
	h, ok := rt.json[prefix]
	if !ok || r.Method != http.MethodPost {
		WriteJSONError(w, ClientError("UnknownOperationException", "Unknown operation %s", target), "InternalFailure")
		return
	}
	body, err := readBody(r, MaxBodyBytes)
	if err != nil {
		WriteJSONError(w, ClientError("SerializationException", "%v", err), "InternalFailure")
		return
	}
	if err := rt.authenticate(r, body); err != nil {
		WriteJSONError(w, jsonAuthError(err), "InternalFailure")
		return
	}
	h.ServeHTTP(w, withBody(r, body))
}

func (rt *Router) serveQuery(w http.ResponseWriter, r *http.Request) {
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
	version := form.Get("Version")
	if version == "" {
		version = r.URL.Query().Get("Version")
	}
	svc, ok := rt.query[version]
	if !ok {
		WriteXMLError(w, "", ClientError("InvalidAction", "no service speaks API version %q", version), "InternalFailure")
		return
	}
	if err := rt.authenticate(r, body); err != nil {
		WriteXMLError(w, svc.xmlns, queryAuthError(err), "InternalFailure")
		return
	}
	svc.handler.ServeHTTP(w, withBody(r, body))
}

func (rt *Router) authenticate(r *http.Request, body []byte) error {
	if rt.verifier == nil {
		return nil
	}
	err := rt.verifier.Verify(r, body)
	if err != nil && rt.logger != nil {
		rt.logger.Warn("request refused", "remote", r.RemoteAddr, "err", err)
	}
	return err
}

func withBody(r *http.Request, body []byte) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Body = readCloser{bytes.NewReader(body)}
	r2.ContentLength = int64(len(body))
	r2.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return r2
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// jsonAuthError maps a verification failure to the JSON protocol's codes.
func jsonAuthError(err error) *Error {
	switch {
	case errors.Is(err, ErrMissingAuth):
		return Errorf(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
	case errors.Is(err, ErrUnknownKey):
		return Errorf(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
	case errors.Is(err, ErrExpired):
		return Errorf(http.StatusBadRequest, "InvalidSignatureException", "%s", strings.TrimPrefix(err.Error(), ErrExpired.Error()+": "))
	case errors.Is(err, ErrMalformedAuth):
		return Errorf(http.StatusBadRequest, "IncompleteSignatureException", "%v", err)
	default:
		return Errorf(http.StatusBadRequest, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
}

// queryAuthError maps a verification failure to the Query protocol's codes.
func queryAuthError(err error) *Error {
	switch {
	case errors.Is(err, ErrMissingAuth):
		return Errorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	case errors.Is(err, ErrUnknownKey):
		return Errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	case errors.Is(err, ErrExpired):
		return Errorf(http.StatusForbidden, "SignatureDoesNotMatch", "%s", strings.TrimPrefix(err.Error(), ErrExpired.Error()+": "))
	case errors.Is(err, ErrMalformedAuth):
		return Errorf(http.StatusBadRequest, "IncompleteSignature", "%v", err)
	default:
		return Errorf(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
}
