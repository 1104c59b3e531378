package cloudwatch

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
)

// The operations layer's inputs and outputs are CloudWatch's shapes with
// the members' names as Go field names, so one reflective codec serves the
// three protocols: a request body is decoded into a tree (JSON and CBOR
// into maps, slices and scalars; the Query protocol's form straight into
// the struct, see form.go) and assigned to the input; the output is turned
// into a tree whose timestamps are what the protocol wants.

var timeType = reflect.TypeOf(time.Time{})

// decodeError is a body member of the wrong type.
type decodeError struct {
	path string
	msg  string
}

func (e *decodeError) Error() string { return fmt.Sprintf("%s: %s", e.path, e.msg) }

// assign stores tree into v (settable), matching map keys to field names.
// Members the shape does not have are ignored, as AWS services ignore them.
func assign(tree any, v reflect.Value, path string) error {
	if tree == nil {
		return nil
	}
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := assign(tree, p.Elem(), path); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	if v.Type() == timeType {
		t, err := treeTime(tree)
		if err != nil {
			return &decodeError{path, err.Error()}
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	bad := func() error { return &decodeError{path, fmt.Sprintf("expected %s, got %T", v.Type(), tree)} }
	switch v.Kind() {
	case reflect.Interface:
		v.Set(reflect.ValueOf(tree))
	case reflect.Struct:
		m, ok := tree.(map[string]any)
		if !ok {
			return bad()
		}
		for k, sub := range m {
			f, ok := v.Type().FieldByName(k)
			if !ok || !f.IsExported() {
				continue
			}
			if err := assign(sub, v.FieldByIndex(f.Index), path+"."+k); err != nil {
				return err
			}
		}
	case reflect.Slice:
		list, ok := tree.([]any)
		if !ok {
			return bad()
		}
		s := reflect.MakeSlice(v.Type(), len(list), len(list))
		for i, el := range list {
			if err := assign(el, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		m, ok := tree.(map[string]any)
		if !ok {
			return bad()
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		for k, sub := range m {
			el := reflect.New(v.Type().Elem()).Elem()
			if err := assign(sub, el, path+"."+k); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k), el)
		}
		v.Set(out)
	case reflect.String:
		s, ok := tree.(string)
		if !ok {
			return bad()
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := tree.(bool)
		if !ok {
			return bad()
		}
		v.SetBool(b)
	case reflect.Int:
		f, ok := treeNumber(tree)
		if !ok || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
			return bad()
		}
		v.SetInt(int64(f))
	case reflect.Float64:
		f, ok := treeNumber(tree)
		if !ok {
			return bad()
		}
		v.SetFloat(f)
	default:
		return bad()
	}
	return nil
}

// treeNumber reads a number of any of the trees' kinds. AWS's JSON sends
// NaN and Infinity as strings; they are returned as such for validation.
func treeNumber(tree any) (float64, bool) {
	switch n := tree.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case string:
		switch n {
		case "NaN":
			return math.NaN(), true
		case "Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		}
	}
	return 0, false
}

// treeTime reads a timestamp: epoch seconds (JSON, CBOR without tag), a
// CBOR tag-1 time, or an ISO 8601 string.
func treeTime(tree any) (time.Time, error) {
	switch t := tree.(type) {
	case time.Time:
		return t, nil
	case string:
		return parseISO(t)
	}
	f, ok := treeNumber(tree)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, fmt.Errorf("expected a timestamp, got %v", tree)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// parseISO parses the ISO 8601 forms AWS clients send.
func parseISO(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return treeTime(f)
	}
	return time.Time{}, fmt.Errorf("expected a timestamp, got %q", s)
}

// toTree turns an output into a tree for JSON or CBOR; stamp converts each
// timestamp. Empty strings, nil slices, maps and pointers and zero times
// are left out, as AWS leaves out members it does not set.
func toTree(v reflect.Value, stamp func(time.Time) any) (any, bool) {
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		return stamp(t), !t.IsZero()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return toTree(v.Elem(), stamp)
	case reflect.Struct:
		m := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			if sub, ok := toTree(v.Field(i), stamp); ok {
				m[v.Type().Field(i).Name] = sub
			}
		}
		return m, true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		list := make([]any, v.Len())
		for i := range list {
			list[i], _ = toTree(v.Index(i), stamp)
		}
		return list, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		m := map[string]any{}
		for _, k := range v.MapKeys() {
			m[k.String()], _ = toTree(v.MapIndex(k), stamp)
		}
		return m, true
	case reflect.String:
		return v.String(), v.String() != ""
	case reflect.Float64:
		return v.Float(), true
	case reflect.Int:
		return v.Int(), true
	case reflect.Bool:
		return v.Bool(), true
	}
	return nil, false
}

// epochSeconds is a timestamp as the JSON protocol sends it.
func epochSeconds(t time.Time) any { return float64(t.UnixMilli()) / 1000 }
