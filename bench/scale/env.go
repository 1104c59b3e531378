package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/agentlink"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/api/ecs"
	"github.com/slipway-dev/slipway/internal/controller"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// env is the control plane as the embedded server assembles it (bbolt
// store, ECS API, service controller, a local agent over agentlink), with
// the memory runtime instead of the process runtime and no load balancer.
type env struct {
	dir    string
	db     *store.Bolt
	writes *countingStore // db, counting its Updates
	st     *state.State
	ctrl   *controller.Controller
	agent  *agent.Agent
	rt     *memRuntime
	srv    *http.Server
	url    string
	closed bool
}

func startEnv(ctx context.Context, logger *slog.Logger) (*env, error) {
	dir, err := os.MkdirTemp("", "slipway-bench-scale-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir, rt: &memRuntime{}}
	if err := e.start(ctx, logger); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *env) start(ctx context.Context, logger *slog.Logger) error {
	db, err := store.OpenBolt(e.dir)
	if err != nil {
		return err
	}
	e.db = db
	e.writes = &countingStore{Store: db}
	e.st = state.New(e.writes, model.Partition{Region: model.DefaultRegion, Account: model.DefaultAccount}, nil)
	e.ctrl = controller.New(e.st, nil, controller.Options{Logger: logger})
	e.ctrl.Start()
	a, err := agent.New(agent.Options{
		Node:   agent.Node{ID: "bench-node", Runtime: e.rt.Name(), AgentVersion: "bench"},
		LogDir: filepath.Join(e.dir, "logs"), Region: model.DefaultRegion, StoreID: db.ID(), Logger: logger,
	}, agentlink.New(e.st), e.rt)
	if err != nil {
		return err
	}
	e.agent = a
	router := awsproto.NewRouter(nil, nil, logger)
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: ecs.TargetPrefix, SigningName: ecs.SigningName}, ecs.New(ecsops.New(e.st, nil, ecsops.Options{Logger: logger}), logger))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.url = "http://" + ln.Addr().String()
	e.srv = &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()
	c := e.client()
	if _, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{}); err != nil {
		return fmt.Errorf("create cluster: %w", err)
	}
	// The agent registers its container instance in every ACTIVE cluster.
	return a.Start(ctx)
}

// client is an SDK ECS client with a keep-alive connection of its own.
func (e *env) client() *awsecs.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	return awsecs.New(awsecs.Options{
		Region: model.DefaultRegion, BaseEndpoint: aws.String(e.url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDBENCH", "bench-secret", ""),
		HTTPClient:       &http.Client{Transport: transport},
		RetryMaxAttempts: 1,
	})
}

// liveTasks counts the cluster's tasks that have not reached STOPPED (it
// reads every task: the run checks its end with it once).
func (e *env) liveTasks(ctx context.Context) (live, running int, err error) {
	err = e.st.View(ctx, func(tx state.Tx) error {
		tasks, err := tx.Tasks(model.DefaultClusterName)
		for _, t := range tasks {
			if t.LastStatus != model.TaskStopped {
				live++
			}
			if t.LastStatus == model.TaskRunning && t.DesiredStatus == model.TaskRunning {
				running++
			}
		}
		return err
	})
	return live, running, err
}

func (e *env) close() {
	if e.closed {
		return
	}
	e.closed = true
	if e.srv != nil {
		_ = e.srv.Close()
	}
	if e.agent != nil {
		_ = e.agent.Close()
	}
	if e.ctrl != nil {
		_ = e.ctrl.Close()
	}
	if e.db != nil {
		_ = e.db.Close()
	}
	os.RemoveAll(e.dir)
}

// countingStore counts the Updates of the control plane (the agent's
// reports, the controller's commits, the API's writes): what a phase asked
// of the store, which the machine's load does not change.
type countingStore struct {
	store.Store
	updates atomic.Int64
}

// Update implements store.Store.
func (c *countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	c.updates.Add(1)
	return c.Store.Update(ctx, fn)
}
