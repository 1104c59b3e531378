package oidcauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth/oidctest"
)

const lbHost = "lb.example:8443"

func testKeys(t *testing.T) *Keys {
	t.Helper()
	id, sk, der, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKeys(id, sk, der)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testAction(t *testing.T, p *oidctest.Provider, keys *Keys, mod func(*Config)) *Action {
	t.Helper()
	cfg := Config{Issuer: p.Issuer(), AuthorizationEndpoint: p.Issuer() + "/authorize", TokenEndpoint: p.Issuer() + "/token",
		UserInfoEndpoint: p.Issuer() + "/userinfo", ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		ExtraParams: map[string]string{"prompt": "login", "state": "mine"}, Signer: "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/a/1"}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(cfg, keys, NewClient(p.Roots()))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// jar is a request's cookies as the lookup Session and Callback take.
type jar map[string]string

func (j jar) lookup(name string) []byte {
	v, ok := j[name]
	if !ok {
		return nil
	}
	return []byte(v)
}

func (j jar) set(t *testing.T, cookies []string) {
	for _, c := range cookies {
		kv, attrs, _ := strings.Cut(c, ";")
		name, value, _ := strings.Cut(kv, "=")
		if strings.Contains(attrs, "Expires=Thu, 01 Jan 1970") {
			delete(j, name)
			continue
		}
		j[name] = value
	}
}

// authorize follows a login Location to the IdP and returns the callback's query.
func authorize(t *testing.T, p *oidctest.Provider, location string) string {
	t.Helper()
	c := p.Server.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(location)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != 302 || back.Path != CallbackPath || back.Host != lbHost {
		t.Fatalf("IdP answered %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return back.RawQuery
}

func TestLoginCallbackSession(t *testing.T) {
	p := oidctest.New(t)
	keys := testKeys(t)
	a := testAction(t, p, keys, nil)
	now := time.Now()
	loc, nonce := a.Login(lbHost, "/app/page?x=1", now)
	u, _ := url.Parse(loc)
	q := u.Query()
	if q.Get("redirect_uri") != "https://"+lbHost+CallbackPath || q.Get("scope") != "openid" || q.Get("prompt") != "login" ||
		q.Get("state") == "mine" || q.Get("nonce") == "" || q.Get("client_id") != p.ClientID {
		t.Fatalf("authorization request %v", q)
	}
	j := jar{}
	j.set(t, []string{nonce})
	if j[NonceCookie] != q.Get("nonce") {
		t.Fatalf("nonce cookie %q, request nonce %q", j[NonceCookie], q.Get("nonce"))
	}
	if _, ok := a.Session(j.lookup, now); ok {
		t.Fatal("a session before login")
	}
	res := Callback(context.Background(), []*Action{a}, lbHost, authorize(t, p, loc), j.lookup, now)
	if res.Status != 302 || res.Location != "https://"+lbHost+"/app/page?x=1" {
		t.Fatalf("callback %+v", res)
	}
	j.set(t, res.SetCookies)
	if _, ok := j[NonceCookie]; ok {
		t.Fatal("nonce cookie not cleared")
	}
	if _, ok := j["AWSELBAuthSessionCookie-0"]; !ok {
		t.Fatalf("no session cookie in %v", res.SetCookies)
	}
	s, ok := a.Session(j.lookup, now.Add(time.Minute))
	if !ok || s.Subject != "user-1" || s.AccessToken != "at-user-1" {
		t.Fatalf("session %+v %v", s, ok)
	}
	checkData(t, keys, a, s.Data)
	if _, ok := a.Session(j.lookup, now.Add(7*24*time.Hour+time.Second)); ok {
		t.Fatal("a session past SessionTimeout")
	}
	// Another IdP's action does not take this session.
	other := testAction(t, p, keys, func(c *Config) { c.ClientID = "another" })
	if _, ok := other.Session(j.lookup, now); ok {
		t.Fatal("a session made through another client passed")
	}
	// A tampered cookie is refused.
	v := []byte(j["AWSELBAuthSessionCookie-0"])
	v[len(v)/2] ^= 1
	if v[len(v)/2] == '-' || v[len(v)/2] == '_' {
		v[len(v)/2] = 'A'
	}
	j["AWSELBAuthSessionCookie-0"] = string(v)
	if _, ok := a.Session(j.lookup, now); ok {
		t.Fatal("a tampered session cookie passed")
	}
}

// checkData verifies x-amzn-oidc-data as a target would: ES256 with the
// public key of its kid, ALB's header fields, the user's claims.
func checkData(t *testing.T, keys *Keys, a *Action, data string) {
	t.Helper()
	jws, err := jose.ParseSigned(data, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	pemKey, _ := keys.PublicKeyPEM()
	block, _ := pem.Decode(pemKey)
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := jws.Verify(pub.(*ecdsa.PublicKey))
	if err != nil {
		t.Fatalf("x-amzn-oidc-data does not verify: %v", err)
	}
	h := jws.Signatures[0].Protected
	if h.KeyID != keys.KeyID || h.ExtraHeaders["signer"] != a.cfg.Signer || h.ExtraHeaders["client"] != a.cfg.ClientID || h.ExtraHeaders["iss"] != a.cfg.Issuer {
		t.Fatalf("JWT header %+v", h)
	}
	var claims map[string]any
	json.Unmarshal(payload, &claims)
	if claims["sub"] != "user-1" || claims["email"] != "user@example.com" || claims["iss"] != a.cfg.Issuer || claims["exp"] == nil {
		t.Fatalf("claims %v", claims)
	}
}

func TestCallbackRefusals(t *testing.T) {
	p := oidctest.New(t)
	a := testAction(t, p, testKeys(t), nil)
	now := time.Now()
	loc, nonce := a.Login(lbHost, "/", now)
	query := authorize(t, p, loc)
	cb := func(j jar, q string, at time.Time) Result {
		return Callback(context.Background(), []*Action{a}, lbHost, q, j.lookup, at)
	}
	if r := cb(jar{}, query, now); r.Status != StatusUnauthorized {
		t.Fatalf("no nonce cookie: %+v", r)
	}
	if r := cb(jar{NonceCookie: "other"}, query, now); r.Status != StatusUnauthorized {
		t.Fatalf("another browser's nonce: %+v", r)
	}
	j := jar{}
	j.set(t, []string{nonce})
	if r := cb(j, query, now.Add(nonceLifetime+time.Second)); r.Status != StatusUnauthorized {
		t.Fatalf("expired state: %+v", r)
	}
	if r := cb(j, "state=forged&code=x", now); r.Status != StatusUnauthorized {
		t.Fatalf("forged state: %+v", r)
	}
	// A state made by another installation's keys does not open.
	b := testAction(t, p, testKeys(t), nil)
	if r := Callback(context.Background(), []*Action{b}, lbHost, query, j.lookup, now); r.Status != StatusUnauthorized {
		t.Fatalf("another key's state: %+v", r)
	}
	if r := cb(j, query, now); r.Status != 302 {
		t.Fatalf("the real callback: %+v", r)
	}
	if r := cb(j, query, now); r.Status != StatusServerError {
		t.Fatalf("a code used twice: %+v", r)
	}
	p.SetError("access_denied")
	loc, nonce = a.Login(lbHost, "/", now)
	j.set(t, []string{nonce})
	if r := cb(j, authorize(t, p, loc), now); r.Status != StatusIdPError {
		t.Fatalf("IdP error: %+v", r)
	}
}

func TestWrongSecretIs500(t *testing.T) {
	p := oidctest.New(t)
	a := testAction(t, p, testKeys(t), func(c *Config) { c.ClientSecret = "wrong" })
	now := time.Now()
	loc, nonce := a.Login(lbHost, "/", now)
	j := jar{}
	j.set(t, []string{nonce})
	if r := Callback(context.Background(), []*Action{a}, lbHost, authorize(t, p, loc), j.lookup, now); r.Status != StatusServerError || r.Err == nil {
		t.Fatalf("wrong client secret: %+v", r)
	}
}

func TestShardedSession(t *testing.T) {
	p := oidctest.New(t)
	p.SetClaim("groups", strings.Repeat("g", 6000))
	a := testAction(t, p, testKeys(t), func(c *Config) { c.SessionCookieName = "S" })
	now := time.Now()
	loc, nonce := a.Login(lbHost, "/", now)
	j := jar{}
	j.set(t, []string{nonce})
	res := Callback(context.Background(), []*Action{a}, lbHost, authorize(t, p, loc), j.lookup, now)
	if res.Status != 302 {
		t.Fatalf("callback %+v", res)
	}
	j.set(t, res.SetCookies)
	if len(j["S-0"]) != shardSize || j["S-1"] == "" {
		t.Fatalf("shards: %d, %d bytes", len(j["S-0"]), len(j["S-1"]))
	}
	if _, ok := a.Session(j.lookup, now); !ok {
		t.Fatal("a sharded session did not read back")
	}
	for _, c := range res.SetCookies {
		if !headerSafe(c) {
			t.Fatalf("Set-Cookie not header-safe: %q", c)
		}
	}
	p.SetClaim("groups", strings.Repeat("g", maxClaims))
	loc, nonce = a.Login(lbHost, "/", now)
	j.set(t, []string{nonce})
	if r := Callback(context.Background(), []*Action{a}, lbHost, authorize(t, p, loc), j.lookup, now); r.Status != StatusServerError {
		t.Fatalf("claims over the limit: %+v", r)
	}
}

func TestConfigChecked(t *testing.T) {
	keys := testKeys(t)
	good := Config{Issuer: "https://i", AuthorizationEndpoint: "https://i/a", TokenEndpoint: "https://i/t", UserInfoEndpoint: "https://i/u", ClientID: "c", ClientSecret: "s"}
	if _, err := New(good, keys, nil); err != nil {
		t.Fatal(err)
	}
	for _, mod := range []func(*Config){
		func(c *Config) { c.TokenEndpoint = "http://i/t" },
		func(c *Config) { c.ClientSecret = "" },
		func(c *Config) { c.SessionCookieName = "a;b" },
		func(c *Config) { c.OnUnauthenticated = "maybe" },
	} {
		c := good
		mod(&c)
		if _, err := New(c, keys, nil); err == nil {
			t.Fatalf("%+v accepted", c)
		}
	}
	if _, err := ParseKeys("k", make([]byte, 5), nil); err == nil {
		t.Fatal("short key accepted")
	}
}
