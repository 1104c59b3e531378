package model

import (
	"regexp"
	"slices"
	"strconv"
)

// Action types.
const (
	ActionForward       = "forward"
	ActionFixedResponse = "fixed-response"
	ActionRedirect      = "redirect"
)

// Limits ELB applies to actions.
const (
	MaxTargetGroupsPerForward = 5
	MaxTargetGroupWeight      = 999
	MaxStickinessSeconds      = 604800
)

// ELBAction is a listener default action or a rule action.
type ELBAction struct {
	Type  string `json:"type"`
	Order int    `json:"order"`
	// TargetGroupARN is the single-group forward form, kept (and echoed)
	// whenever a forward has exactly one target group.
	TargetGroupARN string               `json:"targetGroupArn,omitempty"`
	Forward        *ForwardConfig       `json:"forward,omitempty"`
	FixedResponse  *FixedResponseConfig `json:"fixedResponse,omitempty"`
	Redirect       *RedirectConfig      `json:"redirect,omitempty"`
	// AuthenticateOIDC is the authenticate-oidc action's configuration.
	AuthenticateOIDC *AuthenticateOIDCConfig `json:"authenticateOidc,omitempty"`
}

// ForwardConfig spreads requests over weighted target groups.
type ForwardConfig struct {
	TargetGroups []WeightedTargetGroup `json:"targetGroups"`
	Stickiness   TargetGroupStickiness `json:"stickiness"`
}

// WeightedTargetGroup is one target group of a forward action.
type WeightedTargetGroup struct {
	ARN string `json:"arn"`
	// Weight is nil when the request gave none; NormalizeActions sets it.
	Weight *int `json:"weight,omitempty"`
}

// TargetGroupStickiness binds a client to one group of a weighted forward.
type TargetGroupStickiness struct {
	Enabled         bool `json:"enabled"`
	DurationSeconds int  `json:"durationSeconds,omitempty"`
}

// FixedResponseConfig is the fixed-response action's content.
type FixedResponseConfig struct {
	StatusCode  string `json:"statusCode"`
	ContentType string `json:"contentType,omitempty"`
	MessageBody string `json:"messageBody,omitempty"`
}

// RedirectConfig is the redirect action; components default to #{...}.
type RedirectConfig struct {
	Protocol   string `json:"protocol"`
	Port       string `json:"port"`
	Host       string `json:"host"`
	Path       string `json:"path"`
	Query      string `json:"query"`
	StatusCode string `json:"statusCode"`
}

// TargetGroupARNs returns the target groups the actions forward to.
func TargetGroupARNs(actions []ELBAction) []string {
	var out []string
	for _, a := range actions {
		if a.Forward != nil {
			for _, g := range a.Forward.TargetGroups {
				out = append(out, g.ARN)
			}
		}
	}
	return out
}

// NormalizeActions validates actions as ELB does, fills defaults (orders,
// weights, redirect components) and returns them sorted by order. Target
// groups are checked for existence by the caller.
func NormalizeActions(actions []ELBAction) ([]ELBAction, error) {
	if len(actions) == 0 {
		return nil, elbInvalid("At least one action must be specified")
	}
	out := slices.Clone(actions)
	orders := map[int]bool{}
	for i := range out {
		a := &out[i]
		if a.Order == 0 && len(out) == 1 {
			a.Order = 1
		}
		if a.Order < 1 || a.Order > 50000 {
			return nil, elbInvalid("Action order '%d' must be between 1 and 50000; specify an order for every action of a rule with several actions", a.Order)
		}
		if orders[a.Order] {
			return nil, elbInvalid("Action order '%d' is used more than once", a.Order)
		}
		orders[a.Order] = true
		if err := normalizeAction(a); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b ELBAction) int { return a.Order - b.Order })
	if err := checkActionOrder(out); err != nil {
		return nil, err
	}
	return out, nil
}

func normalizeAction(a *ELBAction) error {
	if a.Type != ActionAuthenticateOIDC {
		a.AuthenticateOIDC = nil
	}
	switch a.Type {
	case ActionForward:
		a.FixedResponse, a.Redirect = nil, nil
		return normalizeForward(a)
	case ActionFixedResponse:
		if a.FixedResponse == nil {
			return elbInvalid("A fixed-response action must have a FixedResponseConfig")
		}
		a.TargetGroupARN, a.Forward, a.Redirect = "", nil, nil
		return validateFixedResponse(a.FixedResponse)
	case ActionRedirect:
		if a.Redirect == nil {
			return elbInvalid("A redirect action must have a RedirectConfig")
		}
		a.TargetGroupARN, a.Forward, a.FixedResponse = "", nil, nil
		return normalizeRedirect(a.Redirect)
	case ActionAuthenticateOIDC:
		return normalizeAuthenticateOIDC(a)
	case "authenticate-cognito":
		// Forwarding without authenticating would be a silent security hole,
		// so these are refused rather than echoed.
		return elbErr(ELBInvalidAction, "Action type 'authenticate-cognito' is not supported: there are no Amazon Cognito user pools here; authenticate through your IdP with an authenticate-oidc action")
	case "jwt-validation":
		return elbErr(ELBInvalidAction, "Action type '%s' is not supported", a.Type)
	case "":
		return elbInvalid("An action type must be specified")
	}
	return elbInvalid("Action type '%s' must be one of 'forward, authenticate-oidc, authenticate-cognito, redirect, fixed-response, jwt-validation'", a.Type)
}

func normalizeForward(a *ELBAction) error {
	if a.Forward == nil {
		if a.TargetGroupARN == "" {
			return elbInvalid("A forward action must specify a target group")
		}
		a.Forward = &ForwardConfig{TargetGroups: []WeightedTargetGroup{{ARN: a.TargetGroupARN}}}
	}
	f := a.Forward
	switch n := len(f.TargetGroups); {
	case n == 0:
		return elbInvalid("A forward action must specify a target group")
	case n > MaxTargetGroupsPerForward:
		return elbErr(ELBTooManyTargetGroupsErr, "A forward action can have at most '%d' target groups", MaxTargetGroupsPerForward)
	}
	// ELB: TargetGroupArn and ForwardConfig together must name the same single group.
	if a.TargetGroupARN != "" && (len(f.TargetGroups) != 1 || f.TargetGroups[0].ARN != a.TargetGroupARN) {
		return elbInvalid("You cannot specify both a target group ARN and a forward config with different target groups")
	}
	seen := map[string]bool{}
	for i := range f.TargetGroups {
		g := &f.TargetGroups[i]
		if g.ARN == "" {
			return elbInvalid("A target group ARN must be specified for every target group of a forward action")
		}
		if seen[g.ARN] {
			return elbInvalid("Target group '%s' is specified more than once in a forward action", g.ARN)
		}
		seen[g.ARN] = true
		if g.Weight == nil {
			one := 1
			g.Weight = &one
		}
		if *g.Weight < 0 || *g.Weight > MaxTargetGroupWeight {
			return elbInvalid("Target group weight '%d' must be between 0 and %d", *g.Weight, MaxTargetGroupWeight)
		}
	}
	if f.Stickiness.Enabled {
		if d := f.Stickiness.DurationSeconds; d < 1 || d > MaxStickinessSeconds {
			return elbInvalid("Target group stickiness duration '%d' must be between 1 and %d seconds", d, MaxStickinessSeconds)
		}
	} else {
		f.Stickiness.DurationSeconds = 0
	}
	a.TargetGroupARN = ""
	if len(f.TargetGroups) == 1 {
		a.TargetGroupARN = f.TargetGroups[0].ARN
	}
	return nil
}

var fixedStatus = regexp.MustCompile(`^[245]\d\d$`)

var fixedContentTypes = []string{"text/plain", "text/css", "text/html", "application/javascript", "application/json"}

func validateFixedResponse(f *FixedResponseConfig) error {
	if !fixedStatus.MatchString(f.StatusCode) {
		return elbInvalid("Fixed response status code %q must be a 2XX, 4XX or 5XX code", f.StatusCode)
	}
	// The content type is written into the response's Content-Type header:
	// only ELB's five values pass, so nothing else can reach it.
	if f.ContentType != "" && !slices.Contains(fixedContentTypes, f.ContentType) {
		return elbInvalid("Fixed response content type %q must be one of 'text/plain, text/css, text/html, application/javascript, application/json'", f.ContentType)
	}
	if len(f.MessageBody) > 1024 {
		return elbInvalid("Fixed response message body cannot be longer than '1024' characters")
	}
	return nil
}

func normalizeRedirect(r *RedirectConfig) error {
	orig := *r
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&r.Protocol, "#{protocol}")
	def(&r.Port, "#{port}")
	def(&r.Host, "#{host}")
	def(&r.Path, "/#{path}")
	def(&r.Query, "#{query}")
	if r.StatusCode != "HTTP_301" && r.StatusCode != "HTTP_302" {
		return elbInvalid("Redirect status code %q must be one of 'HTTP_301, HTTP_302'", r.StatusCode)
	}
	if len(r.Host) > 128 || len(r.Path) > 128 || len(r.Query) > 128 {
		return elbInvalid("Redirect host, path and query cannot be longer than '128' characters")
	}
	if err := validateRedirectText(r); err != nil {
		return err
	}
	switch r.Protocol {
	case "HTTP", "HTTPS", "#{protocol}":
	default:
		return elbInvalid("Redirect protocol %q must be one of 'HTTP, HTTPS, #{protocol}'", r.Protocol)
	}
	if r.Port != "#{port}" {
		if p, err := strconv.Atoi(r.Port); err != nil || p < 1 || p > 65535 {
			return elbInvalid("Redirect port %q must be '#{port}' or a number between 1 and 65535", r.Port)
		}
	}
	if r.Path[0] != '/' {
		return elbInvalid("Redirect path %q must start with '/'", r.Path)
	}
	// ELB refuses a redirect to the very URL that was requested: a loop.
	if orig.Protocol == "" && orig.Port == "" && orig.Host == "" && orig.Path == "" && orig.Query == "" ||
		*r == (RedirectConfig{"#{protocol}", "#{port}", "#{host}", "/#{path}", "#{query}", r.StatusCode}) {
		return elbErr(ELBInvalidAction, "The redirect must change at least one of protocol, port, host, path or query: otherwise it loops")
	}
	return nil
}
