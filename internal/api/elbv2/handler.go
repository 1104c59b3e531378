package elbv2

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

// Version and Namespace identify the ELBv2 Query API and SigningName the
// service its requests are signed for; register the handler with
// router.HandleQuery(awsproto.QueryAPI{Version: elbv2.Version, Namespace:
// elbv2.Namespace, SigningName: elbv2.SigningName}, handler).
const (
	Version     = "2015-12-01"
	Namespace   = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
	SigningName = "elasticloadbalancing"
)

type operation func(ctx context.Context, f form) (any, error)

// Handler serves the ELBv2 Query API over the operations of package elbops.
type Handler struct {
	log *slog.Logger
	ops map[string]operation
}

// New returns the ELBv2 handler over the operations svc.
func New(svc *elbops.Service, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{log: logger.With("component", "elbv2")}
	h.ops = map[string]operation{
		"CreateLoadBalancer":             op(decodeCreateLoadBalancer, svc.CreateLoadBalancer, encodeLoadBalancers),
		"DescribeLoadBalancers":          op(decodeDescribeLoadBalancers, svc.DescribeLoadBalancers, encodeLoadBalancers),
		"DeleteLoadBalancer":             noOutput(decodeDeleteLoadBalancer, svc.DeleteLoadBalancer),
		"DescribeLoadBalancerAttributes": op(decodeLoadBalancerAttributes, svc.DescribeLoadBalancerAttributes, encodeAttributes),
		"ModifyLoadBalancerAttributes":   op(decodeLoadBalancerAttributes, svc.ModifyLoadBalancerAttributes, encodeAttributes),
		"CreateTargetGroup":              op(decodeCreateTargetGroup, svc.CreateTargetGroup, encodeTargetGroups),
		"DescribeTargetGroups":           op(decodeDescribeTargetGroups, svc.DescribeTargetGroups, encodeTargetGroups),
		"ModifyTargetGroup":              op(decodeModifyTargetGroup, svc.ModifyTargetGroup, encodeTargetGroups),
		"DeleteTargetGroup":              noOutput(decodeDeleteTargetGroup, svc.DeleteTargetGroup),
		"DescribeTargetGroupAttributes":  op(decodeTargetGroupAttributes, svc.DescribeTargetGroupAttributes, encodeAttributes),
		"ModifyTargetGroupAttributes":    op(decodeTargetGroupAttributes, svc.ModifyTargetGroupAttributes, encodeAttributes),
		"RegisterTargets":                noOutput(decodeTargets, svc.RegisterTargets),
		"DeregisterTargets":              noOutput(decodeTargets, svc.DeregisterTargets),
		"DescribeTargetHealth":           op(decodeDescribeTargetHealth, svc.DescribeTargetHealth, encodeTargetHealth),
		"CreateListener":                 op(decodeCreateListener, svc.CreateListener, encodeListeners),
		"DescribeListeners":              op(decodeDescribeListeners, svc.DescribeListeners, encodeListeners),
		"ModifyListener":                 op(decodeModifyListener, svc.ModifyListener, encodeListeners),
		"DeleteListener":                 noOutput(decodeDeleteListener, svc.DeleteListener),
		"DescribeListenerAttributes":     op(decodeListenerAttributes, svc.DescribeListenerAttributes, encodeAttributes),
		"ModifyListenerAttributes":       op(decodeListenerAttributes, svc.ModifyListenerAttributes, encodeAttributes),
		"CreateRule":                     op(decodeCreateRule, svc.CreateRule, encodeRules),
		"DescribeRules":                  op(decodeDescribeRules, svc.DescribeRules, encodeRules),
		"ModifyRule":                     op(decodeModifyRule, svc.ModifyRule, encodeRules),
		"DeleteRule":                     noOutput(decodeDeleteRule, svc.DeleteRule),
		"SetRulePriorities":              op(decodeSetRulePriorities, svc.SetRulePriorities, encodeRules),
		"SetSubnets":                     op(decodeSetSubnets, svc.SetSubnets, encodeSetSubnets),
		"SetSecurityGroups":              op(decodeSetSecurityGroups, svc.SetSecurityGroups, encodeSetSecurityGroups),
		"SetIpAddressType":               op(decodeSetIPAddressType, svc.SetIPAddressType, encodeSetIPAddressType),
		"AddListenerCertificates":        op(decodeListenerCertificates, svc.AddListenerCertificates, encodeListenerCertificates),
		"RemoveListenerCertificates":     noOutput(decodeListenerCertificates, svc.RemoveListenerCertificates),
		"DescribeListenerCertificates":   op(decodeDescribeListenerCertificates, svc.DescribeListenerCertificates, encodeListenerCertificates),
		"DescribeSSLPolicies":            op(decodeDescribeSSLPolicies, svc.DescribeSSLPolicies, encodeSSLPolicies),
		"DescribeAccountLimits":          op(decodeDescribeAccountLimits, svc.DescribeAccountLimits, encodeAccountLimits),
		"AddTags":                        noOutput(decodeAddTags, svc.AddTags),
		"RemoveTags":                     noOutput(decodeRemoveTags, svc.RemoveTags),
		"DescribeTags":                   op(decodeDescribeTags, svc.DescribeTags, encodeTags),
	}
	return h
}

// op adapts a typed operation: decode reads the form into its input (a
// ValidationError when a member does not decode), encode shapes the output
// as the XML result.
func op[In, Out any](decode func(form) (*In, error), call func(context.Context, *In) (*Out, error), encode func(*Out) any) operation {
	return func(ctx context.Context, f form) (any, error) {
		in, err := decode(f)
		if err != nil {
			return nil, err
		}
		out, err := call(ctx, in)
		if err != nil {
			return nil, err
		}
		return encode(out), nil
	}
}

// noOutput adapts an operation whose result is empty.
func noOutput[In any](decode func(form) (*In, error), call func(context.Context, *In) error) operation {
	return func(ctx context.Context, f form) (any, error) {
		in, err := decode(f)
		if err != nil {
			return nil, err
		}
		return nil, call(ctx, in)
	}
}

// ServeHTTP implements http.Handler. The router has verified the signature
// and left the body re-readable.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxBodyBytes))
	if err != nil {
		h.writeError(w, r, elbops.Validation("%v", err))
		return
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		h.writeError(w, r, awsproto.ClientError("MalformedQueryString", "%v", err))
		return
	}
	for k, v := range r.URL.Query() {
		if _, ok := values[k]; !ok {
			values[k] = v
		}
	}
	action := values.Get("Action")
	op, ok := h.ops[action]
	switch {
	case action == "":
		h.writeError(w, r, awsproto.ClientError(codeMissingAction, "The request must contain the parameter Action"))
		return
	case !ok && elbops.Unsupported(action) != nil:
		h.writeError(w, r, elbops.Unsupported(action))
		return
	case !ok:
		h.writeError(w, r, awsproto.ClientError(codeInvalidAction, "The action %s is not valid for this web service.", action))
		return
	}
	result, err := op(r.Context(), awsproto.NewForm(values))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := awsproto.WriteXML(w, envelope{action: action, result: result, requestID: w.Header().Get("X-Amzn-RequestId")}); err != nil {
		h.logFault(r, codeInternalFailure, err)
	}
}

// writeError answers err in ELB's words. A server fault is logged with the
// request id, the only part of it the client sees.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae := toAWSError(err)
	if ae.Status >= http.StatusInternalServerError {
		h.logFault(r, ae.Code, err)
	}
	awsproto.WriteXMLError(w, Namespace, ae, codeInternalFailure)
}

func (h *Handler) logFault(r *http.Request, code string, err error) {
	h.log.Error("request failed", "code", code, "request_id", awsproto.RequestID(r.Context()), "err", err)
}

// envelope is <ActionResponse xmlns=...><ActionResult>...</ActionResult>
// <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></ActionResponse>.
type envelope struct {
	action    string
	result    any
	requestID string
}

// MarshalXML implements xml.Marshaler.
func (e envelope) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{
		Name: xml.Name{Local: e.action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: Namespace}},
	}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	resultStart := xml.StartElement{Name: xml.Name{Local: e.action + "Result"}}
	result := e.result
	if result == nil {
		result = struct{}{}
	}
	if err := enc.EncodeElement(result, resultStart); err != nil {
		return err
	}
	meta := struct {
		RequestID string `xml:"RequestId"`
	}{e.requestID}
	if err := enc.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	return enc.EncodeToken(start.End())
}
