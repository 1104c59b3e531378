// Package oidcauth is the authenticate-oidc listener rule action of an
// Application Load Balancer, as ALB documents it: an unauthenticated browser
// is sent to the IdP's authorization endpoint with a sealed state and a
// nonce; the callback at /oauth2/idpresponse exchanges the code at the token
// endpoint (golang.org/x/oauth2), checks the ID token's claims and calls the
// user info endpoint (github.com/coreos/go-oidc/v3), and sets the session
// cookie (AES-256-GCM, sharded into NAME-0, NAME-1, ... of at most 4000
// bytes); an authenticated request goes to the target with
// x-amzn-oidc-accesstoken, x-amzn-oidc-identity and x-amzn-oidc-data (the
// user claims as a JWT signed ES256 by the load balancer's key, with ALB's
// header fields kid, signer, iss, client and exp).
//
// The package knows nothing of the data plane's wire: internal/lb asks it
// for a decision and writes the answer. Every byte it hands back for a
// header (Location, Set-Cookie, the x-amzn-oidc-* values) is visible ASCII:
// what comes from the IdP is checked before it is kept in a session.
//
// The ID token's signature is not checked: it comes straight from the token
// endpoint over TLS, which OpenID Connect Core (3.1.3.7) allows in place of
// the signature; its issuer, audience, expiry and nonce are checked.
package oidcauth
