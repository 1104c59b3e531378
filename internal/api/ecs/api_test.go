package ecs

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

type fakeTGs map[string]bool // ARN -> attached

func (f fakeTGs) TargetGroupInUse(_ context.Context, arn string) (bool, bool, error) {
	attached, ok := f[arn]
	return ok, attached, nil
}

type testAPI struct {
	client *awsecs.Client
	st     *state.State
	url    string
}

// newTestAPI serves the ECS API on 127.0.0.1:0 over a bbolt store and returns
// an aws-sdk-go-v2 ECS client pointed at it.
func newTestAPI(t *testing.T, tgs ecsops.TargetGroups, creds awsproto.Credentials) *testAPI {
	t.Helper()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := state.New(db, model.Partition{Region: "us-east-1", Account: "000000000000"}, nil)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var verifier *awsproto.Verifier
	if len(creds) > 0 {
		verifier = awsproto.NewVerifier(creds, []string{"us-east-1"}, nil)
	}
	router := awsproto.NewRouter(verifier, nil, logger)
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: TargetPrefix, SigningName: SigningName}, New(ecsops.New(st, tgs, ecsops.Options{Logger: logger}), logger))
	srv := httptest.NewServer(checkedAnswers(t, router))
	t.Cleanup(srv.Close)
	return &testAPI{client: newClient(srv.URL, "AKIDTEST", "secret"), st: st, url: srv.URL}
}

func newClient(url, key, secret string) *awsecs.Client {
	return awsecs.New(awsecs.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
	})
}

// addInstance registers a container instance in cluster, as the agent does.
func (a *testAPI) addInstance(t *testing.T, cluster string, memory int) string {
	t.Helper()
	id := model.NewID()
	arn := a.st.Partition.ContainerInstanceARN(cluster, id)
	err := a.st.Update(context.Background(), func(tx state.Tx) error {
		return tx.PutInstance(model.ContainerInstance{
			ARN: arn, Status: "ACTIVE", AgentConnected: true, RegisteredAt: a.st.NowTime(),
			RegisteredResources: []model.Resource{{Name: "MEMORY", Type: "INTEGER", IntegerValue: memory}},
			Internal:            model.InstanceInternal{ID: id, Cluster: cluster, Runtime: "process"},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

// wantCode asserts that err is an API error with the given __type.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
}
