package awsproto

import (
	"context"
	"io"
	"log/slog"
	"net/http"
)

// JSONOp is one operation of a JSON API: it decodes the request body into
// the operation's input, runs it and returns the answer to encode.
type JSONOp func(ctx context.Context, body []byte) (any, error)

// Op adapts a typed operation: the body decodes into In (SerializationException
// when it does not fit; encoding/json matches the API's member names to the
// input's fields without regard to case, and decodes blobs from base64 into
// []byte), and the output is encoded through wire.
func Op[In, Out any](f func(context.Context, *In) (*Out, error), wire func(*Out) any) JSONOp {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := DecodeJSON(body, in); err != nil {
			return nil, err
		}
		out, err := f(ctx, in)
		if err != nil {
			return nil, err
		}
		return wire(out), nil
	}
}

// NoOutput adapts an operation that answers with an empty object.
func NoOutput[In any](f func(context.Context, *In) error) JSONOp {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := DecodeJSON(body, in); err != nil {
			return nil, err
		}
		return struct{}{}, f(ctx, in)
	}
}

// JSONHandler serves the operations of a JSON API by the X-Amz-Target the
// Router routed on (its body already bounded by MaxBodyBytes): an unknown
// operation is UnknownOperationException, an error is written in the JSON
// error shape, a server fault logged with its request id.
type JSONHandler struct {
	// TargetPrefix is the API's X-Amz-Target prefix.
	TargetPrefix string
	// Ops are the operations by name.
	Ops map[string]JSONOp
	// ServerFault is the code of errors that are the service's fault.
	ServerFault string
	Logger      *slog.Logger
}

// ServeHTTP implements http.Handler.
func (h *JSONHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := JSONOperation(r.Header.Get("X-Amz-Target"), h.TargetPrefix)
	f, ok := h.Ops[name]
	if !ok {
		WriteJSONError(w, ClientError("UnknownOperationException", "Unknown operation %.200s", r.Header.Get("X-Amz-Target")), h.ServerFault)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		WriteJSONError(w, err, h.ServerFault)
		return
	}
	out, err := f(r.Context(), body)
	if err != nil {
		e := AsError(err, h.ServerFault)
		if e.Status >= http.StatusInternalServerError {
			h.logger().Error("operation failed", "op", name, "request_id", RequestID(r.Context()), "err", err)
		}
		WriteJSONError(w, e, h.ServerFault)
		return
	}
	if err := WriteJSON(w, out); err != nil {
		h.logger().Error("encode answer", "op", name, "request_id", RequestID(r.Context()), "err", err)
	}
}

func (h *JSONHandler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}
