package oidcauth

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// CallbackPath is where the IdP sends the browser back, on every HTTPS
// listener with an authenticate-oidc action, as ALB's.
const CallbackPath = "/oauth2/idpresponse"

// What an unauthenticated request gets (OnUnauthenticatedRequest).
const (
	Authenticate = "authenticate"
	Deny         = "deny"
	Allow        = "allow"
)

// maxStateURI bounds the original request URI a login state carries back.
const maxStateURI = 2048

// ErrConfig means an action's configuration cannot be served.
var ErrConfig = errors.New("oidcauth: invalid action configuration")

// Config is one authenticate-oidc action, ELB's AuthenticateOidcConfig
// with its defaults filled in, plus the load balancer it belongs to.
type Config struct {
	Issuer, AuthorizationEndpoint, TokenEndpoint, UserInfoEndpoint string
	ClientID, ClientSecret                                         string
	SessionCookieName                                              string        // default AWSELBAuthSessionCookie
	Scope                                                          string        // default "openid"
	SessionTimeout                                                 time.Duration // default 7 days
	ExtraParams                                                    map[string]string
	OnUnauthenticated                                              string // authenticate (default), deny, allow
	// Signer is the load balancer's ARN, the JWT header's signer field.
	Signer string
}

// Action is a compiled authenticate-oidc action; it is safe for concurrent use.
type Action struct {
	cfg      Config
	keys     *Keys
	client   *http.Client
	oauth    oauth2.Config
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	// ID binds sessions and login states to this IdP and client: a session
	// made through one IdP never passes another rule's check.
	ID       string
	sessions cipher.AEAD // seals session cookies
	states   cipher.AEAD // seals login states
}

// New compiles an action. client makes the calls to the IdP (NewClient).
func New(cfg Config, keys *Keys, client *http.Client) (*Action, error) {
	if cfg.SessionCookieName == "" {
		cfg.SessionCookieName = "AWSELBAuthSessionCookie"
	}
	if cfg.Scope == "" {
		cfg.Scope = "openid"
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 7 * 24 * time.Hour
	}
	if cfg.OnUnauthenticated == "" {
		cfg.OnUnauthenticated = Authenticate
	}
	if err := check(cfg); err != nil {
		return nil, err
	}
	a := &Action{
		cfg: cfg, keys: keys, client: client,
		ID:       fingerprint(cfg.Issuer, cfg.ClientID, cfg.AuthorizationEndpoint, cfg.TokenEndpoint, cfg.UserInfoEndpoint),
		sessions: newAEAD(keys.subkey("session")), states: newAEAD(keys.subkey("state")),
	}
	a.oauth = oauth2.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: strings.Fields(cfg.Scope),
		Endpoint: oauth2.Endpoint{AuthURL: cfg.AuthorizationEndpoint, TokenURL: cfg.TokenEndpoint, AuthStyle: oauth2.AuthStyleInHeader},
	}
	a.provider = (&oidc.ProviderConfig{IssuerURL: cfg.Issuer, AuthURL: cfg.AuthorizationEndpoint,
		TokenURL: cfg.TokenEndpoint, UserInfoURL: cfg.UserInfoEndpoint}).NewProvider(oidc.ClientContext(context.Background(), client))
	a.verifier = oidc.NewVerifier(cfg.Issuer, nil, &oidc.Config{
		ClientID: cfg.ClientID, InsecureSkipSignatureCheck: true,
		SupportedSigningAlgs: []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA},
	})
	return a, nil
}

func check(cfg Config) error {
	for _, u := range []string{cfg.Issuer, cfg.AuthorizationEndpoint, cfg.TokenEndpoint, cfg.UserInfoEndpoint} {
		p, err := url.Parse(u)
		if err != nil || p.Scheme != "https" || p.Host == "" || !headerSafe(u) {
			return fmt.Errorf("%w: endpoint %q is not an https URL", ErrConfig, u)
		}
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return fmt.Errorf("%w: a client id and secret are needed", ErrConfig)
	}
	if !cookieName(cfg.SessionCookieName) {
		return fmt.Errorf("%w: session cookie name %q", ErrConfig, cfg.SessionCookieName)
	}
	switch cfg.OnUnauthenticated {
	case Authenticate, Deny, Allow:
	default:
		return fmt.Errorf("%w: OnUnauthenticatedRequest %q", ErrConfig, cfg.OnUnauthenticated)
	}
	return nil
}

// cookieName reports an RFC 6265 cookie name (a token).
func cookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// OnUnauthenticated is what the action does with a request without a session.
func (a *Action) OnUnauthenticated() string { return a.cfg.OnUnauthenticated }

// Session is an authenticated user as the session cookie carries it.
type Session struct {
	ActionID    string    `json:"a"`
	Expiry      time.Time `json:"e"`
	AccessToken string    `json:"t"`
	Subject     string    `json:"s"`
	// Data is the x-amzn-oidc-data JWT, signed once at login.
	Data string `json:"d"`
}

// Session returns the request's session, if its cookie holds a valid,
// unexpired one made through this action's IdP. cookie looks a request
// cookie up by name (nil: absent).
func (a *Action) Session(cookie func(string) []byte, now time.Time) (*Session, bool) {
	raw := readShards(cookie, a.cfg.SessionCookieName)
	if raw == nil {
		return nil, false
	}
	plain, err := open(a.sessions, "session "+a.cfg.SessionCookieName, raw)
	if err != nil {
		return nil, false
	}
	var s Session
	if json.Unmarshal(plain, &s) != nil || s.ActionID != a.ID || !now.Before(s.Expiry) {
		return nil, false
	}
	return &s, true
}

// loginState is what the state parameter carries through the IdP, sealed.
type loginState struct {
	ActionID string    `json:"a"`
	Nonce    string    `json:"n"`
	URI      string    `json:"u"`
	Expiry   time.Time `json:"e"`
}

// Login starts the authorization code flow for a request to host (the
// request's Host, a checked URI host) and requestURI (origin-form, visible
// ASCII): the Location of the 302 to the IdP and the nonce cookie to set.
func (a *Action) Login(host, requestURI string, now time.Time) (location, nonceCookie string) {
	nb := make([]byte, 16)
	rand.Read(nb)
	nonce := base64.RawURLEncoding.EncodeToString(nb)
	if len(requestURI) > maxStateURI || !strings.HasPrefix(requestURI, "/") || !headerSafe(requestURI) {
		requestURI = "/"
	}
	st, _ := json.Marshal(loginState{ActionID: a.ID, Nonce: nonce, URI: requestURI, Expiry: now.Add(nonceLifetime)})
	opts := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("redirect_uri", redirectURI(host)), oidc.Nonce(nonce)}
	for k, v := range a.cfg.ExtraParams {
		if reserved[k] {
			continue // the flow's own parameters are not the caller's to change
		}
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	location = a.oauth.AuthCodeURL(seal(a.states, "state", st), opts...)
	return location, setCookie(NonceCookie, nonce, now.Add(nonceLifetime))
}

// reserved are the authorization request's parameters the flow sets.
var reserved = map[string]bool{"response_type": true, "client_id": true, "redirect_uri": true, "scope": true, "state": true, "nonce": true}

func redirectURI(host string) string { return "https://" + host + CallbackPath }
