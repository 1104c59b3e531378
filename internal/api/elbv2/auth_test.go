package elbv2

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func oidcConfig() *types.AuthenticateOidcActionConfig {
	return &types.AuthenticateOidcActionConfig{
		Issuer: aws.String("https://idp.example.com"), AuthorizationEndpoint: aws.String("https://idp.example.com/authorize"),
		TokenEndpoint: aws.String("https://idp.example.com/token"), UserInfoEndpoint: aws.String("https://idp.example.com/userinfo"),
		ClientId: aws.String("client-1"), ClientSecret: aws.String("s3cret"),
	}
}

// authThenForward is an authenticate-oidc action (order 1) and a forward (order 2).
func authThenForward(c *types.AuthenticateOidcActionConfig, tg string) []types.Action {
	return []types.Action{
		{Type: types.ActionTypeEnumAuthenticateOidc, Order: aws.Int32(1), AuthenticateOidcConfig: c},
		{Type: types.ActionTypeEnumForward, Order: aws.Int32(2), TargetGroupArn: aws.String(tg)},
	}
}

func (a *testAPI) httpsListener(t *testing.T, s seeds, port int32) string {
	t.Helper()
	cert := writeCert(t, t.TempDir(), "site")
	return *must(a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb), Protocol: types.ProtocolEnumHttps,
		Port: aws.Int32(port), DefaultActions: forwardTo(s.tg),
		Certificates: []types.Certificate{{CertificateArn: aws.String("file://" + cert)}}}))(t).Listeners[0].ListenerArn
}

func (a *testAPI) storedOIDC(t *testing.T, rule string) *model.AuthenticateOIDCConfig {
	t.Helper()
	var c *model.AuthenticateOIDCConfig
	err := a.st.View(ctx, func(tx state.Tx) error {
		r, _, err := tx.AnyRule(rule)
		if len(r.Actions) > 0 {
			c = r.Actions[0].AuthenticateOIDC
		}
		return err
	})
	if err != nil || c == nil {
		t.Fatalf("stored rule %s: %v", rule, err)
	}
	return c
}

func TestAuthenticateOIDCRule(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	lst := a.httpsListener(t, s, 8443)
	c := oidcConfig()
	c.AuthenticationRequestExtraParams = map[string]string{"prompt": "login", "display": "page"}
	r := must(a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(lst), Priority: aws.Int32(1),
		Conditions: pathCond("/app/*"), Actions: authThenForward(c, s.tg)}))(t).Rules[0]
	got := must(a.c.DescribeRules(ctx, &elb.DescribeRulesInput{RuleArns: []string{*r.RuleArn}}))(t).Rules[0]
	for _, rule := range []types.Rule{r, got} {
		if len(rule.Actions) != 2 || rule.Actions[0].Type != types.ActionTypeEnumAuthenticateOidc || *rule.Actions[1].Order != 2 {
			t.Fatalf("actions %+v", rule.Actions)
		}
		o := rule.Actions[0].AuthenticateOidcConfig
		if o == nil || o.ClientSecret != nil || *o.ClientId != "client-1" || *o.SessionCookieName != "AWSELBAuthSessionCookie" ||
			*o.Scope != "openid" || *o.SessionTimeout != 604800 || o.OnUnauthenticatedRequest != types.AuthenticateOidcActionConditionalBehaviorEnumAuthenticate ||
			o.AuthenticationRequestExtraParams["prompt"] != "login" || len(o.AuthenticationRequestExtraParams) != 2 || *o.Issuer != "https://idp.example.com" {
			t.Fatalf("AuthenticateOidcConfig %+v", o)
		}
	}
	if st := a.storedOIDC(t, *r.RuleArn); st.ClientSecret != "s3cret" {
		t.Fatalf("the secret was not kept: %+v", st)
	}
	err := a.st.View(ctx, func(tx state.Tx) error {
		k, ok, err := tx.ELBAuthKeys()
		if !ok || len(k.SessionKey) != 32 || k.KeyID == "" {
			t.Errorf("auth keys %v %v", ok, k.KeyID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// ModifyRule keeps the secret with UseExistingClientSecret, and
	// refuses the flag beside a secret.
	m := oidcConfig()
	m.ClientSecret, m.UseExistingClientSecret, m.OnUnauthenticatedRequest = nil, aws.Bool(true), types.AuthenticateOidcActionConditionalBehaviorEnumDeny
	m.SessionTimeout = aws.Int64(3600)
	mod := must(a.c.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: r.RuleArn, Actions: authThenForward(m, s.tg)}))(t).Rules[0]
	if o := mod.Actions[0].AuthenticateOidcConfig; o.OnUnauthenticatedRequest != "deny" || *o.SessionTimeout != 3600 || o.ClientSecret != nil {
		t.Fatalf("modified %+v", o)
	}
	if st := a.storedOIDC(t, *r.RuleArn); st.ClientSecret != "s3cret" {
		t.Fatalf("UseExistingClientSecret lost the secret: %+v", st)
	}
	m.ClientSecret = aws.String("new")
	_, err = a.c.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: r.RuleArn, Actions: authThenForward(m, s.tg)})
	wantCode(t, err, "InvalidLoadBalancerAction")

	// The listener cannot become HTTP while a rule authenticates.
	_, err = a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(lst), Protocol: types.ProtocolEnumHttp})
	wantCode(t, err, "InvalidLoadBalancerAction")

	// Default actions may authenticate too.
	def := must(a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(lst), DefaultActions: authThenForward(oidcConfig(), s.tg)}))(t).Listeners[0]
	if def.DefaultActions[0].AuthenticateOidcConfig == nil || def.DefaultActions[0].AuthenticateOidcConfig.ClientSecret != nil {
		t.Fatalf("default actions %+v", def.DefaultActions)
	}
}

func TestAuthenticateOIDCValidation(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	lst := a.httpsListener(t, s, 8443)
	with := func(f func(*types.AuthenticateOidcActionConfig)) []types.Action {
		c := oidcConfig()
		f(c)
		return authThenForward(c, s.tg)
	}
	auth := authThenForward(oidcConfig(), s.tg)[0]
	fwd := authThenForward(oidcConfig(), s.tg)[1]
	cases := map[string]struct {
		listener string
		actions  []types.Action
		code     string
	}{
		"http listener": {s.listener, authThenForward(oidcConfig(), s.tg), "InvalidLoadBalancerAction"},
		"alone":         {lst, []types.Action{{Type: types.ActionTypeEnumAuthenticateOidc, AuthenticateOidcConfig: oidcConfig()}}, "InvalidLoadBalancerAction"},
		"after forward": {lst, []types.Action{{Type: auth.Type, Order: aws.Int32(3), AuthenticateOidcConfig: oidcConfig()}, fwd}, "InvalidLoadBalancerAction"},
		"two":           {lst, []types.Action{auth, {Type: auth.Type, Order: aws.Int32(2), AuthenticateOidcConfig: oidcConfig()}, {Type: fwd.Type, Order: aws.Int32(3), TargetGroupArn: fwd.TargetGroupArn}}, "InvalidLoadBalancerAction"},
		"no config":     {lst, []types.Action{{Type: auth.Type, Order: aws.Int32(1)}, fwd}, "ValidationError"},
		"http endpoint": {lst, with(func(c *types.AuthenticateOidcActionConfig) {
			c.TokenEndpoint = aws.String("http://idp.example.com/token")
		}), "InvalidLoadBalancerAction"},
		"no issuer": {lst, with(func(c *types.AuthenticateOidcActionConfig) { c.Issuer = aws.String("") }), "ValidationError"},
		"no secret": {lst, with(func(c *types.AuthenticateOidcActionConfig) { c.ClientSecret = nil }), "InvalidLoadBalancerAction"},
		"existing on create": {lst, with(func(c *types.AuthenticateOidcActionConfig) {
			c.ClientSecret, c.UseExistingClientSecret = nil, aws.Bool(true)
		}), "InvalidLoadBalancerAction"},
		"secret and existing": {lst, with(func(c *types.AuthenticateOidcActionConfig) { c.UseExistingClientSecret = aws.Bool(true) }), "InvalidLoadBalancerAction"},
		"timeout 0":           {lst, with(func(c *types.AuthenticateOidcActionConfig) { c.SessionTimeout = aws.Int64(0) }), "ValidationError"},
		"timeout over":        {lst, with(func(c *types.AuthenticateOidcActionConfig) { c.SessionTimeout = aws.Int64(604801) }), "ValidationError"},
		"behaviour":           {lst, with(func(c *types.AuthenticateOidcActionConfig) { c.OnUnauthenticatedRequest = "maybe" }), "ValidationError"},
		"cookie name":         {lst, with(func(c *types.AuthenticateOidcActionConfig) { c.SessionCookieName = aws.String("a;b") }), "ValidationError"},
		"reserved param": {lst, with(func(c *types.AuthenticateOidcActionConfig) {
			c.AuthenticationRequestExtraParams = map[string]string{"redirect_uri": "https://evil.example"}
		}), "InvalidLoadBalancerAction"},
		"eleven params": {lst, with(func(c *types.AuthenticateOidcActionConfig) {
			c.AuthenticationRequestExtraParams = map[string]string{}
			for _, k := range strings.Split("a b c d e f g h i j k", " ") {
				c.AuthenticationRequestExtraParams[k] = "v"
			}
		}), "ValidationError"},
		"cognito": {lst, []types.Action{{Type: types.ActionTypeEnumAuthenticateCognito, Order: aws.Int32(1), AuthenticateCognitoConfig: &types.AuthenticateCognitoActionConfig{
			UserPoolArn: aws.String("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x"), UserPoolClientId: aws.String("c"), UserPoolDomain: aws.String("d")}}, fwd}, "InvalidLoadBalancerAction"},
	}
	prio := int32(10)
	for name, c := range cases {
		prio++
		_, err := a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(c.listener), Priority: aws.Int32(prio),
			Conditions: pathCond("/x"), Actions: c.actions})
		t.Run(name, func(t *testing.T) { wantCode(t, err, c.code) })
	}
	rules := must(a.c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: aws.String(lst)}))(t).Rules
	if len(rules) != 1 {
		t.Fatalf("a refused rule was stored: %d rules", len(rules))
	}
	err := a.st.View(ctx, func(tx state.Tx) error {
		if _, ok, _ := tx.ELBAuthKeys(); ok {
			t.Error("keys made though no authenticate action was stored")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
