package cloudwatch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/metricstore"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// fixture is CloudWatch on a real state store and metric store, served on
// 127.0.0.1, with the alarm engine running under a scaled clock.
type fixture struct {
	url     string
	svc     *cwops.Service
	engine  *alarms.Engine
	metrics *metricstore.Store
	sdk     *sdk.Client
}

func newFixture(t *testing.T, scale float64, targets ...alarms.Target) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := metricstore.Open(metricstore.Options{Path: filepath.Join(dir, "metrics.db")})
	if err != nil {
		t.Fatal(err)
	}
	clk, err := clock.New(scale)
	if err != nil {
		t.Fatal(err)
	}
	eng := alarms.New(alarms.Options{Store: db, Metrics: ms, Clock: clk, Targets: targets})
	svc := cwops.New(cwops.Options{Region: "us-east-1", Account: "000000000000", Alarms: eng, Metrics: ms})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(ctx) }()
	srv := httptest.NewServer(withRequestID(New(svc, nil)))
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		_ = ms.Close()
		_ = db.Close()
	})
	client := sdk.New(sdk.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(),
	})
	return &fixture{url: srv.URL, svc: svc, engine: eng, metrics: ms, sdk: client}
}

// withRequestID stands in for the Router's request id (the handler is
// served directly here).
func withRequestID(h *Handler) *ridHandler { return &ridHandler{h} }

type ridHandler struct{ h *Handler }

func (r *ridHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("X-Amzn-RequestId", awsproto.NewRequestID())
	r.h.ServeHTTP(w, req)
}
