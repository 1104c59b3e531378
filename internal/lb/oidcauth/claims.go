package oidcauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// sign makes the x-amzn-oidc-data JWT: the user claims from the user info
// endpoint with exp and iss, signed ES256 with the load balancer's key, the
// header naming the key (kid), the load balancer (signer), the IdP (iss),
// the client and the expiry, as ALB's.
func (a *Action) sign(claims json.RawMessage, exp time.Time) (string, error) {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(claims, &body); err != nil {
		return "", errors.New("oidcauth: user claims are not a JSON object")
	}
	body["exp"], _ = json.Marshal(exp.Unix())
	body["iss"], _ = json.Marshal(a.cfg.Issuer)
	payload, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithType("JWT").
		WithHeader("kid", a.keys.KeyID).
		WithHeader("signer", a.cfg.Signer).
		WithHeader("iss", a.cfg.Issuer).
		WithHeader("client", a.cfg.ClientID).
		WithHeader("exp", exp.Unix())
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: a.keys.signing}, opts)
	if err != nil {
		return "", fmt.Errorf("oidcauth: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("oidcauth: sign: %w", err)
	}
	return jws.CompactSerialize()
}

// Headers are the x-amzn-oidc-* request headers for an authenticated
// request, in the order ALB sends them; each value is header-safe.
func (s *Session) Headers() [3][2]string {
	return [3][2]string{
		{"x-amzn-oidc-accesstoken", s.AccessToken},
		{"x-amzn-oidc-identity", s.Subject},
		{"x-amzn-oidc-data", s.Data},
	}
}
