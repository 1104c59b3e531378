package lb

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth"
)

// ActionAuthenticateOIDC is the action type that authenticates users
// through an OpenID Connect IdP before the rule's routing action.
const ActionAuthenticateOIDC = "authenticate-oidc"

// AuthenticateOIDC is an authenticate-oidc action: ELB's
// AuthenticateOidcConfig with its defaults filled in (internal/lb/oidcauth
// runs the flow). The client secret travels with the configuration, as
// certificates' keys do.
type AuthenticateOIDC struct {
	Issuer, AuthorizationEndpoint, TokenEndpoint, UserInfoEndpoint string
	ClientID, ClientSecret                                         string
	SessionCookieName, Scope                                       string
	SessionTimeout                                                 time.Duration
	ExtraParams                                                    map[string]string
	OnUnauthenticated                                              string // authenticate, deny or allow
}

// String names the action without its client secret, so that printing a
// configuration never prints a secret.
func (a AuthenticateOIDC) String() string {
	return "authenticate-oidc(" + a.Issuer + ", " + a.ClientID + ")"
}

// AuthKeys are the installation's keys for authenticate actions: the
// session-cookie key and the ES256 key (PKCS#8) that signs
// x-amzn-oidc-data, named by KeyID (oidcauth.GenerateKeys makes them). The
// control plane keeps them in its state, so sessions outlive a data plane.
type AuthKeys struct {
	KeyID                  string
	SessionKey, SigningKey []byte
}

// String names the keys without them.
func (k AuthKeys) String() string { return "AuthKeys(" + k.KeyID + ")" }

// validateAuth checks every authenticate-oidc action of cfg as it will be
// served: HTTPS listeners only, followed by a routing action, with keys.
func validateAuth(cfg *Config, client *http.Client) error {
	var keys *oidcauth.Keys
	for i := range cfg.Listeners {
		l := &cfg.Listeners[i]
		lists := [][]Action{l.DefaultActions}
		for _, r := range l.Rules {
			lists = append(lists, r.Actions)
		}
		for _, as := range lists {
			for _, a := range as {
				if a.Type != ActionAuthenticateOIDC {
					continue
				}
				if l.Protocol != "HTTPS" {
					return invalid("listener %s: authenticate-oidc on a %s listener", l.ARN, l.Protocol)
				}
				if a.AuthenticateOIDC == nil || len(as) < 2 {
					return invalid("listener %s: authenticate-oidc without its configuration or a routing action after it", l.ARN)
				}
				if keys == nil {
					k, err := parseAuthKeys(cfg.Auth)
					if err != nil {
						return invalid("listener %s: %v", l.ARN, err)
					}
					keys = k
				}
				if _, err := oidcauth.New(oidcConfig(a.AuthenticateOIDC, ""), keys, client); err != nil {
					return invalid("listener %s: %v", l.ARN, err)
				}
			}
		}
	}
	return nil
}

func parseAuthKeys(k *AuthKeys) (*oidcauth.Keys, error) {
	if k == nil {
		return nil, oidcauth.ErrKeys
	}
	return oidcauth.ParseKeys(k.KeyID, k.SessionKey, k.SigningKey)
}

func oidcConfig(a *AuthenticateOIDC, signer string) oidcauth.Config {
	return oidcauth.Config{
		Issuer: a.Issuer, AuthorizationEndpoint: a.AuthorizationEndpoint, TokenEndpoint: a.TokenEndpoint,
		UserInfoEndpoint: a.UserInfoEndpoint, ClientID: a.ClientID, ClientSecret: a.ClientSecret,
		SessionCookieName: a.SessionCookieName, Scope: a.Scope, SessionTimeout: a.SessionTimeout,
		ExtraParams: a.ExtraParams, OnUnauthenticated: a.OnUnauthenticated, Signer: signer,
	}
}

// oidcCompiler compiles one configuration's authenticate actions.
type oidcCompiler struct {
	keys   *oidcauth.Keys // nil when the configuration has none
	client *http.Client
	signer string // the load balancer of the listener being compiled
}

func newOIDCCompiler(cfg *Config, client *http.Client) *oidcCompiler {
	k, _ := parseAuthKeys(cfg.Auth) // validated: nil only when unused
	return &oidcCompiler{keys: k, client: client}
}

// compile returns the action's authenticator, or nil when it cannot be
// served (never after validateAuth).
func (c *oidcCompiler) compile(a *AuthenticateOIDC) *oidcauth.Action {
	if c == nil || c.keys == nil || a == nil {
		return nil
	}
	out, err := oidcauth.New(oidcConfig(a, c.signer), c.keys, c.client)
	if err != nil {
		return nil
	}
	return out
}

// listenerAuth lists the authenticators of a listener's actions, for its
// callback path; nil when it has none (then the path is routed as any).
func listenerAuth(rt *routes) []*oidcauth.Action {
	var out []*oidcauth.Action
	add := func(a *action) {
		if a != nil && a.auth != nil {
			out = append(out, a.auth)
		}
	}
	for i := range rt.rules {
		add(rt.rules[i].act)
	}
	add(rt.def)
	return out
}

// loadBalancerARN is the load balancer a listener ARN belongs to, the
// signer of its x-amzn-oidc-data.
func loadBalancerARN(listenerARN string) string {
	i := strings.LastIndexByte(listenerARN, '/')
	if i < 0 {
		return listenerARN
	}
	return strings.Replace(listenerARN[:i], ":listener/", ":loadbalancer/", 1)
}

// authenticate runs an authenticate-oidc action before the routing action;
// it reports whether the request goes on (and, when it does not, whether
// the connection stays open). An authenticated request carries the
// session's x-amzn-oidc-* headers to the target; a client's own are
// always dropped on such a rule.
func (c *clientConn) authenticate(act *action) (bool, bool) {
	a := act.auth
	now := time.Now()
	c.authStrip = true
	if s, ok := a.Session(c.cookieLookup(), now); ok {
		var b []byte
		for _, h := range s.Headers() {
			b = append(b, h[0]...)
			b = append(b, ": "...)
			b = append(b, h[1]...)
			b = append(b, "\r\n"...)
		}
		c.authHdr = b
		return true, false
	}
	if a.OnUnauthenticated() == oidcauth.Allow {
		return true, false
	}
	// The answer is the load balancer's own: the body is skipped when it is
	// buffered, else the connection closes after the answer.
	keep := c.ex.rq.keepAlive() && !c.h2 && c.skipBody()
	if a.OnUnauthenticated() == oidcauth.Deny {
		c.writeSimple(401, "text/html", errorPage(401), "", keep)
		return false, keep && c.ex.wr.err == nil
	}
	rq := &c.ex.rq
	if len(rq.host) == 0 || !validURIHost(rq.host) {
		c.badRequest()
		return false, false
	}
	uri := "/" + escapeNonVisible(bytes.TrimPrefix(rq.path, []byte("/")))
	if len(rq.query) > 0 {
		uri += "?" + escapeNonVisible(rq.query)
	}
	loc, nonce := a.Login(string(rq.host), uri, now)
	c.writeSimple(302, "text/html", errorPage(302), "Location: "+loc+"\r\nSet-Cookie: "+nonce+"\r\nCache-Control: no-cache\r\n", keep)
	return false, keep && c.ex.wr.err == nil
}

// idpResponse completes a login at oidcauth.CallbackPath: a 302 back to
// the original URI with the session cookies, or ALB's error status.
func (c *clientConn) idpResponse(rt *routes) bool {
	rq := &c.ex.rq
	keep := rq.keepAlive() && !c.h2 && c.skipBody()
	if len(rq.host) == 0 || !validURIHost(rq.host) {
		c.badRequest()
		return false
	}
	res := oidcauth.Callback(c.d.ctx, rt.auth, string(rq.host), string(rq.query), c.cookieLookup(), time.Now())
	if res.Status != 302 {
		c.d.log.Debug("login failed", "listener", rt.arn, "status", res.Status, "err", res.Err)
		c.writeSimple(res.Status, "text/html", errorPage(res.Status), "", keep)
		return keep && c.ex.wr.err == nil
	}
	var extra strings.Builder
	extra.WriteString("Location: " + res.Location + "\r\n")
	for _, sc := range res.SetCookies {
		extra.WriteString("Set-Cookie: " + sc + "\r\n")
	}
	extra.WriteString("Cache-Control: no-cache\r\n")
	c.writeSimple(302, "text/html", errorPage(302), extra.String(), keep)
	return keep && c.ex.wr.err == nil
}

// cookieLookup finds a request cookie by name across every Cookie header
// (HTTP/2 clients may send one per cookie).
func (c *clientConn) cookieLookup() func(string) []byte {
	rq := &c.ex.rq
	return func(name string) []byte {
		for i := range rq.headers {
			h := &rq.headers[i]
			if !bytes.EqualFold(h.name, []byte("cookie")) {
				continue
			}
			if v := cookieIn(h.value, name); v != nil {
				return v
			}
		}
		return nil
	}
}

// cookieIn finds name's value in one Cookie header value.
func cookieIn(v []byte, name string) []byte {
	for len(v) > 0 {
		var part []byte
		if i := bytes.IndexByte(v, ';'); i >= 0 {
			part, v = v[:i], v[i+1:]
		} else {
			part, v = v, nil
		}
		part = trimOWS(part)
		if len(part) > len(name) && part[len(name)] == '=' && string(part[:len(name)]) == name {
			return part[len(name)+1:]
		}
	}
	return nil
}

// isOIDCHeader reports an x-amzn-oidc-* request header, which only the
// load balancer may set on an authenticating rule.
func isOIDCHeader(name []byte) bool {
	const p = "x-amzn-oidc-"
	return len(name) > len(p) && bytes.EqualFold(name[:len(p)], []byte(p))
}
