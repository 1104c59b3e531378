package model

import (
	"net/url"
	"strings"
)

// ActionAuthenticateOIDC authenticates users through an OpenID Connect IdP
// before the rule's routing action (HTTPS listeners only).
const ActionAuthenticateOIDC = "authenticate-oidc"

// Defaults and bounds ELB applies to AuthenticateOidcConfig.
const (
	DefaultSessionCookieName = "AWSELBAuthSessionCookie"
	DefaultAuthScope         = "openid"
	DefaultSessionTimeout    = 604800 // seconds: 7 days, also the maximum
	MaxAuthExtraParams       = 10
	// OnUnauthenticatedRequest values.
	AuthOnUnauthenticatedDeny         = "deny"
	AuthOnUnauthenticatedAllow        = "allow"
	AuthOnUnauthenticatedAuthenticate = "authenticate"
)

// AuthenticateOIDCConfig is an authenticate-oidc action's configuration.
// ClientSecret is kept for the data plane and never described.
type AuthenticateOIDCConfig struct {
	Issuer                           string            `json:"issuer"`
	AuthorizationEndpoint            string            `json:"authorizationEndpoint"`
	TokenEndpoint                    string            `json:"tokenEndpoint"`
	UserInfoEndpoint                 string            `json:"userInfoEndpoint"`
	ClientID                         string            `json:"clientId"`
	ClientSecret                     string            `json:"clientSecret,omitempty"`
	SessionCookieName                string            `json:"sessionCookieName"`
	Scope                            string            `json:"scope"`
	SessionTimeout                   int64             `json:"sessionTimeout"`
	AuthenticationRequestExtraParams map[string]string `json:"authenticationRequestExtraParams,omitempty"`
	OnUnauthenticatedRequest         string            `json:"onUnauthenticatedRequest"`
	// UseExistingClientSecret is the request's flag: the caller keeps the
	// secret the action already has (ModifyRule, ModifyListener). Not stored.
	UseExistingClientSecret bool `json:"-"`
	// SessionTimeoutSet tells an explicit SessionTimeout (0 included) from
	// none; the wire sets it. Not stored.
	SessionTimeoutSet bool `json:"-"`
}

// IsAuthenticate reports an action that authenticates before routing.
func (a ELBAction) IsAuthenticate() bool {
	return a.Type == ActionAuthenticateOIDC || a.Type == "authenticate-cognito" || a.Type == "jwt-validation"
}

// HasAuthenticate reports whether some action authenticates.
func HasAuthenticate(actions []ELBAction) bool {
	for _, a := range actions {
		if a.IsAuthenticate() {
			return true
		}
	}
	return false
}

func normalizeAuthenticateOIDC(a *ELBAction) error {
	c := a.AuthenticateOIDC
	if c == nil {
		return elbInvalid("An authenticate-oidc action must have an AuthenticateOidcConfig")
	}
	a.TargetGroupARN, a.Forward, a.FixedResponse, a.Redirect = "", nil, nil, nil
	for _, f := range []struct{ name, v string }{
		{"Issuer", c.Issuer}, {"AuthorizationEndpoint", c.AuthorizationEndpoint},
		{"TokenEndpoint", c.TokenEndpoint}, {"UserInfoEndpoint", c.UserInfoEndpoint},
	} {
		if f.v == "" {
			return elbInvalid("The %s of an AuthenticateOidcConfig must be specified", f.name)
		}
		if !httpsURL(f.v) {
			return elbErr(ELBInvalidAction, "The %s '%s' must be a full URL, including the HTTPS protocol, the domain, and the path", f.name, f.v)
		}
	}
	if c.ClientID == "" {
		return elbInvalid("The ClientId of an AuthenticateOidcConfig must be specified")
	}
	if !visibleASCII(c.ClientID) || !visibleASCII(c.ClientSecret) {
		return elbInvalid("The ClientId and ClientSecret of an AuthenticateOidcConfig must be printable ASCII")
	}
	if c.ClientSecret != "" && c.UseExistingClientSecret {
		return elbErr(ELBInvalidAction, "You cannot both specify a client secret and set UseExistingClientSecret to true")
	}
	if c.ClientSecret == "" && !c.UseExistingClientSecret {
		return elbErr(ELBInvalidAction, "A client secret must be specified for an authenticate-oidc action, or UseExistingClientSecret set to true when modifying one")
	}
	return normalizeAuthSession(c)
}

// normalizeAuthSession checks and defaults the session settings.
func normalizeAuthSession(c *AuthenticateOIDCConfig) error {
	if c.SessionCookieName == "" {
		c.SessionCookieName = DefaultSessionCookieName
	}
	if !cookieToken(c.SessionCookieName) || len(c.SessionCookieName) > 128 {
		return elbInvalid("Session cookie name '%s' must be a cookie name: at most 128 printable characters, without separators", c.SessionCookieName)
	}
	if c.Scope == "" {
		c.Scope = DefaultAuthScope
	}
	if !visibleASCII(strings.ReplaceAll(c.Scope, " ", "")) {
		return elbInvalid("Scope '%s' must be printable ASCII", c.Scope)
	}
	if !c.SessionTimeoutSet && c.SessionTimeout == 0 {
		c.SessionTimeout = DefaultSessionTimeout
	}
	if c.SessionTimeout < 1 || c.SessionTimeout > DefaultSessionTimeout {
		return elbInvalid("Session timeout '%d' must be between 1 and %d seconds", c.SessionTimeout, DefaultSessionTimeout)
	}
	c.SessionTimeoutSet = false
	if len(c.AuthenticationRequestExtraParams) > MaxAuthExtraParams {
		return elbInvalid("An AuthenticateOidcConfig can have at most %d AuthenticationRequestExtraParams", MaxAuthExtraParams)
	}
	for k, v := range c.AuthenticationRequestExtraParams {
		if k == "" || !visibleASCII(k) || !visibleASCII(strings.ReplaceAll(v, " ", "")) {
			return elbInvalid("Authentication request parameter '%s' must have a printable ASCII name and value", k)
		}
		switch k {
		case "response_type", "client_id", "redirect_uri", "scope", "state", "nonce":
			return elbErr(ELBInvalidAction, "Authentication request parameter '%s' is set by the load balancer and cannot be specified", k)
		}
	}
	switch c.OnUnauthenticatedRequest {
	case "":
		c.OnUnauthenticatedRequest = AuthOnUnauthenticatedAuthenticate
	case AuthOnUnauthenticatedDeny, AuthOnUnauthenticatedAllow, AuthOnUnauthenticatedAuthenticate:
	default:
		return elbInvalid("OnUnauthenticatedRequest '%s' must be one of 'deny, allow, authenticate'", c.OnUnauthenticatedRequest)
	}
	return nil
}

// checkActionOrder applies ELB's rule for a list sorted by order: exactly
// one routing action (forward, redirect, fixed-response), last, after at
// most one authenticate action.
func checkActionOrder(actions []ELBAction) error {
	auth := 0
	for i, a := range actions {
		if a.IsAuthenticate() {
			auth++
			if auth > 1 {
				return elbErr(ELBInvalidAction, "A rule can have at most one authenticate action")
			}
			if i == len(actions)-1 {
				return elbErr(ELBInvalidAction, "An authenticate action must be followed by a forward, redirect or fixed-response action with a higher order")
			}
			continue
		}
		if i != len(actions)-1 {
			return elbErr(ELBInvalidAction, "Only one terminal action (forward, redirect or fixed-response) can be specified per rule, and it must be the last action")
		}
	}
	return nil
}

// UseExistingClientSecrets fills the client secret of every
// authenticate-oidc action that set UseExistingClientSecret from the action
// of the same type in old (the rule's or listener's current actions), as
// ModifyRule and ModifyListener do.
func UseExistingClientSecrets(actions, old []ELBAction) error {
	for i := range actions {
		c := actions[i].AuthenticateOIDC
		if c == nil || !c.UseExistingClientSecret {
			continue
		}
		secret := ""
		for _, o := range old {
			if o.AuthenticateOIDC != nil {
				secret = o.AuthenticateOIDC.ClientSecret
			}
		}
		if secret == "" {
			return elbErr(ELBInvalidAction, "UseExistingClientSecret is set but the rule has no authenticate-oidc action with a client secret")
		}
		cp := *c
		cp.ClientSecret, cp.UseExistingClientSecret = secret, false
		actions[i].AuthenticateOIDC = &cp
	}
	return nil
}

// CheckAuthenticateProtocol refuses authenticate actions on a listener that
// is not HTTPS, as ELB does.
func CheckAuthenticateProtocol(protocol string, actions []ELBAction) error {
	if protocol != "HTTPS" && HasAuthenticate(actions) {
		return elbErr(ELBInvalidAction, "Authenticate actions are supported only on HTTPS listeners, not on %s listeners", protocol)
	}
	return nil
}

func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && visibleASCII(s) && len(s) <= 2048
}

// cookieToken reports an RFC 6265 cookie name.
func cookieToken(s string) bool {
	return s != "" && visibleASCII(s) && !strings.ContainsAny(s, "()<>@,;:\\\"/[]?={}")
}

// ELBAuthKeys are the installation's keys for authenticate actions, made
// once and kept in the state so that sessions and the signing key outlive
// a data plane restart: the session-cookie key and the ES256 key (PKCS#8)
// that signs x-amzn-oidc-data, named by KeyID.
type ELBAuthKeys struct {
	KeyID      string `json:"keyId"`
	SessionKey []byte `json:"sessionKey"`
	SigningKey []byte `json:"signingKey"`
}
