package lbsync

import (
	"maps"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// compileAuthOIDC is an authenticate-oidc action for the data plane, the
// client secret included (the link is as private as the store).
func compileAuthOIDC(c *model.AuthenticateOIDCConfig) *lb.AuthenticateOIDC {
	if c == nil {
		return nil
	}
	return &lb.AuthenticateOIDC{
		Issuer: c.Issuer, AuthorizationEndpoint: c.AuthorizationEndpoint, TokenEndpoint: c.TokenEndpoint,
		UserInfoEndpoint: c.UserInfoEndpoint, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		SessionCookieName: c.SessionCookieName, Scope: c.Scope, SessionTimeout: time.Duration(c.SessionTimeout) * time.Second,
		ExtraParams: maps.Clone(c.AuthenticationRequestExtraParams), OnUnauthenticated: c.OnUnauthenticatedRequest,
	}
}

// compileAuthKeys gives cfg the installation's authentication keys when
// one of its listeners authenticates (elbops stored them with the first
// authenticate action), so that sessions survive a data plane restart.
func compileAuthKeys(tx state.Tx, cfg *lb.Config) error {
	used := false
	for _, l := range cfg.Listeners {
		used = used || hasAuth(l.DefaultActions)
		for _, r := range l.Rules {
			used = used || hasAuth(r.Actions)
		}
	}
	if !used {
		return nil
	}
	k, ok, err := tx.ELBAuthKeys()
	if err != nil || !ok {
		return err // none: the data plane refuses the configuration, nothing is served unauthenticated
	}
	cfg.Auth = &lb.AuthKeys{KeyID: k.KeyID, SessionKey: k.SessionKey, SigningKey: k.SigningKey}
	return nil
}

func hasAuth(actions []lb.Action) bool {
	for _, a := range actions {
		if a.AuthenticateOIDC != nil {
			return true
		}
	}
	return false
}
