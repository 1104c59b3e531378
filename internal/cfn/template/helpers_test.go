package template

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// mapResolver resolves Ref and Fn::GetAtt from maps; what is absent is "not
// created yet".
type mapResolver struct {
	refs map[string]any
	atts map[string]any // "Res.Attr" → value
}

func (m mapResolver) Ref(id string) (any, bool) { v, ok := m.refs[id]; return v, ok }

func (m mapResolver) GetAtt(id, attr string) (any, bool) {
	v, ok := m.atts[id+"."+attr]
	return v, ok
}

type exportMap map[string]string

func (e exportMap) Export(name string) (string, bool) { v, ok := e[name]; return v, ok }

var testPseudo = Pseudo{
	AccountID: "123456789012", Region: "eu-central-1", StackName: "teststack",
	StackID:   "arn:aws:cloudformation:eu-central-1:123456789012:stack/teststack/6a1b2c3d-0000-4000-8000-000000000000",
	Partition: "aws", URLSuffix: "amazonaws.com",
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, body string) *Template {
	t.Helper()
	tpl, err := Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return tpl
}

func mustEval(t testing.TB, tpl *Template, params map[string]string) *Evaluator {
	t.Helper()
	ev, err := NewEvaluator(tpl, Inputs{Parameters: params, Pseudo: testPseudo})
	if err != nil {
		t.Fatalf("NewEvaluator: %v", err)
	}
	return ev
}

// wantErr checks that err is a ValidationError-shaped *awserr.Error of the
// given class whose message contains want.
func wantErr(t testing.TB, err error, class error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %q", want)
	}
	if !errors.Is(err, class) {
		t.Fatalf("error %v is not %v", err, class)
	}
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error %v is not an *awserr.Error", err)
	}
	if !strings.Contains(e.Message, want) {
		t.Fatalf("message %q does not contain %q", e.Message, want)
	}
}

func wantEqual(t testing.TB, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func asAWS(err error) (*awserr.Error, bool) { return awserr.As(err) }
