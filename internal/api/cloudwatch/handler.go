// Package cloudwatch is the wire of CloudWatch's API (monitoring,
// 2010-08-01) on Slipway's endpoint. It speaks the three protocols the
// clients here send: JSON 1.0 with X-Amz-Target GraniteServiceVersion20100801.*
// (AWS CLI v1), Smithy RPC v2 CBOR at /service/GraniteServiceVersion20100801/operation/<Op>
// (aws-sdk-go-v2 service/cloudwatch) and the Query protocol with Version
// 2010-08-01 (AWS CLI v2). All three decode into the operations layer's
// inputs (internal/ops/cwops) and encode its outputs; the service is
// awsQueryCompatible, so JSON and CBOR errors carry the model's shape name
// in __type and the Query error code in X-Amzn-Query-Error.
package cloudwatch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
)

// The API's names on the wire.
const (
	// TargetPrefix is the JSON protocol's X-Amz-Target prefix and the RPC v2
	// service name.
	TargetPrefix = "GraniteServiceVersion20100801"
	// Version is the Query protocol's API version.
	Version = "2010-08-01"
	// Namespace is the XML namespace of Query answers.
	Namespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"
	// SigningName is the service of the SigV4 credential scope.
	SigningName = "monitoring"
	// JSONContentType is the JSON 1.0 protocol's content type.
	JSONContentType = "application/x-amz-json-1.0"
	// CBORContentType is the RPC v2 CBOR protocol's content type.
	CBORContentType = "application/cbor"
	// RPCv2Path is the path prefix of RPC v2 requests.
	RPCv2Path = "/service/" + TargetPrefix + "/operation/"
)

// operation is one API operation: a new input and the call.
type operation struct {
	newInput func() any
	call     func(ctx context.Context, in any) (any, error)
}

// op adapts an operation with an output.
func op[I, O any](f func(context.Context, *I) (*O, error)) operation {
	return operation{
		newInput: func() any { return new(I) },
		call: func(ctx context.Context, in any) (any, error) {
			out, err := f(ctx, in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// noOutput adapts an operation that answers nothing.
func noOutput[I any](f func(context.Context, *I) error) operation {
	return op(func(ctx context.Context, in *I) (*struct{}, error) { return &struct{}{}, f(ctx, in) })
}

// emptyResult is the answer of operations whose output shape has no
// members (TagResource): the Query protocol still sends its Result element.
type emptyResult struct{}

// emptyOutput adapts an operation whose output shape is empty.
func emptyOutput[I any](f func(context.Context, *I) error) operation {
	return op(func(ctx context.Context, in *I) (*emptyResult, error) { return &emptyResult{}, f(ctx, in) })
}

// Handler serves CloudWatch's API.
type Handler struct {
	ops    map[string]operation
	logger *slog.Logger
	cbor   struct {
		dec cbor.DecMode
		enc cbor.EncMode
	}
}

// New returns the handler over the operations layer.
func New(svc *cwops.Service, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{logger: logger, ops: map[string]operation{
		"PutMetricAlarm":          noOutput(svc.PutMetricAlarm),
		"DescribeAlarms":          op(svc.DescribeAlarms),
		"DescribeAlarmsForMetric": op(svc.DescribeAlarmsForMetric),
		"DeleteAlarms":            noOutput(svc.DeleteAlarms),
		"SetAlarmState":           noOutput(svc.SetAlarmState),
		"EnableAlarmActions":      noOutput(svc.EnableAlarmActions),
		"DisableAlarmActions":     noOutput(svc.DisableAlarmActions),
		"DescribeAlarmHistory":    op(svc.DescribeAlarmHistory),
		"GetMetricStatistics":     op(svc.GetMetricStatistics),
		"GetMetricData":           op(svc.GetMetricData),
		"ListMetrics":             op(svc.ListMetrics),
		"PutMetricData":           noOutput(svc.PutMetricData),
		"TagResource":             emptyOutput(svc.TagResource),
		"UntagResource":           emptyOutput(svc.UntagResource),
		"ListTagsForResource":     op(svc.ListTagsForResource),
	}}
	var err error
	h.cbor.dec, err = cbor.DecOptions{
		DefaultMapType: reflect.TypeOf(map[string]any{}), MaxNestedLevels: 32,
		MaxArrayElements: 100_000, MaxMapPairs: 100_000, DupMapKey: cbor.DupMapKeyEnforcedAPF,
	}.DecMode()
	if err != nil {
		panic(err) // static options
	}
	h.cbor.enc, err = cbor.EncOptions{Time: cbor.TimeUnixDynamic, TimeTag: cbor.EncTagRequired}.EncMode()
	if err != nil {
		panic(err)
	}
	return h
}

// protocol is one of the three wire protocols.
type protocol int

const (
	protoJSON protocol = iota
	protoCBOR
	protoQuery
)

// ServeHTTP implements http.Handler. The Router has checked the request's
// shape, size and signature; the protocol is told by the same shape.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		h.writeError(w, protoOf(r), "", err)
		return
	}
	switch p := protoOf(r); p {
	case protoCBOR:
		name := strings.TrimPrefix(r.URL.Path, RPCv2Path)
		var tree any
		if len(body) > 0 {
			if err := h.cbor.dec.Unmarshal(body, &tree); err != nil {
				h.writeError(w, p, name, awserr.New("SerializationException", "the request body is not valid CBOR: %v", err))
				return
			}
		}
		h.serve(w, r, p, name, func(in any) error { return assign(tree, reflect.ValueOf(in).Elem(), name) })
	case protoJSON:
		name := awsproto.JSONOperation(r.Header.Get("X-Amz-Target"), TargetPrefix)
		var tree any
		if len(bytes.TrimSpace(body)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if err := dec.Decode(&tree); err != nil {
				h.writeError(w, p, name, awserr.New("SerializationException", "the request body is not valid JSON: %v", err))
				return
			}
		}
		h.serve(w, r, p, name, func(in any) error { return assign(tree, reflect.ValueOf(in).Elem(), name) })
	default:
		values, err := url.ParseQuery(string(body))
		if err != nil {
			h.writeError(w, p, "", awserr.New("MalformedQueryString", "%v", err))
			return
		}
		for k, v := range r.URL.Query() {
			if _, ok := values[k]; !ok {
				values[k] = v
			}
		}
		f := newForm(values)
		h.serve(w, r, p, queryOperation(values), func(in any) error {
			v := reflect.ValueOf(in).Elem()
			for i := 0; i < v.NumField(); i++ {
				if err := decodeForm(f, v.Type().Field(i).Name, v.Field(i)); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

func protoOf(r *http.Request) protocol {
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		return protoJSON
	case strings.HasPrefix(r.URL.Path, RPCv2Path) && r.Header.Get("Smithy-Protocol") != "":
		return protoCBOR
	default:
		return protoQuery
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, p protocol, name string, decode func(any) error) {
	o, ok := h.ops[name]
	if !ok {
		code := "UnknownOperationException"
		if p == protoQuery {
			code = "InvalidAction"
		}
		h.writeError(w, p, name, awserr.New(code, "Slipway's CloudWatch does not serve the operation %.100q.", name))
		return
	}
	in := o.newInput()
	if err := decode(in); err != nil {
		var de *decodeError
		if errors.As(err, &de) {
			err = awserr.New(cwops.CodeValidation, "1 validation error detected: the value at '%s' is not of the member's type: %s", de.path, de.msg)
		}
		h.writeError(w, p, name, err)
		return
	}
	out, err := o.call(r.Context(), in)
	if err != nil {
		h.writeError(w, p, name, err)
		return
	}
	h.writeOutput(w, p, name, out)
}

func (h *Handler) writeOutput(w http.ResponseWriter, p protocol, name string, out any) {
	v := reflect.ValueOf(out).Elem()
	switch p {
	case protoQuery:
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		b.WriteString("<" + name + `Response xmlns="` + Namespace + `">`)
		if v.Type() != reflect.TypeOf(struct{}{}) {
			writeXML(&b, name+"Result", v)
		}
		b.WriteString("<ResponseMetadata>")
		element(&b, "RequestId", w.Header().Get("X-Amzn-RequestId"))
		b.WriteString("</ResponseMetadata></" + name + "Response>")
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b.Bytes())
	case protoCBOR:
		tree, _ := toTree(v, func(t time.Time) any { return t })
		body, err := h.cbor.enc.Marshal(tree)
		if err != nil {
			h.writeError(w, p, name, err)
			return
		}
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", CBORContentType)
		// A declared length, not chunks: the SDK's RPC v2 client reads the
		// body from a pooled buffer and fails on chunked answers it has not
		// finished reading.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	default:
		tree, _ := toTree(v, epochSeconds)
		body, err := json.Marshal(tree)
		if err != nil {
			h.writeError(w, p, name, err)
			return
		}
		w.Header().Set("Content-Type", JSONContentType)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
}

// writeError answers err in the protocol's error shape. Errors that are
// not *awserr.Error are logged and answered as InternalServiceError
// without their text.
func (h *Handler) writeError(w http.ResponseWriter, p protocol, name string, err error) {
	e, ok := awserr.As(err)
	if !ok || e.Status >= 500 {
		h.logger.Error("cloudwatch operation failed", "operation", name, "err", err)
		e = &awserr.Error{Code: "InternalServiceError", Message: "Internal service error.", Status: http.StatusInternalServerError}
	}
	if p == protoQuery {
		awsproto.WriteXMLError(w, Namespace, e, "InternalServiceError")
		return
	}
	fault := "Sender"
	if !e.Sender {
		fault = "Receiver"
	}
	shape := e.Code
	if s, ok := cwops.ShapeNames[e.Code]; ok {
		shape = s
	}
	if e.Code == "InternalServiceError" {
		shape = "InternalServiceFault"
	}
	w.Header().Set("X-Amzn-Query-Error", e.Code+";"+fault)
	msg := map[string]any{"__type": shape, "message": e.Message}
	if p == protoCBOR {
		body, _ := h.cbor.enc.Marshal(msg)
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", CBORContentType)
		w.WriteHeader(e.Status)
		_, _ = w.Write(body)
		return
	}
	body, _ := json.Marshal(msg)
	w.Header().Set("Content-Type", JSONContentType)
	w.Header().Set("X-Amzn-ErrorType", shape)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// readBody reads the request body, gunzipping it when the client compressed
// it (the SDKs compress PutMetricData), within MaxBodyBytes either way.
func readBody(r *http.Request) ([]byte, error) {
	var src io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, awserr.New("SerializationException", "the request body is not valid gzip: %v", err)
		}
		defer zr.Close()
		src = zr
	default:
		return nil, awserr.New("SerializationException", "unsupported Content-Encoding %.40q", enc)
	}
	body, err := io.ReadAll(io.LimitReader(src, awsproto.MaxBodyBytes+1))
	if err != nil {
		return nil, awserr.New("SerializationException", "the request body cannot be read: %v", err)
	}
	if len(body) > awsproto.MaxBodyBytes {
		return nil, awserr.New("SerializationException", "the request body is larger than %d bytes", awsproto.MaxBodyBytes)
	}
	return body, nil
}
