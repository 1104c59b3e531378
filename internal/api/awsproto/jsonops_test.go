package awsproto

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type echoIn struct{ Name string }
type echoOut struct{ Greeting string }

func TestJSONHandler(t *testing.T) {
	h := &JSONHandler{TargetPrefix: "Svc", ServerFault: "InternalFailure", Ops: map[string]JSONOp{
		"Echo": Op(func(_ context.Context, in *echoIn) (*echoOut, error) {
			if in.Name == "" {
				return nil, ClientError("ValidationException", "name is required")
			}
			return &echoOut{"hello " + in.Name}, nil
		}, func(o *echoOut) any { return map[string]string{"Greeting": o.Greeting} }),
		"Fail": NoOutput(func(context.Context, *echoIn) error { return errors.New("disk on fire at /var/x") }),
	}}
	do := func(op, body string) (int, string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", "Svc."+op)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	for _, c := range []struct {
		op, body string
		code     int
		want     string
	}{
		{"Echo", `{"name":"you"}`, 200, `{"Greeting":"hello you"}`},
		{"Echo", `{}`, 400, `"__type":"ValidationException"`},
		{"Echo", `{"Name":1}`, 400, `"__type":"SerializationException"`},
		{"Nope", `{}`, 400, `"__type":"UnknownOperationException"`},
		{"Fail", `{}`, 500, `"__type":"InternalFailure"`},
	} {
		code, body := do(c.op, c.body)
		if code != c.code || !strings.Contains(body, c.want) || strings.Contains(body, "disk on fire") {
			t.Errorf("%s %s: %d %s, want %d with %s", c.op, c.body, code, body, c.code, c.want)
		}
	}
}
