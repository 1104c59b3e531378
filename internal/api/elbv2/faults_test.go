package elbv2

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
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
	st := state.New(db, model.Partition{Region: "us-east-1", Account: "123456789012"}, nil)
	var logs testutil.LogBuffer
	rt := awsproto.NewRouter(nil, nil, logs.Logger())
	rt.HandleQuery(awsproto.QueryAPI{Version: Version, Namespace: Namespace, SigningName: SigningName}, New(elbops.New(st, nil, logs.Logger()), logs.Logger()))
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	db.Close() // every read now fails inside the store

	c := elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
	_, err = c.DescribeLoadBalancers(context.Background(), &elb.DescribeLoadBalancersInput{})
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
