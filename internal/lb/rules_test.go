package lb

import (
	"net/netip"
	"testing"
)

func TestWildcardMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		fold, want bool
	}{
		{"/api/*", "/api/v1/items", false, true},
		{"/api/*", "/api", false, false},
		{"/api*", "/api", false, true},
		{"/img/?.png", "/img/a.png", false, true},
		{"/img/?.png", "/img/ab.png", false, false},
		{"*.example.com", "www.example.com", true, true},
		{"*.example.com", "example.com", true, false},
		{"/API/*", "/api/x", false, false},
		{"a*b*c", "axxbyyc", false, true},
		{"a*b*c", "axxbyy", false, false},
		{"*", "", false, true},
		{"", "", false, true},
	}
	for _, c := range cases {
		if got := wildcardMatch(c.pattern, []byte(c.s), c.fold); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}

func TestConditions(t *testing.T) {
	mk := func(c Condition) *rule {
		r := compileRules([]Rule{{Priority: 1, Conditions: []Condition{c}}}, func([]Action) *action { return nil })
		return &r[0]
	}
	parse := func(raw string) *request {
		var rq request
		if err := parseRequest([]byte(raw), &rq); err != nil {
			t.Fatalf("parse %q: %v", raw, err)
		}
		return &rq
	}
	base := "GET /api/v1/items?Color=Red%20Blue&size=10 HTTP/1.1\r\nHost: Shop.Example.com:8080\r\nX-Env: Canary\r\nUser-Agent: curl/8\r\n\r\n"
	rq := parse(base)
	peer := netip.MustParseAddr("10.1.2.3")
	cases := []struct {
		name string
		c    Condition
		want bool
	}{
		{"path match", Condition{Field: "path-pattern", Values: []string{"/nope", "/api/*"}}, true},
		{"path case-sensitive", Condition{Field: "path-pattern", Values: []string{"/API/*"}}, false},
		{"host wildcard, case-insensitive, port ignored", Condition{Field: "host-header", Values: []string{"*.example.COM"}}, true},
		{"host mismatch", Condition{Field: "host-header", Values: []string{"api.example.com"}}, false},
		{"header value wildcard", Condition{Field: "http-header", HeaderName: "x-env", Values: []string{"can*"}}, true},
		{"header missing", Condition{Field: "http-header", HeaderName: "X-Missing", Values: []string{"*"}}, false},
		{"method", Condition{Field: "http-request-method", Values: []string{"POST", "GET"}}, true},
		{"method mismatch", Condition{Field: "http-request-method", Values: []string{"POST"}}, false},
		{"query decoded", Condition{Field: "query-string", Query: []KeyValue{{Key: "color", Value: "red blue"}}}, true},
		{"query any key", Condition{Field: "query-string", Query: []KeyValue{{Value: "1?"}}}, true},
		{"query mismatch", Condition{Field: "query-string", Query: []KeyValue{{Key: "size", Value: "11"}}}, false},
		{"source ip", Condition{Field: "source-ip", Values: []string{"192.168.0.0/16", "10.0.0.0/8"}}, true},
		{"source ip mismatch", Condition{Field: "source-ip", Values: []string{"10.9.0.0/16"}}, false},
	}
	for _, c := range cases {
		if got := mk(c.c).match(&matchView{rq: rq, peer: peer}); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
	// All conditions of a rule must match.
	r := compileRules([]Rule{{Priority: 1, Conditions: []Condition{
		{Field: "path-pattern", Values: []string{"/api/*"}}, {Field: "http-request-method", Values: []string{"POST"}}}}}, func([]Action) *action { return nil })
	if r[0].match(&matchView{rq: rq, peer: peer}) {
		t.Error("AND of conditions violated")
	}
}

func TestRulePriorityAndDefault(t *testing.T) {
	fixed := func(code string) []Action {
		return []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: code}}}
	}
	l := &Listener{Port: 80, DefaultActions: fixed("404"), Rules: []Rule{
		{Priority: 20, Conditions: []Condition{{Field: "path-pattern", Values: []string{"/a*"}}}, Actions: fixed("202")},
		{Priority: 10, Conditions: []Condition{{Field: "path-pattern", Values: []string{"/ab*"}}}, Actions: fixed("201")},
	}}
	rt := compileRoutes(1, l, &compiler{})
	for path, want := range map[string]int{"/abc": 201, "/ax": 202, "/zzz": 404} {
		var rq request
		parseRequest([]byte("GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"), &rq)
		if got := rt.route(&matchView{rq: &rq}).fixed.status; got != want {
			t.Errorf("%s routed to %d, want %d", path, got, want)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	good := func() Config {
		return Config{Version: 1, Listeners: []Listener{{ARN: "l", Port: 8080, Protocol: "HTTP", DefaultActions: forward("tg")}},
			TargetGroups: []TargetGroup{{ARN: "tg", Protocol: "HTTP"}}}
	}
	if err := validate(&[]Config{good()}[0]); err != nil {
		t.Fatalf("good config rejected: %v", err)
	}
	bad := map[string]func(*Config){
		"port":          func(c *Config) { c.Listeners[0].Port = 70000 },
		"unknown group": func(c *Config) { c.Listeners[0].DefaultActions = forward("nope") },
		"weight":        func(c *Config) { c.Listeners[0].DefaultActions[0].Forward[0].Weight = 1000 },
		"https no cert": func(c *Config) { c.Listeners[0].Protocol = "HTTPS" },
		"condition": func(c *Config) {
			c.Listeners[0].Rules = []Rule{{Priority: 1, Actions: forward("tg"), Conditions: []Condition{{Field: "cookie"}}}}
		},
		"cidr": func(c *Config) {
			c.Listeners[0].Rules = []Rule{{Priority: 1, Actions: forward("tg"), Conditions: []Condition{{Field: "source-ip", Values: []string{"x"}}}}}
		},
		"matcher":  func(c *Config) { c.TargetGroups[0].HealthCheck.Matcher = "abc" },
		"interval": func(c *Config) { c.TargetGroups[0].HealthCheck.Interval = 10 * 1e6 },
		"redirect code": func(c *Config) {
			c.Listeners[0].DefaultActions = []Action{{Type: "redirect", Redirect: &Redirect{StatusCode: "HTTP_307"}}}
		},
	}
	for name, mutate := range bad {
		c := good()
		mutate(&c)
		if err := validate(&c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestRulesThroughListener routes real requests with every condition type combined.
func TestRulesThroughListener(t *testing.T) {
	a := startBackend(t, "a", nil)
	b := startBackend(t, "b", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	canary := Rule{ARN: "canary", Priority: 5, Actions: forward("b"), Conditions: []Condition{
		{Field: "host-header", Values: []string{"*.example.com"}},
		{Field: "path-pattern", Values: []string{"/api/*"}},
		{Field: "http-header", HeaderName: "X-Canary", Values: []string{"y*"}},
		{Field: "http-request-method", Values: []string{"GET"}},
		{Field: "query-string", Query: []KeyValue{{Key: "v", Value: "2"}}},
		{Field: "source-ip", Values: []string{"127.0.0.0/8"}},
	}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("a"), canary)},
		TargetGroups: []TargetGroup{tgroup("a", false, a), tgroup("b", false, b)}})
	c := client()
	hit := func(path string, hdr ...string) string {
		resp, _ := get(t, c, lbURL(port, path), hdr...)
		return resp.Header.Get("X-Backend")
	}
	if got := hit("/api/x?v=2", "Host", "shop.example.com", "X-Canary", "YES"); got != "b" {
		t.Errorf("all conditions match: routed to %q", got)
	}
	for name, got := range map[string]string{
		"wrong host":  hit("/api/x?v=2", "Host", "example.org", "X-Canary", "yes"),
		"wrong path":  hit("/web/x?v=2", "Host", "shop.example.com", "X-Canary", "yes"),
		"no header":   hit("/api/x?v=2", "Host", "shop.example.com"),
		"wrong query": hit("/api/x?v=3", "Host", "shop.example.com", "X-Canary", "yes"),
	} {
		if got != "a" {
			t.Errorf("%s: routed to %q", name, got)
		}
	}
}
