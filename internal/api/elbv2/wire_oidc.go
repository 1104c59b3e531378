package elbv2

import (
	"sort"
	"strconv"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

// wireAuthOIDC is AuthenticateOidcConfig as ELB describes it: never the
// client secret.
type wireAuthOIDC struct {
	Issuer                           string
	AuthorizationEndpoint            string
	TokenEndpoint                    string
	UserInfoEndpoint                 string
	ClientId                         string
	SessionCookieName                string
	Scope                            string
	SessionTimeout                   int64
	AuthenticationRequestExtraParams *wireStringMap `xml:",omitempty"`
	OnUnauthenticatedRequest         string
}

// wireStringMap is a Query-protocol map: entries of key and value.
type wireStringMap struct {
	Entry []wireMapEntry `xml:"entry"`
}

type wireMapEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func toWireAuthOIDC(c *model.AuthenticateOIDCConfig) *wireAuthOIDC {
	if c == nil {
		return nil
	}
	w := &wireAuthOIDC{Issuer: c.Issuer, AuthorizationEndpoint: c.AuthorizationEndpoint, TokenEndpoint: c.TokenEndpoint,
		UserInfoEndpoint: c.UserInfoEndpoint, ClientId: c.ClientID, SessionCookieName: c.SessionCookieName, Scope: c.Scope,
		SessionTimeout: c.SessionTimeout, OnUnauthenticatedRequest: c.OnUnauthenticatedRequest}
	if len(c.AuthenticationRequestExtraParams) > 0 {
		m := &wireStringMap{}
		for k, v := range c.AuthenticationRequestExtraParams {
			m.Entry = append(m.Entry, wireMapEntry{Key: k, Value: v})
		}
		sort.Slice(m.Entry, func(i, j int) bool { return m.Entry[i].Key < m.Entry[j].Key })
		w.AuthenticationRequestExtraParams = m
	}
	return w
}

// decodeAuthOIDC reads an action's AuthenticateOidcConfig.
func decodeAuthOIDC(g form) (*model.AuthenticateOIDCConfig, error) {
	c := &model.AuthenticateOIDCConfig{Issuer: g.Str("Issuer"), AuthorizationEndpoint: g.Str("AuthorizationEndpoint"),
		TokenEndpoint: g.Str("TokenEndpoint"), UserInfoEndpoint: g.Str("UserInfoEndpoint"), ClientID: g.Str("ClientId"),
		ClientSecret: g.Str("ClientSecret"), SessionCookieName: g.Str("SessionCookieName"), Scope: g.Str("Scope"),
		OnUnauthenticatedRequest: g.Str("OnUnauthenticatedRequest")}
	if s := g.StrPtr("SessionTimeout"); s != nil {
		n, err := strconv.ParseInt(*s, 10, 64)
		if err != nil {
			return nil, elbops.Validation("Value '%s' at '%s' failed to satisfy constraint: Member must be a long", *s, g.Key("SessionTimeout"))
		}
		c.SessionTimeout, c.SessionTimeoutSet = n, true
	}
	use, err := boolPtr(g, "UseExistingClientSecret")
	if err != nil {
		return nil, err
	}
	c.UseExistingClientSecret = use != nil && *use
	params := g.Sub("AuthenticationRequestExtraParams")
	for i := 1; ; i++ {
		e := params.Sub("entry." + strconv.Itoa(i))
		k := e.StrPtr("key")
		if k == nil {
			break
		}
		if c.AuthenticationRequestExtraParams == nil {
			c.AuthenticationRequestExtraParams = map[string]string{}
		}
		c.AuthenticationRequestExtraParams[*k] = e.Str("value")
		if i > model.MaxAuthExtraParams {
			break // NormalizeActions refuses more than the limit
		}
	}
	return c, nil
}
