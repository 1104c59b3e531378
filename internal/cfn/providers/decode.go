// Package providers are CloudFormation's resource providers for the types
// Slipway runs: each turns a resource's resolved properties into the typed
// operations of its API's operations layer (internal/ops/...) and reports
// the physical id and attributes CloudFormation would. The stack engine
// (internal/cfn/stack) defines the Provider interface they implement;
// internal/server wires them to the running operations layers.
package providers

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

// decode fills out (a pointer to a struct) from resolved template
// properties. Field names match property names (a `cfn:"Name"` tag
// renames); values are coerced as CloudFormation coerces them (a Number
// parameter's Ref is the string "80", booleans may be "true"). A property
// the struct has no field for is refused, never ignored.
func decode(props map[string]any, out any) error {
	return decodeValue("", props, reflect.ValueOf(out).Elem())
}

func unsupported(path, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", stack.ErrUnsupported, strings.TrimPrefix(path, "/"), fmt.Sprintf(format, args...))
}

func decodeValue(path string, v any, dst reflect.Value) error {
	if v == nil {
		return nil
	}
	switch dst.Kind() {
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := decodeValue(path, v, p.Elem()); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Interface:
		dst.Set(reflect.ValueOf(v))
		return nil
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return unsupported(path, "expected an object")
		}
		return decodeStruct(path, m, dst)
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return unsupported(path, "expected a list")
		}
		s := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, item := range list {
			if err := decodeValue(path+"/"+strconv.Itoa(i), item, s.Index(i)); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return unsupported(path, "expected an object")
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(m))
		for k, item := range m {
			ev := reflect.New(dst.Type().Elem()).Elem()
			if err := decodeValue(path+"/"+k, item, ev); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		dst.Set(out)
		return nil
	}
	s, ok := scalarText(v)
	if !ok {
		return unsupported(path, "expected a scalar value")
	}
	switch dst.Kind() {
	case reflect.String:
		dst.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return unsupported(path, "expected a boolean, found %q", s)
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return unsupported(path, "expected an integer, found %q", s)
		}
		dst.SetInt(n)
	case reflect.Float64, reflect.Float32:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return unsupported(path, "expected a number, found %q", s)
		}
		dst.SetFloat(f)
	default:
		return unsupported(path, "cannot be decoded into %s", dst.Type())
	}
	return nil
}

func decodeStruct(path string, m map[string]any, dst reflect.Value) error {
	t := dst.Type()
	fields := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag := f.Tag.Get("cfn"); tag != "" {
			if tag == "-" {
				continue
			}
			name = tag
		}
		fields[strings.ToLower(name)] = i
	}
	for k, v := range m {
		i, ok := fields[strings.ToLower(k)]
		if !ok {
			return unsupported(path+"/"+k, "Slipway does not support this property")
		}
		if err := decodeValue(path+"/"+k, v, dst.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// tag is a CloudFormation resource tag.
type tag struct{ Key, Value string }

func tagMap(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// tagDiff lists the tags to set and the keys to remove going from a to b.
func tagDiff(a, b map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range b {
		if old, ok := a[k]; !ok || old != v {
			set[k] = v
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			remove = append(remove, k)
		}
	}
	return set, remove
}
