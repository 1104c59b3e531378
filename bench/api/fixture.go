package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/state"
)

// The credentials the server checks when signing is on; the SDK signs with
// them either way.
const (
	benchKeyID  = "AKIDBENCH"
	benchSecret = "bench-secret"
	serviceName = "bench"
)

// fixture is an in-process server holding the service DescribeServices
// reads: 3 tasks running, a rollout stuck on an unplaceable revision (so
// the service has a PRIMARY and an ACTIVE deployment) and a full event list.
type fixture struct {
	srv     *server.Server
	dataDir string
}

type fixtureOptions struct {
	signed   bool
	shim     []string
	shimEnv  []string
	logLevel slog.Level
}

// startFixture starts the server on 127.0.0.1 over a temporary data
// directory and builds the service through the API, as a user would.
func startFixture(ctx context.Context, o fixtureOptions) (*fixture, error) {
	dir, err := os.MkdirTemp("", "slipway-bench-api-")
	if err != nil {
		return nil, err
	}
	cfg := server.Config{
		APIAddr: "127.0.0.1:0", DataDir: dir, ShimCommand: o.shim, ShimEnv: o.shimEnv,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: o.logLevel})),
	}
	if o.signed {
		cfg.CredentialList = benchKeyID + ":" + benchSecret
	}
	srv, err := server.Start(ctx, cfg)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	f := &fixture{srv: srv, dataDir: dir}
	if err := f.buildService(ctx, newClient(srv.URL(), nil)); err != nil {
		f.close()
		return nil, fmt.Errorf("building the benchmark service: %w", err)
	}
	return f, nil
}

func (f *fixture) url() string { return f.srv.URL() }

// close stops every task and the server and removes the data directory.
func (f *fixture) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_ = f.srv.StopAllTasks(ctx)
	_ = f.srv.StopDataPlane(ctx)
	_ = f.srv.Close()
	os.RemoveAll(f.dataDir)
}

// buildService creates the service on revision 1 (3 sleeping tasks), waits
// for its steady state, then deploys revision 2, which no instance has the
// memory for: the rollout stays IN_PROGRESS beside the ACTIVE deployment.
func (f *fixture) buildService(ctx context.Context, c *awsecs.Client) error {
	if _, err := c.RegisterTaskDefinition(ctx, sleeperTaskDef(16)); err != nil {
		return err
	}
	_, err := c.CreateService(ctx, &awsecs.CreateServiceInput{
		ServiceName: aws.String(serviceName), TaskDefinition: aws.String("sleeper:1"), DesiredCount: aws.Int32(3),
	})
	if err != nil {
		return err
	}
	if err := waitService(ctx, c, func(s types.Service) bool {
		return s.RunningCount == 3 && len(s.Deployments) == 1 && s.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted
	}); err != nil {
		return err
	}
	if _, err := c.RegisterTaskDefinition(ctx, sleeperTaskDef(64<<20)); err != nil {
		return err
	}
	_, err = c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String(serviceName), TaskDefinition: aws.String("sleeper:2")})
	if err != nil {
		return err
	}
	if err := waitService(ctx, c, func(s types.Service) bool { return len(s.Deployments) == 2 && s.RunningCount == 3 }); err != nil {
		return err
	}
	return f.fillEvents(ctx)
}

// sleeperTaskDef is a one-container task that sleeps; memoryReservation
// decides whether it can be placed.
func sleeperTaskDef(memoryMiB int32) *awsecs.RegisterTaskDefinitionInput {
	return &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("sleeper"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("app"), Image: aws.String("sleep"), EntryPoint: []string{"sleep"}, Command: []string{"3600"},
			MemoryReservation: aws.Int32(memoryMiB), Essential: aws.Bool(true),
			Environment: []types.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("bench")}},
		}},
	}
}

// fillEvents tops the service's event list up to ECS's 100, the size a
// long-lived service carries; building them through real scale cycles
// would take minutes and read the same.
func (f *fixture) fillEvents(ctx context.Context) error {
	st := f.srv.State()
	return st.Update(ctx, func(tx state.Tx) error {
		svc, err := tx.Service(model.DefaultClusterName, serviceName)
		if err != nil {
			return err
		}
		at := st.Now().Add(-time.Hour) // older than the real events, which are newest first
		for i := 0; len(svc.Events) < model.MaxServiceEvents; i++ {
			at = at.Add(-time.Second)
			svc.Events = append(svc.Events, model.ServiceEvent{ID: model.NewUUID(), CreatedAt: model.At(at),
				Message: fmt.Sprintf("(service %s) has started 1 tasks: (task %032x).", serviceName, i)})
		}
		return tx.PutService(model.DefaultClusterName, svc)
	})
}

// waitService polls DescribeServices for up to 30 seconds.
func waitService(ctx context.Context, c *awsecs.Client, cond func(types.Service) bool) error {
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		out, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{serviceName}})
		if err != nil {
			return err
		}
		if len(out.Services) == 1 {
			s := out.Services[0]
			if cond(s) {
				return nil
			}
			last = fmt.Sprintf("running %d, %d deployments", s.RunningCount, len(s.Deployments))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("service did not settle within 30s (%s)", last)
}
