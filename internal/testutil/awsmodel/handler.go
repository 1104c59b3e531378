package awsmodel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
)

// Checking wraps an API handler so that every successful answer is checked
// against the model before the client sees it; a problem fails t. Ops are
// named by X-Amz-Target (JSON protocols) or the form's Action (Query).
// Answered records which operations answered successfully.
type Checking struct {
	t     testing.TB
	model *Model
	next  http.Handler

	mu       sync.Mutex
	answered map[string]int
	allowed  map[string]bool
}

// AllowUnknown lets members of these names through although the model
// lacks them (what a test sends on purpose to see it echoed).
func (c *Checking) AllowUnknown(members ...string) *Checking {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.allowed == nil {
		c.allowed = map[string]bool{}
	}
	for _, m := range members {
		c.allowed[fmt.Sprintf("member %q is not in the model", m)] = true
	}
	return c
}

// Wrap has every answer h gives in the test checked against service's
// model (a Checking that allows the members named by allow); without the
// model it returns h unchecked, except under CI=true, where the model must
// be there.
func Wrap(t testing.TB, service string, h http.Handler, allow ...string) http.Handler {
	t.Helper()
	m, err := Load(service)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		return h
	}
	return NewChecking(t, m, h).AllowUnknown(allow...)
}

// NewChecking returns the checking handler.
func NewChecking(t testing.TB, m *Model, next http.Handler) *Checking {
	return &Checking{t: t, model: m, next: next, answered: map[string]int{}}
}

// ServeHTTP serves through the wrapped handler, then checks the answer.
func (c *Checking) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, query := operation(r)
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	if op != "" && rec.Code == http.StatusOK {
		var problems []string
		if query {
			problems = c.model.CheckXML(op, rec.Body.Bytes())
		} else {
			problems = c.model.CheckJSON(op, rec.Body.Bytes())
		}
		c.mu.Lock()
		allowed := c.allowed
		c.mu.Unlock()
		for _, p := range problems {
			if _, what, _ := strings.Cut(p, ": "); allowed[what] {
				continue
			}
			c.t.Errorf("%s answer does not fit the model: %s", op, p)
		}
		c.mu.Lock()
		c.answered[op]++
		c.mu.Unlock()
	}
	if op != "" && rec.Code >= 400 && rec.Code < 500 {
		if code := errorCode(rec.Body.Bytes(), query); code != "" {
			for _, p := range c.model.CheckError(op, code) {
				c.t.Errorf("%s: %s", op, p)
			}
		}
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// Answered reports how many successful answers op had.
func (c *Checking) Answered(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answered[op]
}

// operation names the request's operation, and whether it is a Query one.
func operation(r *http.Request) (string, bool) {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		_, op, _ := strings.Cut(target, ".")
		return op, false
	}
	if r.Body == nil {
		return r.URL.Query().Get("Action"), true
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return "", false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("Action") == "" {
		return r.URL.Query().Get("Action"), true
	}
	return form.Get("Action"), true
}

// errorCode is an error answer's code: the JSON protocols' __type (after
// any '#') or the Query protocol's Error.Code.
func errorCode(body []byte, query bool) string {
	if query {
		root, err := ParseXML(body)
		if err != nil {
			return ""
		}
		if n := root.Find("Error.Code"); len(n) > 0 {
			return strings.TrimSpace(n[0].Text)
		}
		return ""
	}
	var e struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
		return e.Type[i+1:]
	}
	return e.Type
}
