package awsproto

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testTarget  = "AmazonEC2ContainerServiceV20141113"
	testVersion = "2015-12-01"
)

// testRouter serves a JSON API signed as "ecs" and a Query API signed as
// "elasticloadbalancing" on a real loopback listener; it counts the
// requests that reached the APIs.
type testRouter struct {
	url     string
	reached int
}

func newTestRouter(t *testing.T, v *Verifier) *testRouter {
	t.Helper()
	tr := &testRouter{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	rt := NewRouter(v, mux, nil)
	rt.HandleJSON(JSONAPI{TargetPrefix: testTarget, SigningName: "ecs"}, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		tr.reached++
		_ = WriteJSON(w, map[string]any{})
	}))
	rt.HandleQuery(QueryAPI{Version: testVersion, Namespace: "http://example.com/elb/", SigningName: "elasticloadbalancing"},
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			tr.reached++
			_ = WriteXML(w, struct {
				XMLName xml.Name `xml:"OKResponse"`
			}{})
		}))
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	tr.url = srv.URL
	return tr
}

// call is one raw request: the AWS CLI's shape unless a test changes it.
type call struct {
	method, host, query, target, body string
	header                            map[string]string
	sign                              *signing // nil: a dummy Authorization of the right shape
	noAuth                            bool
}

type signing struct{ key, secret, service, region string }

// do sends c and returns the status and the AWS error code of the answer
// ("" for a 2xx).
func (tr *testRouter) do(t *testing.T, c call) (int, string, string) {
	t.Helper()
	if c.method == "" {
		c.method = http.MethodPost
	}
	r, err := http.NewRequest(c.method, tr.url+"/?"+c.query, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.target != "" {
		r.Header.Set("X-Amz-Target", c.target)
		r.Header.Set("Content-Type", JSONContentType)
	} else if c.method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	if c.host != "" {
		r.Host = c.host
	}
	switch {
	case c.noAuth:
	case c.sign != nil:
		sum := sha256.Sum256([]byte(c.body))
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.sign.key, SecretAccessKey: c.sign.secret},
			r, hex.EncodeToString(sum[:]), c.sign.service, c.sign.region, time.Now())
		if err != nil {
			t.Fatal(err)
		}
	default:
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
	}
	for k, v := range c.header {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, errorCode(t, resp, body), string(body)
}

func errorCode(t *testing.T, resp *http.Response, body []byte) string {
	if resp.StatusCode < 300 {
		return ""
	}
	switch resp.Header.Get("Content-Type") {
	case JSONContentType:
		var e struct {
			Type string `json:"__type"`
		}
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("JSON error %s: %v", body, err)
		}
		return e.Type
	case "text/xml":
		var e xmlErrorResponse
		if err := xml.Unmarshal(body, &e); err != nil {
			t.Fatalf("XML error %s: %v", body, err)
		}
		return e.Code
	}
	return "text"
}

const listClusters = testTarget + ".ListClusters"

// TestBrowserRequestsRefusedWithoutCredentials: without credentials, what a
// web page can send is refused in the protocol's shape, before any API sees
// it, with a message that says what to do; what the AWS CLI sends passes.
func TestBrowserRequestsRefusedWithoutCredentials(t *testing.T) {
	tr := newTestRouter(t, nil)
	port := tr.url[strings.LastIndex(tr.url, ":")+1:]
	form := url.Values{"Action": {"CreateLoadBalancer"}, "Version": {testVersion}, "Name": {"x"}}.Encode()
	cases := []struct {
		name     string
		c        call
		status   int
		code     string
		sayWhat  string
		accepted bool
	}{
		{name: "CLI JSON", c: call{target: listClusters, body: "{}"}, accepted: true},
		{name: "CLI Query", c: call{body: form}, accepted: true},
		{name: "localhost", c: call{target: listClusters, host: "localhost:" + port}, accepted: true},
		{name: "IPv6 loopback name", c: call{target: listClusters, host: "[::1]:" + port}, accepted: true},
		{name: "Query GET of a read", c: call{method: http.MethodGet, query: "Action=DescribeLoadBalancers&Version=" + testVersion}, accepted: true},
		{name: "DNS rebinding JSON", c: call{target: testTarget + ".RunTask", host: "evil.example:" + port},
			status: 403, code: "AccessDeniedException", sayWhat: "http://127.0.0.1:" + port},
		{name: "DNS rebinding Query", c: call{body: form, host: "evil.example:" + port},
			status: 403, code: "AccessDenied", sayWhat: "DNS rebinding"},
		{name: "DNS rebinding health", c: call{method: http.MethodGet, host: "evil.example:" + port, noAuth: true},
			status: 403, code: "text", sayWhat: "DNS rebinding"},
		{name: "cross-site Origin", c: call{body: form, header: map[string]string{"Origin": "https://evil.example"}},
			status: 403, code: "AccessDenied", sayWhat: "AWS CLI"},
		{name: "Sec-Fetch-Site cross-site", c: call{target: listClusters, header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
			status: 403, code: "AccessDeniedException", sayWhat: "AWS CLI"},
		{name: "form POST without Authorization", c: call{body: form, noAuth: true},
			status: 403, code: "MissingAuthenticationToken", sayWhat: "AWS_ACCESS_KEY_ID"},
		{name: "JSON without Authorization", c: call{target: listClusters, noAuth: true},
			status: 400, code: "MissingAuthenticationTokenException", sayWhat: "AWS_ACCESS_KEY_ID"},
		{name: "Authorization of another shape", c: call{target: listClusters, header: map[string]string{"Authorization": "Bearer x"}},
			status: 400, code: "IncompleteSignatureException", sayWhat: "AWS4-HMAC-SHA256"},
		{name: "GET CreateLoadBalancer", c: call{method: http.MethodGet, query: form},
			status: 403, code: "AccessDenied", sayWhat: "POST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := tr.reached
			status, code, body := tr.do(t, c.c)
			if c.accepted {
				if status != 200 || tr.reached != before+1 {
					t.Fatalf("refused: %d %s", status, body)
				}
				return
			}
			if status != c.status || code != c.code || !strings.Contains(body, c.sayWhat) {
				t.Fatalf("got %d %s %s; want %d %s saying %q", status, code, body, c.status, c.code, c.sayWhat)
			}
			if tr.reached != before {
				t.Fatal("a refused request reached the API")
			}
		})
	}
	if status, _, _ := tr.do(t, call{method: http.MethodGet, noAuth: true}); status != 404 {
		t.Errorf("GET / on loopback: %d, want the fallback's 404", status)
	}
}

// TestSignaturesScopedToTheRoutedAPI: with credentials, a signature must be
// for the API the request is routed to and a region the server serves.
func TestSignaturesScopedToTheRoutedAPI(t *testing.T) {
	v := NewVerifier(Credentials{"AKID": "se:cret"}, []string{"us-east-1"}, nil)
	tr := newTestRouter(t, v)
	form := url.Values{"Action": {"DescribeLoadBalancers"}, "Version": {testVersion}}.Encode()
	sign := func(service, region string) *signing { return &signing{"AKID", "se:cret", service, region} }
	cases := []struct {
		name string
		c    call
		code string
	}{
		{"ECS signed for ecs", call{target: listClusters, body: "{}", sign: sign("ecs", "us-east-1")}, ""},
		{"ELB signed for elasticloadbalancing", call{body: form, sign: sign("elasticloadbalancing", "us-east-1")}, ""},
		{"ECS signed for elasticloadbalancing", call{target: listClusters, body: "{}", sign: sign("elasticloadbalancing", "us-east-1")}, "InvalidSignatureException"},
		{"ELB signed for ecs", call{body: form, sign: sign("ecs", "us-east-1")}, "SignatureDoesNotMatch"},
		{"ECS signed for another region", call{target: listClusters, body: "{}", sign: sign("ecs", "eu-west-1")}, "InvalidSignatureException"},
		{"ELB signed for another region", call{body: form, sign: sign("elasticloadbalancing", "eu-west-1")}, "SignatureDoesNotMatch"},
		{"unsigned x-amz header", call{target: listClusters, body: "{}", sign: sign("ecs", "us-east-1"),
			header: map[string]string{"X-Amz-Extra": "1"}}, "InvalidSignatureException"},
		// A page that can sign holds the secret: with credentials, the
		// signature is the defence.
		{"signed from a page", call{target: listClusters, body: "{}", sign: sign("ecs", "us-east-1"),
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, code, body := tr.do(t, c.c)
			if code != c.code {
				t.Fatalf("code %q (%s), want %q", code, body, c.code)
			}
			if c.code != "" && !strings.Contains(body, "Credential should be scoped") && !strings.Contains(body, "not signed") {
				t.Errorf("message does not say what is wrong: %s", body)
			}
		})
	}
}

// TestServerFaultHidesItsText: a 500 answers a generic message with the
// request id, in both protocols, never the internal error.
func TestServerFaultHidesItsText(t *testing.T) {
	secret := errors.New("open /var/lib/slipway/slipway.db: input/output error")
	for name, write := range map[string]func(http.ResponseWriter){
		"json": func(w http.ResponseWriter) { WriteJSONError(w, secret, "ServerException") },
		"xml":  func(w http.ResponseWriter) { WriteXMLError(w, "ns", secret, "InternalFailure") },
		"json 5xx Error": func(w http.ResponseWriter) {
			WriteJSONError(w, Errorf(http.StatusServiceUnavailable, "ServerException", "%v", secret), "ServerException")
		},
	} {
		w := httptest.NewRecorder()
		w.Header().Set("X-Amzn-RequestId", "req-123")
		write(w)
		body := w.Body.String()
		if w.Code < 500 || strings.Contains(body, "slipway.db") || !strings.Contains(body, "req-123") {
			t.Errorf("%s: %d %s", name, w.Code, body)
		}
	}
	w := httptest.NewRecorder()
	WriteJSONError(w, ClientError("ClientException", "Cluster not found."), "ServerException")
	if !strings.Contains(w.Body.String(), "Cluster not found.") {
		t.Errorf("a client fault lost its message: %s", w.Body)
	}
}

func TestRegistrationNeedsASigningName(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("HandleJSON without a signing name did not panic")
		}
	}()
	NewRouter(nil, nil, nil).HandleJSON(JSONAPI{TargetPrefix: "X"}, http.NotFoundHandler())
}
