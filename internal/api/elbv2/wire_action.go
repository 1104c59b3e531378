package elbv2

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

type wireTargetGroupTuple struct {
	TargetGroupArn string
	Weight         int
}

type wireStickiness struct {
	Enabled         bool
	DurationSeconds int `xml:",omitempty"`
}

type wireForward struct {
	TargetGroups                list[wireTargetGroupTuple]
	TargetGroupStickinessConfig wireStickiness
}

type wireFixedResponse struct {
	MessageBody string `xml:",omitempty"`
	StatusCode  string
	ContentType string `xml:",omitempty"`
}

type wireRedirect struct {
	Protocol   string
	Port       string
	Host       string
	Path       string
	Query      string
	StatusCode string
}

type wireAction struct {
	Type                   string
	TargetGroupArn         string `xml:",omitempty"`
	Order                  int
	AuthenticateOidcConfig *wireAuthOIDC      `xml:",omitempty"`
	RedirectConfig         *wireRedirect      `xml:",omitempty"`
	FixedResponseConfig    *wireFixedResponse `xml:",omitempty"`
	ForwardConfig          *wireForward       `xml:",omitempty"`
}

func toWireActions(actions []elbops.Action) list[wireAction] {
	out := list[wireAction]{Member: []wireAction{}}
	for _, a := range actions {
		w := wireAction{Type: a.Type, TargetGroupArn: a.TargetGroupARN, Order: a.Order, AuthenticateOidcConfig: toWireAuthOIDC(a.AuthenticateOIDC)}
		if f := a.Forward; f != nil {
			wf := &wireForward{TargetGroupStickinessConfig: wireStickiness{Enabled: f.Stickiness.Enabled, DurationSeconds: f.Stickiness.DurationSeconds}}
			for _, g := range f.TargetGroups {
				weight := 1
				if g.Weight != nil {
					weight = *g.Weight
				}
				wf.TargetGroups.Member = append(wf.TargetGroups.Member, wireTargetGroupTuple{TargetGroupArn: g.ARN, Weight: weight})
			}
			w.ForwardConfig = wf
		}
		if r := a.FixedResponse; r != nil {
			w.FixedResponseConfig = &wireFixedResponse{MessageBody: r.MessageBody, StatusCode: r.StatusCode, ContentType: r.ContentType}
		}
		if r := a.Redirect; r != nil {
			w.RedirectConfig = &wireRedirect{Protocol: r.Protocol, Port: r.Port, Host: r.Host, Path: r.Path, Query: r.Query, StatusCode: r.StatusCode}
		}
		out.Member = append(out.Member, w)
	}
	return out
}

// decodeActions reads an Actions/DefaultActions list.
func decodeActions(items []form) ([]elbops.Action, error) {
	var out []elbops.Action
	for _, f := range items {
		order, err := intPtr(f, "Order")
		if err != nil {
			return nil, err
		}
		a := elbops.Action{Type: f.Str("Type"), TargetGroupARN: f.Str("TargetGroupArn")}
		if order != nil {
			a.Order = *order
		}
		if f.Has("ForwardConfig") {
			if a.Forward, err = decodeForward(f.Sub("ForwardConfig")); err != nil {
				return nil, err
			}
		}
		if f.Has("AuthenticateOidcConfig") {
			if a.AuthenticateOIDC, err = decodeAuthOIDC(f.Sub("AuthenticateOidcConfig")); err != nil {
				return nil, err
			}
		}
		if f.Has("FixedResponseConfig") {
			g := f.Sub("FixedResponseConfig")
			a.FixedResponse = &model.FixedResponseConfig{StatusCode: g.Str("StatusCode"), ContentType: g.Str("ContentType"), MessageBody: g.Str("MessageBody")}
		}
		if f.Has("RedirectConfig") {
			g := f.Sub("RedirectConfig")
			a.Redirect = &model.RedirectConfig{Protocol: g.Str("Protocol"), Port: g.Str("Port"), Host: g.Str("Host"),
				Path: g.Str("Path"), Query: g.Str("Query"), StatusCode: g.Str("StatusCode")}
		}
		out = append(out, a)
	}
	return out, nil
}

func decodeForward(f form) (*model.ForwardConfig, error) {
	fc := &model.ForwardConfig{}
	for _, g := range f.List("TargetGroups") {
		w, err := intPtr(g, "Weight")
		if err != nil {
			return nil, err
		}
		fc.TargetGroups = append(fc.TargetGroups, model.WeightedTargetGroup{ARN: g.Str("TargetGroupArn"), Weight: w})
	}
	s := f.Sub("TargetGroupStickinessConfig")
	enabled, err := boolPtr(s, "Enabled")
	if err != nil {
		return nil, err
	}
	dur, err := intPtr(s, "DurationSeconds")
	if err != nil {
		return nil, err
	}
	if enabled != nil {
		fc.Stickiness.Enabled = *enabled
	}
	if dur != nil {
		fc.Stickiness.DurationSeconds = *dur
	}
	return fc, nil
}
