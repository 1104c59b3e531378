package stack_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/cfn/template"
)

// TestTemplateURL: CreateStack, UpdateStack, CreateChangeSet and
// ValidateTemplate read a template from a file:// path or an http URL; a
// template over 1 MB, another scheme and an unreachable URL are refused and
// change nothing; given a body too, the body is used (as AWS documents).
func TestTemplateURL(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "logs.yml")
	if err := os.WriteFile(file, []byte(logsTemplate), 0o600); err != nil {
		t.Fatal(err)
	}
	// A padded template, larger than TemplateBody's 51,200 bytes: a URL
	// may name up to 1 MB.
	big := logsTemplate + "\n#" + strings.Repeat("x", template.MaxTemplateBodyBytes) + "\n"
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big.yml":
			rw.Write([]byte(big))
		case "/huge.yml":
			rw.Write([]byte("#" + strings.Repeat("x", template.MaxTemplateBytes)))
		default:
			http.NotFound(rw, r)
		}
	}))
	t.Cleanup(srv.Close)

	if sum, err := w.e.ValidateTemplate(ctx, "", "file://"+file); err != nil || len(sum.Parameters) != 2 {
		t.Fatalf("ValidateTemplate file://: %v %v", sum, err)
	}
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "web", TemplateURL: "file://" + file}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("web"); s.Status != stack.StatusCreateComplete {
		t.Fatalf("create: %s %s", s.Status, s.StatusReason)
	}
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "web", TemplateURL: srv.URL + "/big.yml", Parameters: params("Days", "14")}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("web"); s.Status != stack.StatusUpdateComplete {
		t.Fatalf("update: %s %s", s.Status, s.StatusReason)
	}
	if body, err := w.e.Template(ctx, "web", ""); err != nil || body != big {
		t.Errorf("GetTemplate after an update from a URL: %d bytes, %v", len(body), err)
	}
	// --use-previous-template takes the stored 1 MB-bounded template.
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "web", UsePreviousTemplate: true, Parameters: params("Days", "30")}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("web"); s.Status != stack.StatusUpdateComplete {
		t.Fatalf("update: %s %s", s.Status, s.StatusReason)
	}

	for _, c := range []struct {
		body, url, want string
	}{
		{"", srv.URL + "/huge.yml", "Template may not exceed 1048576 bytes in size."},
		{"", srv.URL + "/missing.yml", "404 Not Found"},
		{"", "ftp://example.com/t.yml", `scheme "ftp"`},
		{"", "file://" + filepath.Join(dir, "none.yml"), "no such file"},
	} {
		_, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "other", TemplateBody: c.body, TemplateURL: c.url})
		if !errors.Is(err, stack.ErrInvalidInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CreateStack (body %t) %q: %v, want %q", c.body != "", c.url, err, c.want)
		}
		if _, err := w.e.ValidateTemplate(ctx, c.body, c.url); !errors.Is(err, stack.ErrInvalidInput) {
			t.Errorf("ValidateTemplate %q: %v", c.url, err)
		}
	}
	if _, err := w.e.ValidateTemplate(ctx, "Resources: {G: {Type: AWS::Logs::LogGroup}}", srv.URL+"/missing.yml"); err != nil {
		t.Errorf("ValidateTemplate with a body and a URL: %v", err)
	}
	if _, err := w.e.DescribeStacks(ctx, "other"); err == nil {
		t.Errorf("a refused CreateStack made a stack")
	}
}
