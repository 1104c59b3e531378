package state

import (
	"reflect"
	"sync"
)

// copier makes deep copies: copies that share no memory a caller could
// change in place. Every pointer, slice, map and interface reachable through
// exported fields is copied; strings are shared (immutable), and so are
// unexported fields (time.Time's location). The record caches hand out such
// copies, so that they stay right as records gain fields, which a field list
// kept in step with the model would not (a caller changing an attachment's
// details in place raced with a reader of the same cached task).
type copier struct {
	mu   sync.Mutex // protects refs
	refs map[reflect.Type]bool
}

// deepCopier returns a function that deep-copies values of T.
func deepCopier[T any]() func(T) T {
	c := &copier{refs: map[reflect.Type]bool{}}
	return func(v T) T {
		var out T
		c.copyInto(reflect.ValueOf(&out).Elem(), reflect.ValueOf(&v).Elem())
		return out
	}
}

// copyInto sets dst, settable and zero, to a deep copy of src.
func (c *copier) copyInto(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		c.copyInto(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		if c.hasRefs(src.Type().Elem()) {
			for i := range src.Len() {
				c.copyInto(s.Index(i), src.Index(i))
			}
		} else {
			reflect.Copy(s, src)
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			c.copyInto(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Struct:
		dst.Set(src) // every field, unexported ones included, then the references anew
		t := src.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && c.hasRefs(f.Type) {
				df := dst.Field(i)
				df.SetZero()
				c.copyInto(df, src.Field(i))
			}
		}
	case reflect.Array:
		for i := range src.Len() {
			c.copyInto(dst.Index(i), src.Index(i))
		}
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		c.copyInto(v, src.Elem())
		dst.Set(v)
	default:
		dst.Set(src)
	}
}

// hasRefs reports whether values of t hold pointers, slices, maps or
// interfaces in exported fields, i.e. memory a copy would share.
func (c *copier) hasRefs(t reflect.Type) bool {
	c.mu.Lock()
	r, ok := c.refs[t]
	c.mu.Unlock()
	if ok {
		return r
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		r = true
	case reflect.Array:
		r = c.hasRefs(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && c.hasRefs(f.Type) {
				r = true
				break
			}
		}
	}
	c.mu.Lock()
	c.refs[t] = r
	c.mu.Unlock()
	return r
}
