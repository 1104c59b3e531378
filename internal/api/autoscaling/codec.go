package autoscaling

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
)

var timeType = reflect.TypeOf(time.Time{})

// encode turns an operation's output into the JSON 1.1 tree the service
// sends: members by their Go field names (the model's), nil pointers, nil
// slices and maps and empty strings left out, timestamps as epoch seconds.
func encode(v any) any { return encodeValue(reflect.ValueOf(v)) }

func encodeValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return encodeValue(v.Elem())
	}
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		return math.Round(float64(t.UnixNano())/1e6) / 1e3
	}
	switch v.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			fv := v.Field(i)
			if !f.IsExported() || omitted(fv) {
				continue
			}
			out[f.Name] = encodeValue(fv)
		}
		return out
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = encodeValue(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

func omitted(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

// epoch is a JSON 1.1 timestamp in a request: seconds since the epoch.
type epoch struct{ t time.Time }

func (e *epoch) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf(e.t), Field: "timestamp"}
	}
	sec, frac := math.Modf(f)
	e.t = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return nil
}

func (e *epoch) time() *time.Time {
	if e == nil {
		return nil
	}
	return &e.t
}

// putScheduledAction decodes PutScheduledAction, whose StartTime and
// EndTime are timestamps.
func putScheduledAction(f func(context.Context, *aasops.PutScheduledActionInput) error) awsproto.JSONOp {
	return func(ctx context.Context, body []byte) (any, error) {
		var in struct {
			aasops.PutScheduledActionInput
			// The outer fields win over the embedded ones of the same name.
			StartTime *epoch
			EndTime   *epoch
		}
		if err := awsproto.DecodeJSON(body, &in); err != nil {
			return nil, err
		}
		in.PutScheduledActionInput.StartTime = in.StartTime.time()
		in.PutScheduledActionInput.EndTime = in.EndTime.time()
		if err := f(ctx, &in.PutScheduledActionInput); err != nil {
			return nil, fmt.Errorf("PutScheduledAction: %w", err)
		}
		return struct{}{}, nil
	}
}
