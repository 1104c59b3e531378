package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Limits on what Parse reads. CloudFormation accepts a TemplateBody of up to
// 51,200 bytes and a template fetched from TemplateURL of up to 1 MB; the API
// layer enforces the smaller one for bodies, Parse the larger for both.
const (
	// MaxTemplateBodyBytes is CloudFormation's quota for TemplateBody.
	MaxTemplateBodyBytes = 51200
	// MaxTemplateBytes is CloudFormation's quota for a template at a URL.
	MaxTemplateBytes = 1 << 20
	// MaxDepth bounds the nesting of maps and lists, so that no input can make
	// the recursive decoder and evaluator exhaust the stack.
	MaxDepth = 100
)

// Format is how a template was written.
type Format string

// The template formats.
const (
	FormatJSON Format = "JSON"
	FormatYAML Format = "YAML"
)

// document is a decoded template: the root map, and the declaration order of
// the keys of each top-level section (which CloudFormation keeps for
// parameters and outputs when it lists them).
type document struct {
	root   map[string]any
	order  map[string][]string
	format Format
}

// decode reads a template body. CloudFormation takes a body whose first
// non-blank character is '{' as JSON and anything else as YAML.
func decode(body []byte) (*document, error) {
	if len(body) > MaxTemplateBytes {
		return nil, formatErr("template size %d bytes exceeds the maximum allowed size of %d bytes", len(body), MaxTemplateBytes)
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return decodeJSON(body)
	}
	return decodeYAML(body)
}

// jsonDecoder turns a JSON document into plain values, keeping numbers as
// json.Number and refusing duplicate keys (which would otherwise silently drop
// one of two declarations).
type jsonDecoder struct {
	dec   *json.Decoder
	body  []byte
	order map[string][]string
}

func decodeJSON(body []byte) (*document, error) {
	d := &jsonDecoder{dec: json.NewDecoder(bytes.NewReader(body)), body: body, order: map[string][]string{}}
	d.dec.UseNumber()
	v, err := d.value(0, "")
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, d.malformed(d.dec.InputOffset())
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, d.malformed(0)
	}
	return &document{root: root, order: d.order, format: FormatJSON}, nil
}

// malformed is CloudFormation's message for JSON it cannot read (with its two
// spaces before "column").
func (d *jsonDecoder) malformed(offset int64) error {
	line, col := 1, 1
	for _, c := range d.body[:min(int(offset), len(d.body))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return formatErr("JSON not well-formed. (line %d,  column %d)", line, col)
}

func (d *jsonDecoder) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return d.malformed(se.Offset)
	}
	return d.malformed(d.dec.InputOffset())
}

// value decodes one value; section is the top-level key it is under, when
// depth is 1, so that its keys' order is kept.
func (d *jsonDecoder) value(depth int, section string) (any, error) {
	if depth > MaxDepth {
		return nil, formatErr("the template is nested more than %d levels deep", MaxDepth)
	}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntax(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return d.object(depth, section)
		}
		if t == '[' {
			return d.array(depth)
		}
		return nil, d.malformed(d.dec.InputOffset())
	default:
		return t, nil // string, json.Number, bool or nil
	}
}

func (d *jsonDecoder) object(depth int, section string) (any, error) {
	m := map[string]any{}
	for d.dec.More() {
		offset := d.dec.InputOffset()
		tok, err := d.dec.Token()
		if err != nil {
			return nil, d.syntax(err)
		}
		key, _ := tok.(string)
		if _, dup := m[key]; dup {
			return nil, d.malformed(offset)
		}
		if depth == 1 {
			d.order[section] = append(d.order[section], key)
		}
		v, err := d.value(depth+1, key)
		if err != nil {
			return nil, err
		}
		m[key] = v
	}
	if _, err := d.dec.Token(); err != nil {
		return nil, d.syntax(err)
	}
	return m, nil
}

func (d *jsonDecoder) array(depth int) (any, error) {
	l := []any{}
	for d.dec.More() {
		v, err := d.value(depth+1, "")
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
	if _, err := d.dec.Token(); err != nil {
		return nil, d.syntax(err)
	}
	return l, nil
}

// numberString renders an integer or float as a json.Number.
func numberString(v any) json.Number {
	switch n := v.(type) {
	case int64:
		return json.Number(strconv.FormatInt(n, 10))
	case uint64:
		return json.Number(strconv.FormatUint(n, 10))
	case float64:
		return json.Number(strconv.FormatFloat(n, 'f', -1, 64))
	}
	return json.Number(fmt.Sprint(v))
}
