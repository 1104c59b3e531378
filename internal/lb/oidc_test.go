package lb

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth"
	"github.com/slipway-dev/slipway/internal/lb/oidcauth/oidctest"
)

// ipCert is a self-signed certificate for 127.0.0.1, added to pool.
func ipCert(t *testing.T, pool *x509.CertPool) Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool.AddCert(cert)
	kder, _ := x509.MarshalECPrivateKey(key)
	return Certificate{Name: "ip", CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})}
}

func authKeys(t *testing.T) *AuthKeys {
	t.Helper()
	id, sk, der, err := oidcauth.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	return &AuthKeys{KeyID: id, SessionKey: sk, SigningKey: der}
}

func oidcAction(p *oidctest.Provider, on string) Action {
	return Action{Type: ActionAuthenticateOIDC, Order: 1, AuthenticateOIDC: &AuthenticateOIDC{
		Issuer: p.Issuer(), AuthorizationEndpoint: p.Issuer() + "/authorize", TokenEndpoint: p.Issuer() + "/token",
		UserInfoEndpoint: p.Issuer() + "/userinfo", ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		SessionCookieName: "AWSELBAuthSessionCookie", Scope: "openid email", SessionTimeout: time.Hour, OnUnauthenticated: on,
	}}
}

// authRule is a rule on path pattern: authenticate-oidc, then forward to tg.
func authRule(prio int, path string, auth Action) Rule {
	fwd := forward("tg")[0]
	fwd.Order = 2
	return Rule{ARN: "rule-" + path, Priority: prio, Conditions: []Condition{{Field: "path-pattern", Values: []string{path}}},
		Actions: []Action{auth, fwd}}
}

type oidcSetup struct {
	p     *oidctest.Provider
	base  string // https://127.0.0.1:PORT
	pool  *x509.CertPool
	keys  *AuthKeys
	d     *DataPlane
	lstID string
}

func startOIDC(t *testing.T) *oidcSetup {
	p := oidctest.New(t)
	be := startBackend(t, "app", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string][]string{
			"identity": r.Header.Values("X-Amzn-Oidc-Identity"), "token": r.Header.Values("X-Amzn-Oidc-Accesstoken"),
			"data": r.Header.Values("X-Amzn-Oidc-Data"), "uri": {r.URL.RequestURI()},
		})
	})
	pool := x509.NewCertPool()
	pool.AddCert(p.Server.Certificate())
	cert := ipCert(t, pool)
	keys := authKeys(t)
	d := newDP(t, Options{OIDCClient: oidcauth.NewClient(p.Roots())})
	port := freePort(t)
	lst := Listener{ARN: "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2",
		Port: port, Protocol: "HTTPS", Certificates: []Certificate{cert},
		DefaultActions: []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "200", MessageBody: "public"}}},
		Rules: []Rule{authRule(1, "/app/*", oidcAction(p, "authenticate")), authRule(2, "/deny/*", oidcAction(p, "deny")),
			authRule(3, "/allow/*", oidcAction(p, "allow"))}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}, Auth: keys})
	return &oidcSetup{p: p, base: "https://127.0.0.1:" + strconv.Itoa(port), pool: pool, keys: keys, d: d, lstID: lst.ARN}
}

// browser is a client with a cookie jar trusting the listener and the IdP.
func (s *oidcSetup) browser(follow bool) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.pool}}}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

func seen(t *testing.T, body string) map[string][]string {
	t.Helper()
	var m map[string][]string
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("target answer %q: %v", body, err)
	}
	return m
}

func TestOIDCUnauthenticatedRedirectsToIdP(t *testing.T) {
	s := startOIDC(t)
	resp, _ := get(t, s.browser(false), s.base+"/app/page?x=1")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc == nil || loc.Scheme+"://"+loc.Host != s.p.Issuer() || loc.Path != "/authorize" {
		t.Fatalf("got %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("redirect_uri") != s.base+oidcauth.CallbackPath || q.Get("scope") != "openid email" || q.Get("state") == "" || q.Get("nonce") == "" {
		t.Fatalf("authorization request %v", q)
	}
	if !strings.HasPrefix(resp.Header.Get("Set-Cookie"), oidcauth.NonceCookie+"=") {
		t.Fatalf("Set-Cookie %q", resp.Header.Get("Set-Cookie"))
	}
	// Rules without authentication do not redirect.
	if resp, body := get(t, s.browser(false), s.base+"/public"); resp.StatusCode != 200 || body != "public" {
		t.Fatalf("public: %d %q", resp.StatusCode, body)
	}
}

func TestOIDCFlowReachesTargetWithClaims(t *testing.T) {
	s := startOIDC(t)
	b := s.browser(true)
	resp, body := get(t, b, s.base+"/app/page?x=1", "X-Amzn-Oidc-Identity", "forged")
	if resp.StatusCode != 200 {
		t.Fatalf("after login: %d %q", resp.StatusCode, body)
	}
	m := seen(t, body)
	if m["uri"][0] != "/app/page?x=1" || len(m["identity"]) != 1 || m["identity"][0] != "user-1" || len(m["token"]) != 1 || m["token"][0] != "at-user-1" || len(m["data"]) != 1 {
		t.Fatalf("target saw %v", m)
	}
	verifyData(t, s, m["data"][0])
	if n := s.p.TokenCalls(); n != 1 {
		t.Fatalf("token endpoint called %d times", n)
	}
	// The session holds: no second login, and a deny rule lets it through.
	for _, path := range []string{"/app/again", "/deny/x"} {
		resp, body = get(t, b, s.base+path)
		if resp.StatusCode != 200 || seen(t, body)["identity"][0] != "user-1" {
			t.Fatalf("%s with a session: %d %q", path, resp.StatusCode, body)
		}
	}
	if n := s.p.TokenCalls(); n != 1 {
		t.Fatalf("token endpoint called %d times", n)
	}
	// A tampered session cookie is refused: the browser is sent to log in.
	u, _ := url.Parse(s.base)
	var cookies []*http.Cookie
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "AWSELBAuthSessionCookie-0" {
			v := []byte(c.Value)
			v[10] ^= 0x01
			if v[10] == '-' || v[10] == '_' || v[10] == '/' {
				v[10] = 'Q'
			}
			c.Value = string(v)
		}
		cookies = append(cookies, c)
	}
	nb := s.browser(false)
	nb.Jar.SetCookies(u, cookies)
	if resp, _ := get(t, nb, s.base+"/app/page"); resp.StatusCode != 302 {
		t.Fatalf("tampered cookie: %d", resp.StatusCode)
	}
	if resp, _ := get(t, nb, s.base+"/deny/page"); resp.StatusCode != 401 {
		t.Fatalf("tampered cookie on a deny rule: %d", resp.StatusCode)
	}
}

func verifyData(t *testing.T, s *oidcSetup, data string) {
	t.Helper()
	jws, err := jose.ParseSigned(data, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := oidcauth.ParseKeys(s.keys.KeyID, s.keys.SessionKey, s.keys.SigningKey)
	pemKey, _ := keys.PublicKeyPEM()
	block, _ := pem.Decode(pemKey)
	pub, _ := x509.ParsePKIXPublicKey(block.Bytes)
	payload, err := jws.Verify(pub)
	if err != nil {
		t.Fatalf("x-amzn-oidc-data: %v", err)
	}
	h := jws.Signatures[0].Protected
	if h.KeyID != s.keys.KeyID || h.ExtraHeaders["signer"] != loadBalancerARN(s.lstID) || !strings.Contains(string(payload), `"email":"user@example.com"`) {
		t.Fatalf("JWT header %+v payload %s", h, payload)
	}
	if want := "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/50dc6c495c0c9188"; loadBalancerARN(s.lstID) != want {
		t.Fatalf("signer %q", loadBalancerARN(s.lstID))
	}
}

// TestOIDCOverHTTP2: the same flow when the browser speaks HTTP/2 to the
// listener (one stream per request, cookies possibly in several fields).
func TestOIDCOverHTTP2(t *testing.T) {
	s := startOIDC(t)
	b := s.browser(true)
	b.Transport.(*http.Transport).ForceAttemptHTTP2 = true
	resp, body := get(t, b, s.base+"/app/h2")
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 || seen(t, body)["identity"][0] != "user-1" {
		t.Fatalf("over h2: %s %d %q", resp.Proto, resp.StatusCode, body)
	}
}

func TestOIDCDenyAndAllow(t *testing.T) {
	s := startOIDC(t)
	if resp, _ := get(t, s.browser(false), s.base+"/deny/x"); resp.StatusCode != 401 {
		t.Fatalf("deny without a session: %d", resp.StatusCode)
	}
	resp, body := get(t, s.browser(false), s.base+"/allow/x", "X-Amzn-Oidc-Identity", "forged", "X-Amzn-Oidc-Data", "forged")
	if m := seen(t, body); resp.StatusCode != 200 || len(m["identity"]) != 0 || len(m["data"]) != 0 {
		t.Fatalf("allow without a session: %d %v", resp.StatusCode, m)
	}
	// A callback that no login of this browser started is refused.
	if resp, _ := get(t, s.browser(false), s.base+oidcauth.CallbackPath+"?code=x&state=y"); resp.StatusCode != 401 {
		t.Fatalf("forged callback: %d", resp.StatusCode)
	}
	s.p.SetError("access_denied")
	if resp, _ := get(t, s.browser(true), s.base+"/app/x"); resp.StatusCode != 561 {
		t.Fatalf("IdP refusal: %d", resp.StatusCode)
	}
}

func TestOIDCConfigRefused(t *testing.T) {
	p := oidctest.New(t)
	be := startBackend(t, "app", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	tgs := []TargetGroup{tgroup("tg", false, be)}
	for name, cfg := range map[string]Config{
		"http listener": {Version: 1, TargetGroups: tgs, Auth: authKeys(t), Listeners: []Listener{httpListener(port, forward("tg"), authRule(1, "/a", oidcAction(p, "deny")))}},
		"no keys": {Version: 1, TargetGroups: tgs, Listeners: []Listener{{ARN: "l", Port: port, Protocol: "HTTPS", Certificates: []Certificate{ipCert(t, x509.NewCertPool())},
			DefaultActions: forward("tg"), Rules: []Rule{authRule(1, "/a", oidcAction(p, "deny"))}}}},
	} {
		if err := d.Apply(context.Background(), cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
