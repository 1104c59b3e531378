package template

import (
	"os"
	"path/filepath"
	"testing"
)

// allResolver knows every resource, so that evaluation runs to the end.
type allResolver struct{}

func (allResolver) Ref(id string) (any, bool)       { return "id-" + id, true }
func (allResolver) GetAtt(id, a string) (any, bool) { return []any{id, a}, true }

// FuzzParse feeds arbitrary bodies through everything CreateStack would run
// on them: parsing, the dependency graph, parameters and conditions, and the
// resolution of every resource's properties and every output. Nothing may
// panic or loop; errors are fine.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/corpus/*.*", "testdata/corpus/*/*.yml", "testdata/errors/*"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"Resources":{"A":{"Type":"T","Properties":{"P":{"Fn::Sub":"${A.B}"}}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tpl, err := Parse(body)
		if err != nil {
			return
		}
		if _, err := tpl.StaticGraph(); err != nil {
			t.Fatalf("Parse accepted a template whose graph fails: %v", err)
		}
		tpl.Summarize()
		ev, err := NewEvaluator(tpl, Inputs{Pseudo: testPseudo})
		if err != nil {
			return
		}
		if _, err := ev.Graph(); err != nil {
			t.Fatalf("evaluated graph of an acyclic template: %v", err)
		}
		for _, id := range ev.ActiveResources() {
			_, _ = ev.Properties(id, allResolver{})
			_, _ = ev.PreviewProperties(id, nil)
			_, _, _ = ev.Policies(id)
		}
		_, _ = ev.Outputs(allResolver{})
	})
}
