package template

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
)

// Every template under testdata/errors is refused with CloudFormation's
// message: the first line of a YAML one says "# want: <message>", a JSON
// one has it in <name>.want. The message must start with it.
func TestErrorCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*")
	catalog := resourcetype.MustLoad()
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".want") {
			continue
		}
		n++
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := wantedMessage(t, f, body)
		msg := firstError(body, catalog)
		if !strings.HasPrefix(msg, want) {
			t.Errorf("%s:\n got  %q\n want %q", filepath.Base(f), msg, want)
		}
	}
	if n < 30 {
		t.Fatalf("only %d error templates", n)
	}
}

func wantedMessage(t *testing.T, file string, body []byte) string {
	if strings.HasSuffix(file, ".json") {
		w, err := os.ReadFile(file + ".want")
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(w))
	}
	line, _ := bufio.NewReader(bytes.NewReader(body)).ReadString('\n')
	want, ok := strings.CutPrefix(strings.TrimSpace(line), "# want: ")
	if !ok {
		t.Fatalf("%s has no want line", file)
	}
	return want
}

// firstError runs what CreateStack would run before creating anything and
// returns the message of the first error.
func firstError(body []byte, catalog TypeCatalog) string {
	tpl, err := Parse(body)
	if err == nil {
		err = tpl.Check(catalog)
	}
	if err == nil {
		_, err = NewEvaluator(tpl, Inputs{Pseudo: testPseudo})
	}
	if err == nil {
		return ""
	}
	if e, ok := awserr.As(err); ok {
		return e.Message
	}
	return err.Error()
}
