package elbops

import (
	"slices"
	"testing"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
)

// TestConditionForms: a condition in either form becomes one stored form;
// every mixed or unsupported form is ELB's ValidationError in ELB's words.
func TestConditionForms(t *testing.T) {
	ok := []struct {
		in   ConditionInput
		want Condition
	}{
		{ConditionInput{Field: "host-header", Values: []string{"a.example"}}, Condition{Field: "host-header", Values: []string{"a.example"}}},
		{ConditionInput{Field: "path-pattern", PathPatternConfig: &ValuesConfig{Values: []string{"/a", "/b"}}},
			Condition{Field: "path-pattern", Values: []string{"/a", "/b"}}},
		{ConditionInput{Field: "http-header", HTTPHeaderConfig: &HTTPHeaderConfig{HTTPHeaderName: "X-A", Values: []string{"1"}}},
			Condition{Field: "http-header", HTTPHeaderName: "X-A", Values: []string{"1"}}},
		{ConditionInput{Field: "query-string", QueryStringConfig: &QueryStringConfig{Values: []model.QueryStringPair{{Value: "v"}}}},
			Condition{Field: "query-string", QueryString: []model.QueryStringPair{{Value: "v"}}}},
		// Given empty, the legacy list is stored as no values (model then refuses the rule).
		{ConditionInput{Field: "host-header", Values: []string{}}, Condition{Field: "host-header"}},
		{ConditionInput{Field: "source-ip"}, Condition{Field: "source-ip"}},
	}
	for _, c := range ok {
		got, err := c.in.toCondition()
		if err != nil || got.Field != c.want.Field || !slices.Equal(got.Values, c.want.Values) ||
			got.HTTPHeaderName != c.want.HTTPHeaderName || !slices.Equal(got.QueryString, c.want.QueryString) {
			t.Errorf("%+v: got %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	bad := map[string]struct {
		in  ConditionInput
		msg string
	}{
		"no field": {ConditionInput{Values: []string{"x"}}, "A condition field must be specified"},
		"unknown":  {ConditionInput{Field: "cookie"}, "Condition field 'cookie' must be one of '[http-header, http-request-method, host-header, path-pattern, query-string, source-ip]'"},
		"regex":    {ConditionInput{Field: "host-header", RegexValues: []string{"^a"}}, "Regular-expression condition values are not supported"},
		"regex in config": {ConditionInput{Field: "http-header", HTTPHeaderConfig: &HTTPHeaderConfig{RegexValues: []string{}}},
			"Regular-expression condition values are not supported"},
		"other config": {ConditionInput{Field: "host-header", SourceIPConfig: &ValuesConfig{}},
			"Condition field 'host-header' cannot have a 'SourceIpConfig'"},
		"both forms": {ConditionInput{Field: "path-pattern", Values: []string{"/a"}, PathPatternConfig: &ValuesConfig{}},
			"You cannot specify both 'Values' and 'PathPatternConfig' for a 'path-pattern' condition"},
		"legacy method": {ConditionInput{Field: "http-request-method", Values: []string{"GET"}},
			"A 'http-request-method' condition must be specified with 'HttpRequestMethodConfig'"},
		"legacy two": {ConditionInput{Field: "host-header", Values: []string{"a", "b"}},
			"A 'host-header' condition in the 'Values' form can have only one value; use 'HostHeaderConfig' for more"},
	}
	for name, c := range bad {
		_, err := c.in.toCondition()
		e, isAWS := awserr.As(err)
		if !isAWS || e.Code != CodeValidationError || e.Message != c.msg || e.Status != 400 {
			t.Errorf("%s: got %v, want ValidationError %q", name, err, c.msg)
		}
	}
}

// TestSetProtocolDropsTLSSettings: a listener that changes to a protocol
// without TLS loses its certificates and SSL policy; one that keeps its
// protocol or moves to HTTPS keeps them.
func TestSetProtocolDropsTLSSettings(t *testing.T) {
	tlsListener := func() model.Listener {
		return model.Listener{Protocol: model.ProtocolHTTPS, SSLPolicy: model.DefaultSSLPolicy,
			Certificates: []model.ListenerCertificate{{ARN: "file:///c.pem", IsDefault: true}}}
	}
	l := tlsListener()
	setProtocol(&l, model.ProtocolHTTPS)
	if len(l.Certificates) != 1 || l.SSLPolicy == "" {
		t.Fatalf("same protocol changed TLS settings: %+v", l)
	}
	setProtocol(&l, model.ProtocolHTTP)
	if l.Protocol != model.ProtocolHTTP || l.Certificates != nil || l.SSLPolicy != "" {
		t.Fatalf("to HTTP: %+v", l)
	}
	l = model.Listener{Protocol: model.ProtocolHTTP}
	setProtocol(&l, model.ProtocolHTTPS)
	if l.Protocol != model.ProtocolHTTPS || !terminatesTLS(l.Protocol) || terminatesTLS(model.ProtocolHTTP) {
		t.Fatalf("to HTTPS: %+v", l)
	}
}

// TestRulePrioritiesCheckedBeforeState: SetRulePriorities' request is
// refused on its own, in ELB's words, before any rule is looked up.
func TestRulePrioritiesCheckedBeforeState(t *testing.T) {
	p := func(arn string, prio int) RulePriority { return RulePriority{RuleARN: arn, Priority: &prio} }
	cases := map[string]struct {
		in   []RulePriority
		code string
		msg  string
	}{
		"none":       {nil, CodeValidationError, "At least one rule priority must be specified"},
		"no prio":    {[]RulePriority{{RuleARN: "r"}}, CodeValidationError, "A priority must be specified for every rule"},
		"range":      {[]RulePriority{p("r", 50001)}, CodeValidationError, "Priority '50001' must be between 1 and 50000"},
		"prio twice": {[]RulePriority{p("a", 5), p("b", 5)}, CodePriorityInUse, "Priority '5' is currently in use"},
		"rule twice": {[]RulePriority{p("a", 5), p("a", 6)}, CodeValidationError, "Rule 'a' is specified more than once"},
	}
	for name, c := range cases {
		_, _, err := checkRulePriorities(c.in)
		e, ok := awserr.As(fail(err))
		if !ok || e.Code != c.code || e.Message != c.msg {
			t.Errorf("%s: got %v, want %s %q", name, err, c.code, c.msg)
		}
	}
	want, order, err := checkRulePriorities([]RulePriority{p("b", 2), p("a", 1)})
	if err != nil || !slices.Equal(order, []string{"b", "a"}) || want["a"] != 1 || want["b"] != 2 {
		t.Fatalf("valid: %v %v %v", want, order, err)
	}
}
