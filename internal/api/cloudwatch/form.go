package cloudwatch

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// form is a Query request's parameters with the set of every key prefix,
// so that absent lists and structs are told from empty ones cheaply.
type form struct {
	values   url.Values
	prefixes map[string]bool
}

func newForm(v url.Values) *form {
	f := &form{values: v, prefixes: map[string]bool{}}
	for k := range v {
		for i := 0; i < len(k); i++ {
			if k[i] == '.' {
				f.prefixes[k[:i]] = true
			}
		}
	}
	return f
}

// has reports whether key is given or is the prefix of a given key.
func (f *form) has(key string) bool { _, ok := f.values[key]; return ok || f.prefixes[key] }

// decodeForm fills v from the parameters under key, following the Query
// protocol's conventions: struct members as key.Member, list elements as
// key.member.N (N from 1), maps as key.entry.N.key / .value.
func decodeForm(f *form, key string, v reflect.Value) error {
	if !f.has(key) {
		return nil
	}
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := decodeForm(f, key, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	scalar := f.values.Get(key)
	if v.Type() == timeType {
		t, err := parseISO(scalar)
		if err != nil {
			return &decodeError{key, err.Error()}
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	bad := func() error { return &decodeError{key, fmt.Sprintf("cannot read %q as %s", scalar, v.Type())} }
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if fld := v.Type().Field(i); fld.IsExported() {
				if err := decodeForm(f, key+"."+fld.Name, v.Field(i)); err != nil {
					return err
				}
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 0, 0)
		for n := 1; f.has(key + ".member." + strconv.Itoa(n)); n++ {
			if n > 10000 {
				return &decodeError{key, "too many members"}
			}
			el := reflect.New(v.Type().Elem()).Elem()
			if err := decodeForm(f, key+".member."+strconv.Itoa(n), el); err != nil {
				return err
			}
			s = reflect.Append(s, el)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for n := 1; f.has(key + ".entry." + strconv.Itoa(n)); n++ {
			el := reflect.New(v.Type().Elem()).Elem()
			p := key + ".entry." + strconv.Itoa(n)
			if err := decodeForm(f, p+".value", el); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(f.values.Get(p+".key")), el)
		}
		v.Set(m)
	case reflect.Interface:
		v.Set(reflect.ValueOf(scalar))
	case reflect.String:
		v.SetString(scalar)
	case reflect.Bool:
		b, err := strconv.ParseBool(scalar)
		if err != nil {
			return bad()
		}
		v.SetBool(b)
	case reflect.Int:
		n, err := strconv.ParseInt(scalar, 10, 32)
		if err != nil {
			return bad()
		}
		v.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(scalar, 64)
		if err != nil {
			return bad()
		}
		v.SetFloat(n)
	default:
		return bad()
	}
	return nil
}

// writeXML encodes v as the element name, in the Query protocol's shapes.
func writeXML(b *bytes.Buffer, name string, v reflect.Value) {
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		if !t.IsZero() {
			element(b, name, t.UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			writeXML(b, name, v.Elem())
		}
	case reflect.Struct:
		b.WriteString("<" + name + ">")
		for i := 0; i < v.NumField(); i++ {
			if fld := v.Type().Field(i); fld.IsExported() {
				writeXML(b, fld.Name, v.Field(i))
			}
		}
		b.WriteString("</" + name + ">")
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		b.WriteString("<" + name + ">")
		for i := 0; i < v.Len(); i++ {
			writeXML(b, "member", v.Index(i))
		}
		b.WriteString("</" + name + ">")
	case reflect.Map:
		if v.IsNil() {
			return
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		b.WriteString("<" + name + ">")
		for _, k := range keys {
			b.WriteString("<entry>")
			element(b, "key", k.String())
			writeXML(b, "value", v.MapIndex(k))
			b.WriteString("</entry>")
		}
		b.WriteString("</" + name + ">")
	case reflect.String:
		if v.String() != "" {
			element(b, name, v.String())
		}
	case reflect.Float64:
		element(b, name, strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Int:
		element(b, name, strconv.FormatInt(v.Int(), 10))
	case reflect.Bool:
		element(b, name, strconv.FormatBool(v.Bool()))
	}
}

func element(b *bytes.Buffer, name, text string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(text))
	b.WriteString("</" + name + ">")
}

// queryOperation is the Action of a Query request.
func queryOperation(v url.Values) string { return strings.TrimSpace(v.Get("Action")) }
