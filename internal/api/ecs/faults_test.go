package ecs

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestServerFaultAnswersOnlyTheRequestID: a 500 tells the client a request
// id and nothing of the internal error; the log has the error under that id.
func TestServerFaultAnswersOnlyTheRequestID(t *testing.T) {
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := state.New(db, model.Partition{Region: "us-east-1", Account: "000000000000"}, nil)
	var logs testutil.LogBuffer
	router := awsproto.NewRouter(nil, nil, logs.Logger())
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: TargetPrefix, SigningName: SigningName}, New(ecsops.New(st, nil, ecsops.Options{}), logs.Logger()))
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	db.Close() // every read now fails inside the store

	_, err = newClient(srv.URL, "AKIDTEST", "secret").ListClusters(context.Background(), &awsecs.ListClustersInput{})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("want a 500, got %v", err)
	}
	id := re.ServiceRequestID()
	if id == "" || !strings.Contains(err.Error(), id) || strings.Contains(err.Error(), "store: closed") {
		t.Fatalf("answer %q: want the request id %q and no internal error", err, id)
	}
	if log := logs.String(); !strings.Contains(log, "request_id="+id) || !strings.Contains(log, "store: closed") {
		t.Fatalf("log lacks the error under request id %s:\n%s", id, log)
	}
}
