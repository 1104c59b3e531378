// Package acm serves the AWS Certificate Manager API (JSON 1.1, target prefix
// CertificateManager, signed for "acm") over the typed operations of package
// acmops: it decodes each request into the operation's input, calls it, and
// encodes the output or the *awserr.Error in ACM's JSON shapes. It holds no
// logic of its own.
package acm

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/acmops"
)

// TargetPrefix is the X-Amz-Target prefix of ACM operations; SigningName is
// the service its requests are signed for. Register the handler with
// router.HandleJSON(awsproto.JSONAPI{TargetPrefix: acm.TargetPrefix,
// SigningName: acm.SigningName}, handler).
const (
	TargetPrefix = "CertificateManager"
	SigningName  = "acm"
)

// serverFault is the code of errors that are the service's fault.
const serverFault = "InternalFailure"

type opFunc func(ctx context.Context, body []byte) (any, error)

// Handler serves ACM operations.
type Handler struct {
	ops    map[string]opFunc
	logger *slog.Logger
}

// New returns the handler over the operations svc.
func New(svc *acmops.Service, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{logger: logger}
	h.ops = map[string]opFunc{
		"ImportCertificate":         op(svc.ImportCertificate, func(o *acmops.ImportCertificateOutput) any { return arnOut{o.CertificateArn} }),
		"RequestCertificate":        op(svc.RequestCertificate, func(o *acmops.RequestCertificateOutput) any { return arnOut{o.CertificateArn} }),
		"DescribeCertificate":       op(svc.DescribeCertificate, describeOut),
		"ListCertificates":          op(svc.ListCertificates, listOut),
		"GetCertificate":            op(svc.GetCertificate, getOut),
		"DeleteCertificate":         noOutput(svc.DeleteCertificate),
		"AddTagsToCertificate":      noOutput(svc.AddTagsToCertificate),
		"RemoveTagsFromCertificate": noOutput(svc.RemoveTagsFromCertificate),
		"ListTagsForCertificate":    op(svc.ListTagsForCertificate, tagsOut),
		"ExportCertificate":         op(svc.ExportCertificate, exportOut),
	}
	return h
}

// op adapts a typed operation: the body decodes into In (SerializationException
// when it does not fit; blobs arrive base64-encoded, as encoding/json decodes
// []byte), and the output is encoded through wire. The inputs' field names
// are the API's member names, which encoding/json matches without regard to
// case.
func op[In, Out any](f func(context.Context, *In) (*Out, error), wire func(*Out) any) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := awsproto.DecodeJSON(body, in); err != nil {
			return nil, err
		}
		out, err := f(ctx, in)
		if err != nil {
			return nil, err
		}
		return wire(out), nil
	}
}

// noOutput adapts an operation that answers with an empty body.
func noOutput[In any](f func(context.Context, *In) error) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := awsproto.DecodeJSON(body, in); err != nil {
			return nil, err
		}
		return struct{}{}, f(ctx, in)
	}
}

// ServeHTTP implements http.Handler for requests the Router sent here.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := awsproto.JSONOperation(r.Header.Get("X-Amz-Target"), TargetPrefix)
	f, ok := h.ops[name]
	if !ok {
		awsproto.WriteJSONError(w, awsproto.ClientError("UnknownOperationException",
			"Unknown operation %.200s", r.Header.Get("X-Amz-Target")), serverFault)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		awsproto.WriteJSONError(w, err, serverFault)
		return
	}
	out, err := f(r.Context(), body)
	if err != nil {
		e := awsproto.AsError(err, serverFault)
		if e.Status >= 500 {
			h.logger.Error("operation failed", "op", name, "request_id", awsproto.RequestID(r.Context()), "err", err)
		}
		awsproto.WriteJSONError(w, e, serverFault)
		return
	}
	if err := awsproto.WriteJSON(w, out); err != nil {
		h.logger.Error("encode answer", "op", name, "err", err)
	}
}
