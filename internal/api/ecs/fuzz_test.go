package ecs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// registerSeeds are RegisterTaskDefinition bodies as the AWS CLI sends them.
var registerSeeds = []string{
	`{"family":"talk","containerDefinitions":[{"name":"web","image":"talk-service","portMappings":[{"containerPort":8080}]}]}`,
	fargateTaskDef,
	`{"family":"t","containerDefinitions":[{"name":"a","image":"i"}],"tags":[{"key":"team","value":"web"}]}`,
	`{"family":"t","containerDefinitions":[{"name":"a","image":"i"}],"tags":[{"key":"aws:x","value":"v"}]}`,
	`{"family":"t","containerDefinitions":[{"name":"a","image":"i","healthCheck":{"command":["CMD","true"]}}]}`,
	`{"family":"t","networkMode":"awsvpc","cpu":"1 vCPU","memory":"2GB","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":80}]}]}`,
	`{"family":"t","containerDefinitions":[]}`, `{"family":"t","containerDefinitions":[{"name":"a"}]}`,
	`{"family":"t","tags":"none","containerDefinitions":[{"name":"a","image":"i"}]}`,
	`{"family":7}`, `{}`, ``, `[`, `null`, `"x"`,
}

// FuzzRegisterTaskDefinitionRequest sends arbitrary bodies to
// RegisterTaskDefinition through the router and the real handler over bbolt:
// the answer is 200 with a new revision, or 400 in ECS's error shape, and a
// 400 leaves the stored task definitions as they were.
func FuzzRegisterTaskDefinitionRequest(f *testing.F) {
	for _, s := range registerSeeds {
		f.Add([]byte(s))
	}
	st, router := fuzzECS(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 8192 {
			t.Skip("larger than any task definition worth exploring")
		}
		before := storedTaskDefs(t, st)
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", awsproto.JSONContentType)
		r.Header.Set("X-Amz-Target", TargetPrefix+".RegisterTaskDefinition")
		router.ServeHTTP(w, testutil.OnLoopback(r))
		after := storedTaskDefs(t, st)
		switch w.Code {
		case http.StatusOK:
			checkRegistered(t, w.Body.Bytes(), before, after)
		case http.StatusBadRequest:
			checkECSError(t, w.Body.Bytes())
			if !slices.Equal(before, after) {
				t.Fatalf("a refused registration changed the store:\nbefore %v\nafter  %v", before, after)
			}
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
}

// fuzzECS serves the ECS API over a bbolt store in a temporary directory.
func fuzzECS(f *testing.F) (*state.State, *awsproto.Router) {
	db, err := store.OpenBolt(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	st := state.New(db, model.Partition{Region: "us-east-1", Account: "000000000000"}, nil)
	router := awsproto.NewRouter(nil, nil, nil)
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: TargetPrefix, SigningName: SigningName}, New(ecsops.New(st, nil, ecsops.Options{}), slog.New(slog.DiscardHandler)))
	return st, router
}

// storedTaskDefs lists every stored revision as "family:revision".
func storedTaskDefs(t *testing.T, st *state.State) []string {
	var names []string
	err := st.View(context.Background(), func(tx state.Tx) error {
		return tx.ScanTaskDefinitions("", "", func(_ string, td model.TaskDefinition) bool {
			names = append(names, td.Name())
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// checkRegistered asserts that a 200 answer describes exactly one new
// revision, the next of its family, and that it was stored.
func checkRegistered(t *testing.T, body []byte, before, after []string) {
	var out struct {
		TaskDefinition struct {
			TaskDefinitionArn string
			Family            string
			Revision          int
			Status            string
		}
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("200 answer is not JSON: %v: %s", err, body)
	}
	td := out.TaskDefinition
	name := fmt.Sprintf("%s:%d", td.Family, td.Revision)
	if td.Status != "ACTIVE" || td.TaskDefinitionArn == "" || !model.ValidName(td.Family) {
		t.Fatalf("registered %+v", td)
	}
	if len(after) != len(before)+1 || !slices.Contains(after, name) || slices.Contains(before, name) {
		t.Fatalf("registered %s, but the store went from %d to %d revisions", name, len(before), len(after))
	}
	prev := 0
	for _, n := range before {
		i := strings.LastIndexByte(n, ':')
		if rev, err := strconv.Atoi(n[i+1:]); err == nil && n[:i] == td.Family {
			prev = max(prev, rev)
		}
	}
	if td.Revision != prev+1 {
		t.Fatalf("registered %s after revision %d of its family", name, prev)
	}
}

// checkECSError asserts ECS's JSON 1.1 error shape with a client error code.
func checkECSError(t *testing.T, body []byte) {
	var e struct {
		Type    string `json:"__type"`
		Message *string
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Message == nil || *e.Message == "" {
		t.Fatalf("400 answer is not an ECS error: %v: %s", err, body)
	}
	switch e.Type {
	case "ClientException", "InvalidParameterException", "SerializationException":
	default:
		t.Fatalf("400 answer with code %q: %s", e.Type, body)
	}
}
