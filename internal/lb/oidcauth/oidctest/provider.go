// Package oidctest is a small OpenID provider for tests, on 127.0.0.1 over
// TLS: discovery, JWKS, an authorization endpoint that logs the user in at
// once (a 302 back with a code), a token endpoint (client_secret_basic, ID
// token signed ES256) and a user info endpoint.
package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Provider is a running test IdP.
type Provider struct {
	Server       *httptest.Server
	ClientID     string
	ClientSecret string
	// Subject is the user's sub.
	Subject string

	key *ecdsa.PrivateKey
	mu  sync.Mutex // guards the fields below
	// claims are what the user info endpoint answers beside sub.
	claims map[string]any
	// errCode, when set, is what the authorization endpoint answers
	// instead of a code.
	errCode string
	// codes maps an issued code to the nonce of its authorization request.
	codes      map[string]string
	tokenCalls int
}

// SetClaim sets a claim the user info endpoint answers.
func (p *Provider) SetClaim(name string, v any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims[name] = v
}

// SetError makes the authorization endpoint answer error code instead of
// a code ("" again: a code).
func (p *Provider) SetError(code string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errCode = code
}

// TokenCalls counts the token endpoint's calls.
func (p *Provider) TokenCalls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenCalls
}

// New starts a provider; it stops when the test ends.
func New(t testing.TB) *Provider {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{ClientID: "slipway-client", ClientSecret: "s3cret", Subject: "user-1",
		claims: map[string]any{"email": "user@example.com", "name": "Test User"}, key: key, codes: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("/jwks", p.jwks)
	mux.HandleFunc("/authorize", p.authorize)
	mux.HandleFunc("/token", p.token)
	mux.HandleFunc("/userinfo", p.userinfo)
	p.Server = httptest.NewTLSServer(mux)
	t.Cleanup(p.Server.Close)
	return p
}

// Issuer is the provider's issuer URL; the endpoints are under it.
func (p *Provider) Issuer() string { return p.Server.URL }

// Roots trusts the provider's certificate.
func (p *Provider) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Server.Certificate())
	return pool
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	json.NewEncoder(w).Encode(map[string]any{
		"issuer": p.Issuer(), "authorization_endpoint": p.Issuer() + "/authorize", "token_endpoint": p.Issuer() + "/token",
		"userinfo_endpoint": p.Issuer() + "/userinfo", "jwks_uri": p.Issuer() + "/jwks",
		"response_types_supported": []string{"code"}, "id_token_signing_alg_values_supported": []string{"ES256"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	errCode := p.errCode
	p.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	v := url.Values{"state": {q.Get("state")}}
	if errCode != "" {
		v.Set("error", errCode)
	} else {
		b := make([]byte, 12)
		rand.Read(b)
		code := base64.RawURLEncoding.EncodeToString(b)
		p.mu.Lock()
		p.codes[code] = q.Get("nonce")
		p.mu.Unlock()
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != p.ClientID || secret != p.ClientSecret || r.Method != http.MethodPost {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client"}`))
		return
	}
	r.ParseForm()
	p.mu.Lock()
	p.tokenCalls++
	nonce, known := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code"))
	p.mu.Unlock()
	if !known || r.PostForm.Get("grant_type") != "authorization_code" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{"iss": p.Issuer(), "sub": p.Subject, "aud": p.ClientID,
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nonce": nonce})
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: p.key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	jws, _ := signer.Sign(claims)
	idToken, _ := jws.CompactSerialize()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + p.Subject, "token_type": "Bearer", "expires_in": 3600, "id_token": idToken})
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer at-"+p.Subject {
		http.Error(w, "no token", http.StatusUnauthorized)
		return
	}
	out := map[string]any{"sub": p.Subject}
	p.mu.Lock()
	for k, v := range p.claims {
		out[k] = v
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
