// Package awsmodel checks answers against botocore's service models (the
// service-2.json every AWS SDK is generated from): each member an answer
// carries must be one the operation's output shape has, of the model's
// type, and tests name the members AWS always sends. It is for tests.
package awsmodel

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Dir is where botocore's models are on this machine.
const Dir = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/data"

// Model is one service model.
type Model struct {
	Operations map[string]Operation `json:"operations"`
	Shapes     map[string]*Shape    `json:"shapes"`
}

// Operation is an operation's output reference.
type Operation struct {
	Output *struct {
		Shape         string `json:"shape"`
		ResultWrapper string `json:"resultWrapper"`
	} `json:"output"`
	Errors []Ref `json:"errors"`
}

// Ref names a shape, with the member's wire name where it differs.
type Ref struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
}

// Shape is a model shape.
type Shape struct {
	Type      string         `json:"type"`
	Members   map[string]Ref `json:"members"`
	Member    *Ref           `json:"member"`
	Key       *Ref           `json:"key"`
	Value     *Ref           `json:"value"`
	Flattened bool           `json:"flattened"`
	Enum      []string       `json:"enum"`
	// Error is an exception shape's wire code, where it differs from the
	// shape's name (Query protocols).
	Error *struct {
		Code string `json:"code"`
	} `json:"error"`
}

// commonErrors are the errors every operation may answer (AWS's common
// errors, and those of the JSON protocols' framing).
var commonErrors = map[string]bool{
	"AccessDeniedException": true, "IncompleteSignature": true, "InternalFailure": true, "InvalidAction": true,
	"InvalidClientTokenId": true, "InvalidParameterCombination": true, "InvalidParameterValue": true,
	"InvalidQueryParameter": true, "MalformedQueryString": true, "MissingAction": true,
	"MissingAuthenticationToken": true, "MissingParameter": true, "NotAuthorized": true, "OptInRequired": true,
	"RequestExpired": true, "ServiceUnavailable": true, "ThrottlingException": true, "ValidationError": true,
	"SerializationException": true, "UnknownOperationException": true, "ValidationException": true,
	"UnrecognizedClientException": true, "InvalidSignatureException": true, "MissingAuthenticationTokenException": true,
	"SignatureDoesNotMatch": true, "InvalidSignature": true,
}

// CheckError returns a problem when code is neither one of the errors the
// model documents for op nor a common error.
func (m *Model) CheckError(op, code string) []string {
	o, ok := m.Operations[op]
	if !ok || commonErrors[code] {
		return nil
	}
	var names []string
	for _, e := range o.Errors {
		names = append(names, e.Shape)
		if e.Shape == code {
			return nil
		}
		if s := m.Shapes[e.Shape]; s != nil && s.Error != nil && s.Error.Code == code {
			return nil
		}
	}
	return []string{fmt.Sprintf("error %s is not one the model documents for %s (%v) nor a common error", code, op, names)}
}

// Load reads service's model (the newest of its API versions, compressed
// or not).
func Load(service string) (*Model, error) {
	versions, err := filepath.Glob(filepath.Join(Dir, service, "*", "service-2.json*"))
	if err != nil || len(versions) == 0 {
		return nil, fmt.Errorf("no botocore model for %s under %s", service, Dir)
	}
	path := versions[len(versions)-1]
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if filepath.Ext(path) == ".gz" {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = gz
	}
	m := new(Model)
	if err := json.NewDecoder(r).Decode(m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// MustLoad is Load for a test: it skips without the model, and fails
// instead under CI=true.
func MustLoad(t testing.TB, service string) *Model {
	t.Helper()
	m, err := Load(service)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return m
}

// wireName is the name a member travels under.
func (r Ref) wireName(member string) string {
	if r.LocationName != "" {
		return r.LocationName
	}
	return member
}

// output is the operation's output shape, or nil.
func (m *Model) output(op string) (*Shape, string, error) {
	o, ok := m.Operations[op]
	if !ok {
		return nil, "", fmt.Errorf("%s is not an operation of the model", op)
	}
	if o.Output == nil {
		return nil, "", nil
	}
	return m.Shapes[o.Output.Shape], o.Output.ResultWrapper, nil
}
