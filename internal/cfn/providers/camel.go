package providers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

// apiNames are the CloudFormation property names whose API member name is
// not the property name with its first letter lowered.
var apiNames = map[string]string{
	"EFSVolumeConfiguration":                  "efsVolumeConfiguration",
	"FSxWindowsFileServerVolumeConfiguration": "fsxWindowsFileServerVolumeConfiguration",
	"ProxyConfigurationProperties":            "properties",
	"PlacementStrategies":                     "placementStrategy",
	"ClusterSettings":                         "settings",
}

// verbatim are the properties whose value is a map of the user's own keys
// (log driver options, Docker labels), kept as written.
var verbatim = map[string]bool{"Options": true, "DockerLabels": true, "DriverOpts": true, "Labels": true}

// apiDocument turns resolved template properties into the API's JSON
// document: member names in the API's camel case (see apiNames), values as
// they are.
func apiDocument(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			name, ok := apiNames[k]
			if !ok {
				name = lowerFirst(k)
			}
			if verbatim[k] {
				out[name] = item
				continue
			}
			out[name] = apiDocument(item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = apiDocument(item)
		}
		return out
	}
	return v
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// decodeAPI decodes an API document into out (a struct with json tags),
// coercing as CloudFormation does the strings a template gives where the
// API takes a number or a boolean (a Number parameter's Ref is "80"): each
// type error names the member's path, whose strings are converted and the
// decoding tried again. With strict, a member out has no field for is
// refused.
func decodeAPI(doc map[string]any, out any, strict bool) error {
	for range 64 {
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		if strict {
			dec.DisallowUnknownFields()
		}
		err = dec.Decode(out)
		var te *json.UnmarshalTypeError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &te) && te.Value == "string" && coerce(doc, strings.Split(te.Field, "."), te.Type.Kind().String()):
			continue
		case errors.As(err, &te):
			return fmt.Errorf("%w: %s: expected type %s", stack.ErrUnsupported, te.Field, te.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return fmt.Errorf("%w: Slipway does not support the property %s", stack.ErrUnsupported, strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return fmt.Errorf("%w: %v", stack.ErrUnsupported, err)
	}
	return fmt.Errorf("%w: too many values to convert", stack.ErrUnsupported)
}

// coerce converts the strings at path (through every item of the lists on
// the way) to kind; it reports whether it converted any.
func coerce(v any, path []string, kind string) bool {
	switch x := v.(type) {
	case []any:
		changed := false
		for _, item := range x {
			changed = coerce(item, path, kind) || changed
		}
		return changed
	case map[string]any:
		if len(path) == 0 {
			return false
		}
		item, ok := x[path[0]]
		if !ok {
			return false
		}
		if len(path) > 1 {
			return coerce(item, path[1:], kind)
		}
		if list, ok := item.([]any); ok {
			changed := false
			for i, s := range list {
				if c, ok := convert(s, kind); ok {
					list[i], changed = c, true
				}
			}
			return changed
		}
		c, ok := convert(item, kind)
		if ok {
			x[path[0]] = c
		}
		return ok
	}
	return false
}

func convert(v any, kind string) (any, bool) {
	s, ok := v.(string)
	if !ok {
		return nil, false
	}
	switch kind {
	case "bool":
		b, err := strconv.ParseBool(s)
		return b, err == nil
	case "int", "int64", "int32", "float64", "float32", "uint", "uint64", "uint32":
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return nil, false
		}
		return json.Number(s), true
	}
	return nil, false
}
