package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fuzzShape is a representative operation input: the field kinds ECS and
// Logs requests use (strings, optional numbers, booleans, lists of objects,
// free-form maps and nested pointers).
type fuzzShape struct {
	Cluster      string   `json:"cluster"`
	DesiredCount *int     `json:"desiredCount"`
	MaxResults   *int32   `json:"maxResults"`
	Force        bool     `json:"force"`
	Weight       float64  `json:"weight"`
	Include      []string `json:"include"`
	Tags         []struct{ Key, Value string }
	Options      map[string]string `json:"options"`
	Config       *struct {
		Ports   []int          `json:"ports"`
		Extra   map[string]any `json:"extra"`
		Nothing *bool          `json:"nothing"`
	} `json:"config"`
	Document json.RawMessage `json:"document"`
}

// FuzzDecodeJSON: any body either decodes or is refused as the caller's
// fault (SerializationException, HTTP 400); invalid JSON is never accepted.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `  `, `null`, `[]`, `{"cluster":"default","desiredCount":2}`,
		`{"maxResults":"ten"}`, `{"maxResults":3000000000}`, `{"desiredCount":1.5}`,
		`{"tags":[{"Key":"a","Value":"b"}],"options":{"k":"v"}}`,
		`{"config":{"ports":[80,443],"extra":{"x":[1,{"y":null}]},"nothing":false}}`,
		`{"document":{"any":"thing"}}`, `{"cluster":"a"} trailing`, `{"cluster":"\ud800"}`,
		`{"weight":1e400}`, `{"include":["TAGS",7]}`, "{\"cluster\":\"\xff\"}", `{"cluster":`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v fuzzShape
		err := DecodeJSON(body, &v)
		if err == nil {
			trimmed := bytes.TrimSpace(body)
			if len(trimmed) > 0 && !json.Valid(trimmed) {
				t.Fatalf("accepted invalid JSON %q", body)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error is %T, not *Error: %v", err, err)
		}
		if e.Code != "SerializationException" || e.Status != http.StatusBadRequest || !e.Sender || e.Message == "" {
			t.Fatalf("error %+v; want a 400 SerializationException with a message", e)
		}
	})
}

// fuzzRouters are a router with authentication off and one that checks
// signatures, each with a trivial JSON and Query service and a fallback.
var fuzzRouters = func() [2]*Router {
	var rs [2]*Router
	for i, v := range []*Verifier{nil, NewVerifier(Credentials{"AKIDFUZZ": "fuzz-secret"}, []string{"us-east-1"}, nil)} {
		rt := NewRouter(v, http.HandlerFunc(fuzzFallback), nil)
		rt.HandleJSON(JSONAPI{TargetPrefix: "FuzzService", SigningName: "ecs"}, http.HandlerFunc(fuzzJSONHandler))
		rt.HandleQuery(QueryAPI{Version: "2015-12-01", Namespace: "http://example.com/fuzz/", SigningName: "elasticloadbalancing"},
			http.HandlerFunc(fuzzQueryHandler))
		rs[i] = rt
	}
	return rs
}()

func fuzzJSONHandler(w http.ResponseWriter, r *http.Request) {
	var in fuzzShape
	body := new(bytes.Buffer)
	_, _ = body.ReadFrom(r.Body)
	if err := DecodeJSON(body.Bytes(), &in); err != nil {
		WriteJSONError(w, err, "InternalFailure")
		return
	}
	WriteJSON(w, map[string]string{"cluster": in.Cluster})
}

func fuzzQueryHandler(w http.ResponseWriter, _ *http.Request) {
	WriteXML(w, struct {
		XMLName xml.Name `xml:"FuzzResponse"`
	}{})
}

func fuzzFallback(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("X-Fuzz-Fallback", "1")
	http.NotFound(w, nil)
}

// FuzzRouter sends arbitrary requests through the Router: it never panics,
// and answers 200 or a 4xx with an AWS error body in the request's protocol.
// "{date}" in the Authorization header becomes today's date and X-Amz-Date
// is set to now, so signatures reach the signer rather than the clock check.
func FuzzRouter(f *testing.F) {
	sig := "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/{date}/us-east-1/ecs/aws4_request, " +
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + strings.Repeat("ab", 32)
	// mode: bit 0 selects the signing router, bits 1-2 the method (GET, POST, PUT, DELETE).
	const get, post, signed = 0, 2, 1
	f.Add(uint8(post), "FuzzService.Op", JSONContentType, "", "", []byte(`{"cluster":"x"}`))
	f.Add(uint8(post), "FuzzService.Op", JSONContentType, "", "", []byte(`{"cluster":`))
	f.Add(uint8(post), "Other.Op", JSONContentType, "", "", []byte(`{}`))
	f.Add(uint8(get), "FuzzService.Op", "", "", "", []byte(``))
	f.Add(uint8(post|signed), "FuzzService.Op", JSONContentType, "", sig, []byte(`{}`))
	f.Add(uint8(post|signed), "FuzzService.Op", JSONContentType, "", "AWS4-HMAC-SHA256 Credential=a/b", []byte(`{}`))
	f.Add(uint8(post|signed), "FuzzService.Op", JSONContentType, "", "", []byte(`{}`))
	f.Add(uint8(post), "", "application/x-www-form-urlencoded", "", "", []byte(`Action=Describe&Version=2015-12-01`))
	f.Add(uint8(post|signed), "", "application/x-www-form-urlencoded; charset=utf-8", "", sig, []byte(`Action=X&Version=2015-12-01`))
	f.Add(uint8(post), "", "application/x-www-form-urlencoded", "", "", []byte(`Action=X&Version=1999-01-01`))
	f.Add(uint8(post), "", "application/x-www-form-urlencoded", "", "", []byte(`%zz`))
	f.Add(uint8(get), "", "", "Action=Describe&Version=2015-12-01", "", []byte(nil))
	f.Add(uint8(get|signed), "", "", "Action=Describe&Version=2015-12-01", sig, []byte(nil))
	f.Add(uint8(get), "", "text/plain", "health", "", []byte(`hello`))
	f.Add(uint8(post), "FuzzService.Op", JSONContentType, "", sig, []byte(`{"cluster":"x"}`))
	f.Add(uint8(get), "", "", "Action=CreateThing&Version=2015-12-01", sig, []byte(nil))
	f.Add(uint8(post), "", "application/x-www-form-urlencoded", "", sig, []byte(`Action=CreateThing&Version=2015-12-01`))
	f.Fuzz(func(t *testing.T, mode uint8, target, contentType, rawQuery, auth string, body []byte) {
		r := fuzzRequest(t, mode, target, contentType, rawQuery, auth, body)
		w := httptest.NewRecorder()
		fuzzRouters[mode&1].ServeHTTP(w, r)
		checkRouterAnswer(t, w)
	})
}

// fuzzRequest builds the request, skipping inputs no HTTP server would hand
// to a handler (header values with control characters).
func fuzzRequest(t *testing.T, mode uint8, target, contentType, rawQuery, auth string, body []byte) *http.Request {
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}
	now := time.Now().UTC()
	auth = strings.ReplaceAll(auth, "{date}", now.Format("20060102"))
	for _, h := range []string{target, contentType, auth} {
		if strings.ContainsFunc(h, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Skip("header value no HTTP server would accept")
		}
	}
	r, err := http.NewRequest(methods[(mode>>1)%4], "http://127.0.0.1:4566/?"+rawQuery, bytes.NewReader(body))
	if err != nil {
		t.Skip("URL no HTTP server would accept")
	}
	for k, v := range map[string]string{"X-Amz-Target": target, "Content-Type": contentType, "Authorization": auth} {
		if v != "" {
			r.Header.Set(k, v)
		}
	}
	r.Header.Set("X-Amz-Date", now.Format(amzDateFormat))
	return onLoopback(r)
}

// onLoopback makes r look as if it arrived on 127.0.0.1:4566, as net/http
// tells handlers by the connection's local address.
func onLoopback(r *http.Request) *http.Request {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4566}
	return r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, local))
}

// checkRouterAnswer asserts the status and the error body's shape.
func checkRouterAnswer(t *testing.T, w *httptest.ResponseRecorder) {
	if w.Header().Get("X-Fuzz-Fallback") == "1" {
		return // not an AWS request: the fallback answered
	}
	if w.Code == http.StatusForbidden && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		return // not an AWS request, refused before the fallback
	}
	if w.Header().Get("X-Amzn-RequestId") == "" {
		t.Fatalf("no X-Amzn-RequestId")
	}
	if w.Code == http.StatusOK {
		return
	}
	if w.Code < 400 || w.Code > 499 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	switch ct := w.Header().Get("Content-Type"); ct {
	case JSONContentType:
		var e struct {
			Type    *string `json:"__type"`
			Message *string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Type == nil || *e.Type == "" || e.Message == nil {
			t.Fatalf("JSON error body %q (%v)", w.Body, err)
		}
		if w.Header().Get("X-Amzn-ErrorType") != *e.Type {
			t.Fatalf("X-Amzn-ErrorType %q, body type %q", w.Header().Get("X-Amzn-ErrorType"), *e.Type)
		}
	case "text/xml":
		var e xmlErrorResponse
		if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code == "" || e.Type != "Sender" {
			t.Fatalf("XML error body %q (%v)", w.Body, err)
		}
	default:
		t.Fatalf("error with content type %q: %s", ct, w.Body)
	}
}
