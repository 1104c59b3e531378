package lbsync

import (
	"crypto/tls"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lb/oidcauth"
	"github.com/slipway-dev/slipway/internal/lb/oidcauth/oidctest"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func oidcActions(t *testing.T, p *oidctest.Provider, tgARN string) []model.ELBAction {
	t.Helper()
	fwd := forward(map[string]int{tgARN: 1})[0]
	fwd.Order = 2
	out, err := model.NormalizeActions([]model.ELBAction{{Type: model.ActionAuthenticateOIDC, Order: 1, AuthenticateOIDC: &model.AuthenticateOIDCConfig{
		Issuer: p.Issuer(), AuthorizationEndpoint: p.Issuer() + "/authorize", TokenEndpoint: p.Issuer() + "/token",
		UserInfoEndpoint: p.Issuer() + "/userinfo", ClientID: p.ClientID, ClientSecret: p.ClientSecret,
	}}, fwd})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ensureKeys(tx state.Tx) error {
	return tx.EnsureELBAuthKeys(func() (model.ELBAuthKeys, error) {
		id, sk, der, err := oidcauth.GenerateKeys()
		return model.ELBAuthKeys{KeyID: id, SessionKey: sk, SigningKey: der}, err
	})
}

// TestAuthenticateOIDCThroughRealDataPlane logs in through an HTTPS
// listener whose default actions authenticate, then replaces the data
// plane: the session cookie still holds, because the keys are the store's.
func TestAuthenticateOIDCThroughRealDataPlane(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	p := oidctest.New(t)
	_, portA := backend(t, "A")
	tg := f.targetGroup("web", portA)
	f.register(tg.ARN, model.TargetDescription{ID: "i-a"})
	port := freePort(t)
	f.update(ensureKeys)
	f.httpsListener(port, "file://"+writeCert(t, t.TempDir()), oidcActions(t, p, tg.ARN))

	var cfg lb.Config
	err := st.View(ctx, func(tx state.Tx) (err error) { cfg, err = Compile(tx); return err })
	if a := cfg.Listeners[0].DefaultActions[0].AuthenticateOIDC; err != nil || cfg.Auth == nil || a == nil || a.ClientSecret != p.ClientSecret ||
		a.SessionTimeout != 7*24*time.Hour || a.SessionCookieName != model.DefaultSessionCookieName {
		t.Fatalf("compiled %v %+v: %v", cfg.Auth, cfg.Listeners[0].DefaultActions, err)
	}

	plane := func() *lb.DataPlane {
		dp := lb.New(lb.Options{Host: "127.0.0.1", Logger: quietLogger(), OIDCClient: oidcauth.NewClient(p.Roots())})
		mustSync(t, New(st, []DataPlane{dp}, quietLogger()))
		return dp
	}
	dp := plane()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{
		DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	url := "https://127.0.0.1:" + strconv.Itoa(port) + "/page"
	// A new plane answers 503 until its first health checks pass.
	reaches := func() bool { body, err := get(browser, url); return err == nil && body == "A" }
	eventually(t, "the target after login", reaches)
	if p.TokenCalls() != 1 {
		t.Fatalf("token endpoint called %d times", p.TokenCalls())
	}
	dp.Close()
	dp = plane()
	t.Cleanup(func() { dp.Close() })
	eventually(t, "the target after a data plane restart", reaches)
	if p.TokenCalls() != 1 {
		t.Fatalf("a new login after the restart: token endpoint called %d times", p.TokenCalls())
	}
}
