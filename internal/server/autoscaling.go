package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/internal/api/autoscaling"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/autoscaler"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
)

// startAutoscaling builds Application Auto Scaling's operations and starts
// the scaler, its policies registered as alarm actions; it runs until ctx
// ends. CloudWatch must have started.
func (s *Server) startAutoscaling(ctx context.Context) {
	svcs := ecsScaling{ops: s.ecsOps, st: s.st}
	s.aas = aasops.New(aasops.Options{Region: s.cfg.Region, Account: s.cfg.Account, Store: s.db,
		Services: svcs, Alarms: s.cw.ops, Logger: s.cfg.Logger})
	sc := autoscaler.New(autoscaler.Options{Records: s.aas, Services: svcs, Datapoints: s.cw.alarms,
		Clock: s.cw.clock, Logger: s.cfg.Logger})
	s.cw.alarms.AddTarget(sc.AlarmTarget(s.aas.PolicyARNPrefix()))
	s.wg.Add(1)
	go func() { defer s.wg.Done(); _ = sc.Run(ctx) }()
}

// registerAutoscaling serves the Application Auto Scaling API.
func (s *Server) registerAutoscaling(router *awsproto.Router) {
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: autoscaling.TargetPrefix, SigningName: autoscaling.SigningName},
		autoscaling.New(s.aas, s.cfg.Logger))
}

// Autoscaling is Application Auto Scaling's operations layer, for
// in-process callers (CloudFormation, the CLI).
func (s *Server) Autoscaling() *aasops.Service { return s.aas }

// ecsScaling is the ECS service layer as autoscaling uses it: it reads
// services and changes their desired counts through the ECS operations
// (UpdateService with only a desired count rescales the current
// deployments, as on ECS), then adds a service event saying why.
type ecsScaling struct {
	ops *ecsops.Ops
	st  *state.State
}

func (e ecsScaling) ServiceActive(ctx context.Context, cluster, service string) (bool, error) {
	st, err := e.ServiceState(ctx, cluster, service)
	return st.Active, err
}

func (e ecsScaling) ServiceState(ctx context.Context, cluster, service string) (autoscaler.ServiceState, error) {
	var out autoscaler.ServiceState
	got, err := e.ops.DescribeServices(ctx, &ecsops.DescribeServicesInput{Cluster: cluster, Services: []string{service}})
	if errors.Is(err, state.ErrClusterNotFound) {
		return out, nil
	}
	if err != nil || len(got.Services) == 0 {
		return out, err
	}
	svc := got.Services[0]
	out.Active = svc.Status == model.ServiceActive
	out.Desired, out.Running = svc.DesiredCount, svc.RunningCount
	p := svc.Primary()
	out.Deploying = len(svc.Deployments) > 1 || (p != nil && p.RolloutState == model.RolloutInProgress)
	return out, nil
}

func (e ecsScaling) SetDesiredCount(ctx context.Context, cluster, service string, n int, cause string) error {
	before, err := e.ServiceState(ctx, cluster, service)
	if err != nil {
		return err
	}
	if !before.Active {
		return fmt.Errorf("service %s/%s: %w", cluster, service, autoscaler.ErrServiceGone)
	}
	if before.Desired == n {
		return nil
	}
	if _, err := e.ops.UpdateService(ctx, &ecsops.UpdateServiceInput{Cluster: cluster, Service: service, DesiredCount: &n}); err != nil {
		return err
	}
	return e.st.Update(ctx, func(tx state.Tx) error {
		svc, err := tx.Service(cluster, service)
		if err != nil {
			return err
		}
		svc.AddEvent(e.st.Now(), fmt.Sprintf("(service %s) desired count changed from %d to %d by Application Auto Scaling: %s.",
			svc.Name, before.Desired, n, cause))
		return tx.PutService(cluster, svc)
	})
}
