package state

import (
	"reflect"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
)

// fill sets every exported field reachable from v, making each pointer,
// slice and map non-empty, so that a copy has something to share.
func fill(v reflect.Value, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, depth+1)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, depth+1)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString("x")
	}
}

// shared reports the first path at which a and b share memory.
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() == 0 {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), path+"[]"); p != "" {
				return p
			}
		}
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if f := a.Type().Field(i); f.IsExported() {
				if p := shared(a.Field(i), b.Field(i), path+"."+f.Name); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

// The caches' copies share nothing a caller could change in place with the
// cached record, whatever fields the records gain.
func TestDeepCopySharesNothing(t *testing.T) {
	var task model.Task
	fill(reflect.ValueOf(&task).Elem(), 0)
	for name, clone := range map[string]func(model.Task) model.Task{"deepCopier": deepCopier[model.Task](), "cloneTask": cloneTask} {
		cp := clone(task)
		if p := shared(reflect.ValueOf(task), reflect.ValueOf(cp), "Task"); p != "" {
			t.Fatalf("%s: a copied task shares %s: copy it", name, p)
		}
		if !reflect.DeepEqual(task, cp) {
			t.Fatalf("%s: the copy differs from the task", name)
		}
	}
	var svc model.Service
	fill(reflect.ValueOf(&svc).Elem(), 0)
	cp := deepCopier[model.Service]()(svc)
	if p := shared(reflect.ValueOf(svc), reflect.ValueOf(cp), "Service"); p != "" {
		t.Fatalf("a copied service shares %s", p)
	}
	if !reflect.DeepEqual(svc, cp) {
		t.Fatal("the copy differs from the original")
	}
}
