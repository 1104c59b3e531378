// Package cloudformation is the wire of CloudFormation's Query API (version
// 2010-05-15): it decodes requests into the stack engine's inputs
// (internal/cfn/stack, which does the work) and encodes its answers in the
// XML shapes of CloudFormation's service model.
package cloudformation

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

// Version and Namespace identify the CloudFormation Query API and
// SigningName the service its requests are signed for.
const (
	Version     = "2010-05-15"
	Namespace   = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
	SigningName = "cloudformation"
)

type operation func(ctx context.Context, f form) (any, error)

// Handler serves CloudFormation's operations over a stack engine.
type Handler struct {
	e   *stack.Engine
	log *slog.Logger
	ops map[string]operation
}

// New returns the handler.
func New(e *stack.Engine, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{e: e, log: logger.With("component", "cloudformation")}
	h.ops = map[string]operation{
		"CreateStack": h.createStack, "UpdateStack": h.updateStack, "DeleteStack": h.deleteStack,
		"DescribeStacks": h.describeStacks, "ListStacks": h.listStacks, "DescribeStackEvents": h.describeStackEvents,
		"DescribeStackResource": h.describeStackResource, "DescribeStackResources": h.describeStackResources,
		"ListStackResources": h.listStackResources, "GetTemplate": h.getTemplate, "GetTemplateSummary": h.getTemplateSummary,
		"ValidateTemplate": h.validateTemplate, "CreateChangeSet": h.createChangeSet, "DescribeChangeSet": h.describeChangeSet,
		"ExecuteChangeSet": h.executeChangeSet, "DeleteChangeSet": h.deleteChangeSet, "ListChangeSets": h.listChangeSets,
		"ListExports": h.listExports, "ListImports": h.listImports,
		"CancelUpdateStack": h.cancelUpdateStack, "ContinueUpdateRollback": h.continueUpdateRollback,
		"DetectStackDrift": h.detectStackDrift, "DescribeStackDriftDetectionStatus": h.describeStackDriftDetectionStatus,
		"DescribeStackResourceDrifts": h.describeStackResourceDrifts,
	}
	return h
}

// ServeHTTP implements http.Handler. The router has verified the signature
// and left the body re-readable.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxBodyBytes))
	if err != nil {
		h.writeError(w, r, validationf("%v", err))
		return
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		h.writeError(w, r, awserr.New("MalformedQueryString", "%v", err))
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
		h.writeError(w, r, awserr.New("MissingAction", "The request must contain the parameter Action"))
		return
	case !ok:
		h.writeError(w, r, awserr.New("InvalidAction", "The action %.100s is not valid for this web service.", action))
		return
	}
	result, err := op(r.Context(), awsproto.NewForm(values))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := awsproto.WriteXML(w, envelope{action: action, result: result, requestID: w.Header().Get("X-Amzn-RequestId")}); err != nil {
		h.log.Error("encode response", "request_id", awsproto.RequestID(r.Context()), "err", err)
	}
}

// writeError answers err in CloudFormation's shape; a server fault is
// logged with the request id, the only part of it the client sees.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if ae, ok := awserr.As(err); !ok || ae.Status >= http.StatusInternalServerError {
		if !errors.Is(err, context.Canceled) {
			h.log.Error("request failed", "request_id", awsproto.RequestID(r.Context()), "err", err)
		}
	}
	awsproto.WriteXMLError(w, Namespace, err, "InternalFailure")
}

func validationf(format string, args ...any) error {
	return awserr.Wrap(stack.ErrInvalidInput, stack.CodeValidation, format, args...)
}

// envelope is <ActionResponse xmlns=...><ActionResult>...</ActionResult>
// <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></ActionResponse>;
// operations without output have no Result element.
type envelope struct {
	action    string
	result    any
	requestID string
}

// MarshalXML implements xml.Marshaler.
func (e envelope) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Local: e.action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: Namespace}}}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if e.result != nil {
		if err := enc.EncodeElement(e.result, xml.StartElement{Name: xml.Name{Local: e.action + "Result"}}); err != nil {
			return err
		}
	}
	meta := struct {
		RequestID string `xml:"RequestId"`
	}{e.requestID}
	if err := enc.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	return enc.EncodeToken(start.End())
}
