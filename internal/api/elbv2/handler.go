package elbv2

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/state"
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

// HealthSource is what the API reads from the running data planes:
// target health for DescribeTargetHealth and the state of a load balancer
// whose listeners could not all be served. *lbsync.Syncer implements it.
type HealthSource interface {
	// TargetHealth returns the health of registered and draining targets.
	TargetHealth(tgARN string) []lb.TargetHealth
	// LoadBalancerState returns ELB's state code (active, active_impaired,
	// ...) and a reason when it is not active.
	LoadBalancerState(lbARN string) (code, reason string)
}

type operation func(ctx context.Context, f form) (any, error)

// Handler serves the ELBv2 operations over a state.State.
type Handler struct {
	st     *state.State
	health HealthSource
	log    *slog.Logger
	ops    map[string]operation
}

// New returns the ELBv2 handler. health may be nil (no data plane: targets
// report "initial" and load balancers "active").
func New(st *state.State, health HealthSource, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{st: st, health: health, log: logger.With("component", "elbv2")}
	h.ops = map[string]operation{
		"CreateLoadBalancer": h.createLoadBalancer, "DescribeLoadBalancers": h.describeLoadBalancers,
		"DeleteLoadBalancer": h.deleteLoadBalancer,
		"CreateTargetGroup":  h.createTargetGroup, "DescribeTargetGroups": h.describeTargetGroups,
		"ModifyTargetGroup": h.modifyTargetGroup, "DeleteTargetGroup": h.deleteTargetGroup,
		"DescribeTargetGroupAttributes": h.describeTargetGroupAttributes,
		"ModifyTargetGroupAttributes":   h.modifyTargetGroupAttributes,
		"RegisterTargets":               h.registerTargets, "DeregisterTargets": h.deregisterTargets,
		"DescribeTargetHealth": h.describeTargetHealth,
		"CreateListener":       h.createListener, "DescribeListeners": h.describeListeners,
		"ModifyListener": h.modifyListener, "DeleteListener": h.deleteListener,
		"CreateRule": h.createRule, "DescribeRules": h.describeRules, "ModifyRule": h.modifyRule,
		"DeleteRule": h.deleteRule, "SetRulePriorities": h.setRulePriorities,
		"AddTags": h.addTags, "RemoveTags": h.removeTags, "DescribeTags": h.describeTags,
	}
	return h
}

// ServeHTTP implements http.Handler. The router has verified the signature
// and left the body re-readable.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxBodyBytes))
	if err != nil {
		h.writeError(w, r, validation("%v", err))
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
	case !ok:
		h.writeError(w, r, awsproto.ClientError(codeInvalidAction, "The action %s is not valid for this web service.", action))
		return
	}
	result, err := op(r.Context(), form{v: values})
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
