package oidcauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Limits of one callback, after ALB's: each IdP call must answer within
// idpTimeout, and the user claims may be at most maxClaims bytes.
const (
	idpTimeout = 5 * time.Second
	maxClaims  = 11 * 1024
)

// Status codes of a failed callback, as ALB answers them.
const (
	StatusUnauthorized = 401 // no valid state or nonce: not a login this browser started
	StatusIdPError     = 561 // the IdP answered the authorization request with an error
	StatusServerError  = 500 // the token or user info endpoint failed
)

// Result is the answer to a callback: a redirect to the original URI with
// cookies to set, or an error status. Every string is header-safe.
type Result struct {
	Status     int
	Location   string
	SetCookies []string
	// Err says why a callback failed, for the data plane's log only.
	Err error
}

// Callback completes a login at CallbackPath: query is the request's raw
// query, host its Host, cookie its cookie lookup. The action is the one
// the state names among actions (a listener's); ctx bounds the IdP calls.
func Callback(ctx context.Context, actions []*Action, host, query string, cookie func(string) []byte, now time.Time) Result {
	q, err := url.ParseQuery(query)
	if err != nil {
		return fail(StatusUnauthorized, err)
	}
	a, st, err := findState(actions, q.Get("state"), now)
	if err != nil {
		return fail(StatusUnauthorized, err)
	}
	if c := cookie(NonceCookie); c == nil || subtle.ConstantTimeCompare(c, []byte(st.Nonce)) != 1 {
		return fail(StatusUnauthorized, errors.New("oidcauth: nonce cookie missing or not the state's"))
	}
	if e := q.Get("error"); e != "" {
		return fail(StatusIdPError, fmt.Errorf("oidcauth: the IdP answered error %q", e))
	}
	code := q.Get("code")
	if code == "" {
		return fail(StatusUnauthorized, errors.New("oidcauth: callback without a code"))
	}
	s, err := a.complete(ctx, host, code, st.Nonce, now)
	if err != nil {
		return fail(StatusServerError, err)
	}
	return a.loggedIn(s, host, st.URI)
}

func fail(status int, err error) Result { return Result{Status: status, Err: err} }

func findState(actions []*Action, state string, now time.Time) (*Action, loginState, error) {
	var st loginState
	if len(actions) == 0 {
		return nil, st, errors.New("oidcauth: no authenticate action here")
	}
	// Every action of a data plane shares the key: open once, then match.
	plain, err := open(actions[0].states, "state", []byte(state))
	if err != nil {
		return nil, st, err
	}
	if err := json.Unmarshal(plain, &st); err != nil || !now.Before(st.Expiry) {
		return nil, st, errors.New("oidcauth: login state expired")
	}
	for _, a := range actions {
		if a.ID == st.ActionID {
			return a, st, nil
		}
	}
	return nil, st, errors.New("oidcauth: the login's action is gone")
}

// complete exchanges the code and reads the user's claims.
func (a *Action) complete(ctx context.Context, host, code, nonce string, now time.Time) (*Session, error) {
	ctx = oidc.ClientContext(context.WithValue(ctx, oauth2.HTTPClient, a.client), a.client)
	tctx, cancel := context.WithTimeout(ctx, idpTimeout)
	defer cancel()
	tok, err := a.oauth.Exchange(tctx, code, oauth2.SetAuthURLParam("redirect_uri", redirectURI(host)))
	if err != nil {
		return nil, fmt.Errorf("oidcauth: token endpoint: %w", err)
	}
	if !headerSafe(tok.AccessToken) || tok.AccessToken == "" {
		return nil, errors.New("oidcauth: the access token is empty or not visible ASCII")
	}
	idSub := ""
	if raw, ok := tok.Extra("id_token").(string); ok && raw != "" {
		id, err := a.verifier.Verify(tctx, raw)
		if err != nil {
			return nil, fmt.Errorf("oidcauth: id token: %w", err)
		}
		if id.Nonce != nonce {
			return nil, errors.New("oidcauth: id token nonce is not the login's")
		}
		idSub = id.Subject
	}
	uctx, cancel2 := context.WithTimeout(ctx, idpTimeout)
	defer cancel2()
	info, err := a.provider.UserInfo(uctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return nil, fmt.Errorf("oidcauth: user info endpoint: %w", err)
	}
	var claims json.RawMessage
	if err := info.Claims(&claims); err != nil || len(claims) > maxClaims {
		return nil, fmt.Errorf("oidcauth: user claims unreadable or over %d bytes", maxClaims)
	}
	if info.Subject == "" || !headerSafe(info.Subject) || idSub != "" && idSub != info.Subject {
		return nil, errors.New("oidcauth: user info has no usable sub, or not the id token's")
	}
	exp := now.Add(a.cfg.SessionTimeout)
	data, err := a.sign(claims, exp)
	if err != nil {
		return nil, err
	}
	return &Session{ActionID: a.ID, Expiry: exp, AccessToken: tok.AccessToken, Subject: info.Subject, Data: data}, nil
}

// loggedIn seals the session into its cookies and sends the browser back.
func (a *Action) loggedIn(s *Session, host, uri string) Result {
	plain, _ := json.Marshal(s)
	value := seal(a.sessions, "session "+a.cfg.SessionCookieName, plain)
	cookies, ok := shardCookies(a.cfg.SessionCookieName, value, s.Expiry)
	if !ok {
		return fail(StatusServerError, fmt.Errorf("oidcauth: session of %d bytes is over %d cookies", len(value), maxShards))
	}
	cookies = append(cookies, setCookie(NonceCookie, "", time.Unix(0, 0)))
	return Result{Status: 302, Location: "https://" + host + uri, SetCookies: cookies}
}
