// Package logs serves the Amazon CloudWatch Logs API (JSON 1.1, target prefix
// Logs_20140328) over the typed operations of package logsops: it decodes each
// request into the operation's input, calls it, and encodes the output or the
// *awserr.Error in CloudWatch's JSON shapes. It holds no logic of its own.
package logs

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
)

// TargetPrefix is the X-Amz-Target prefix of CloudWatch Logs operations;
// SigningName is the service its requests are signed for. Register the handler
// with router.HandleJSON(awsproto.JSONAPI{TargetPrefix: logs.TargetPrefix,
// SigningName: logs.SigningName}, handler).
const (
	TargetPrefix = "Logs_20140328"
	SigningName  = "logs"
)

// serverFault is the code of errors that are the service's fault.
const serverFault = "ServiceUnavailableException"

type opFunc func(ctx context.Context, body []byte) (any, error)

// Handler serves CloudWatch Logs operations.
type Handler struct {
	ops    map[string]opFunc
	logger *slog.Logger
}

// New returns the handler over the operations svc.
func New(svc *logsops.Service, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{logger: logger}
	h.ops = map[string]opFunc{
		"CreateLogGroup":        noOutput(svc.CreateLogGroup),
		"DescribeLogGroups":     op(svc.DescribeLogGroups, describeLogGroupsOut),
		"DeleteLogGroup":        noOutput(svc.DeleteLogGroup),
		"PutRetentionPolicy":    noOutput(svc.PutRetentionPolicy),
		"DeleteRetentionPolicy": noOutput(svc.DeleteRetentionPolicy),
		"CreateLogStream":       noOutput(svc.CreateLogStream),
		"DeleteLogStream":       noOutput(svc.DeleteLogStream),
		"DescribeLogStreams":    op(svc.DescribeLogStreams, describeLogStreamsOut),
		"PutLogEvents":          op(svc.PutLogEvents, putLogEventsOut),
		"GetLogEvents":          op(svc.GetLogEvents, getLogEventsOut),
		"FilterLogEvents":       op(svc.FilterLogEvents, filterLogEventsOut),
		"TagResource":           noOutput(svc.TagResource),
		"UntagResource":         noOutput(svc.UntagResource),
		"ListTagsForResource":   op(svc.ListTagsForResource, func(o *logsops.ListTagsForResourceOutput) any { return tagsOut{o.Tags} }),
		"TagLogGroup":           noOutput(svc.TagLogGroup),
		"UntagLogGroup":         noOutput(svc.UntagLogGroup),
		"ListTagsLogGroup":      op(svc.ListTagsLogGroup, func(o *logsops.ListTagsLogGroupOutput) any { return tagsOut{o.Tags} }),
	}
	return h
}

// op adapts a typed operation: the body decodes into In (SerializationException
// when it does not fit), and the output is encoded through wire. The inputs'
// field names are the API's member names, which encoding/json matches without
// regard to case.
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

// noOutput adapts an operation that answers with an empty object.
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
			h.logger.Error("operation failed", "op", name, "err", err)
		}
		awsproto.WriteJSONError(w, e, serverFault)
		return
	}
	awsproto.WriteJSON(w, out)
}
