package cli

import (
	"reflect"
	"time"
	"unicode"
	"unicode/utf8"
)

// memberNames maps an SDK field name to the member name its service sends:
// the SDK's field names are the model's member names with the first letter
// upper-cased, so ECS's (camelCase) get it lowered back, and the Query
// services' (PascalCase: ELBv2, CloudFormation) are the field names.
type memberNames func(goName string) string

// ecsMembers names ECS's members.
func ecsMembers(goName string) string {
	r, n := utf8.DecodeRuneInString(goName)
	return string(unicode.ToLower(r)) + goName[n:]
}

// queryMembers names the Query services' members.
func queryMembers(goName string) string { return goName }

// cliTimeFormat is how the AWS CLI (v2, and v1 with
// cli_timestamp_format iso8601) prints timestamps: ISO 8601 in local time,
// microseconds and the offset.
const cliTimeFormat = "2006-01-02T15:04:05.000000-07:00"

var timeType = reflect.TypeOf(time.Time{})

// awsJSON turns an SDK value into what the AWS CLI prints for it with
// --output json: the service's member names, members the service did not
// send (nil pointers, slices and maps, empty enums) left out, enums as
// their strings and times as the CLI prints them. Encode the result with
// encoding/json.
func awsJSON(v any, names memberNames) any {
	out, _ := convert(reflect.ValueOf(v), names)
	return out
}

// convert returns the JSON form of v, and false when v is a member the
// service did not send.
func convert(v reflect.Value, names memberNames) (any, bool) {
	if !v.IsValid() {
		return nil, false
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return convert(v.Elem(), names)
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface().(time.Time).Local().Format(cliTimeFormat), true
		}
		return convertStruct(v, names), true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		if v.Type().Elem().Kind() == reflect.Uint8 { // blobs travel base64, as encoding/json writes them
			return v.Interface(), true
		}
		list := make([]any, 0, v.Len())
		for i := range v.Len() {
			if e, ok := convert(v.Index(i), names); ok {
				list = append(list, e)
			}
		}
		return list, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		m := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			if e, ok := convert(iter.Value(), names); ok {
				m[iter.Key().String()] = e
			}
		}
		return m, true
	case reflect.String:
		if v.Type() != reflect.TypeOf("") && v.String() == "" {
			return nil, false // an enum the service did not send
		}
		return v.String(), true
	default:
		return v.Interface(), true
	}
}

// convertStruct converts an SDK shape: every exported field but the
// operation's metadata, under its member name.
func convertStruct(v reflect.Value, names memberNames) map[string]any {
	t := v.Type()
	out := make(map[string]any, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k, e := range convertStruct(v.Field(i), names) {
				out[k] = e
			}
			continue
		}
		if e, ok := convert(v.Field(i), names); ok {
			out[names(f.Name)] = e
		}
	}
	return out
}
