package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/api/autoscaling"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/autoscaler"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
	"github.com/slipway-dev/slipway/internal/state"
)

// startAutoscaling builds Application Auto Scaling's operations and starts
// the scaler, its policies registered as alarm actions; it runs until ctx
// ends. CloudWatch must have started.
func (s *Server) startAutoscaling(ctx context.Context) {
	svcs := ecsScaling{s.st}
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

// ecsScaling is the ECS service layer as autoscaling uses it, over the
// state: it changes a desired count as UpdateService does.
type ecsScaling struct{ st *state.State }

func (e ecsScaling) ServiceActive(ctx context.Context, cluster, service string) (bool, error) {
	st, err := e.ServiceState(ctx, cluster, service)
	return st.Active, err
}

func (e ecsScaling) ServiceState(ctx context.Context, cluster, service string) (autoscaler.ServiceState, error) {
	var out autoscaler.ServiceState
	err := e.st.View(ctx, func(tx state.Tx) error {
		svc, err := tx.Service(cluster, service)
		if errors.Is(err, state.ErrServiceNotFound) || errors.Is(err, state.ErrClusterNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out.Active = svc.Status == model.ServiceActive
		out.Desired = svc.DesiredCount
		for _, d := range svc.Deployments {
			out.Running += d.RunningCount
		}
		p := svc.Primary()
		out.Deploying = len(svc.Deployments) > 1 || (p != nil && p.RolloutState == model.RolloutInProgress)
		return nil
	})
	return out, err
}

func (e ecsScaling) SetDesiredCount(ctx context.Context, cluster, service string, n int, cause string) error {
	if err := model.ValidateDesiredCount(n); err != nil {
		return err
	}
	return e.st.Update(ctx, func(tx state.Tx) error {
		svc, err := tx.Service(cluster, service)
		if err != nil {
			return err
		}
		if svc.Status != model.ServiceActive {
			return fmt.Errorf("service %s is %s: %w", service, svc.Status, autoscaler.ErrServiceGone)
		}
		if svc.DesiredCount == n {
			return nil
		}
		old := svc.DesiredCount
		svc.DesiredCount = n
		if p := svc.Primary(); p != nil {
			p.DesiredCount = n
		}
		svc.Internal.SteadySince = time.Time{}
		svc.AddEvent(e.st.Now(), fmt.Sprintf("(service %s) desired count changed from %d to %d by Application Auto Scaling: %s.",
			svc.Name, old, n, cause))
		return tx.PutService(cluster, svc)
	})
}
