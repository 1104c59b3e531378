// Package autoscaler is Application Auto Scaling's scaler for ECS services:
// it runs scaling policies when their CloudWatch alarms fire (the alarm
// engine hands it the actions whose ARN is a policy's), runs scheduled
// actions as they come due, keeps each service's desired count within its
// target's bounds when they change, and records every scaling activity in
// the service's words. Changes go through the ECS service layer (Services).
//
// What desired count to set is planned by pure functions of a Snapshot
// (plan.go); this package gathers the snapshot and applies the outcome.
// Every minutes-based timer (cooldowns, rate schedules) asks the clock for
// its real length, so --time-scale speeds them up.
package autoscaler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
)

// ServiceState is an ECS service as the scaler sees it.
type ServiceState struct {
	// Active is false for a service that is gone or being deleted.
	Active  bool
	Desired int
	Running int
	// Deploying is true while a deployment is in progress (more than one
	// deployment, or the primary's rollout not completed).
	Deploying bool
}

// Services is the ECS service layer.
type Services interface {
	ServiceState(ctx context.Context, cluster, service string) (ServiceState, error)
	// SetDesiredCount sets a service's desired count; cause says why, for
	// the service's events.
	SetDesiredCount(ctx context.Context, cluster, service string, n int, cause string) error
}

// Records is what the scaler reads and records (*aasops.Service).
type Records interface {
	Targets(ctx context.Context) ([]aasops.Target, error)
	TargetOf(ctx context.Context, resourceID string) (aasops.Target, error)
	PolicyByARN(ctx context.Context, arn string) (aasops.Policy, aasops.Target, error)
	UpdateCooldown(ctx context.Context, resourceID, name string, fn func(*aasops.CooldownState)) error
	AllScheduled(ctx context.Context) ([]aasops.Scheduled, error)
	RunScheduled(ctx context.Context, a aasops.Scheduled, at time.Time) (aasops.Target, error)
	MarkBoundsApplied(ctx context.Context, resourceID string, changed time.Time) error
	RecordActivity(ctx context.Context, a aasops.Activity) (aasops.Activity, error)
}

// Datapoints reads an alarm's evaluation range (*alarms.Engine).
type Datapoints interface {
	Range(a *alarms.Alarm, end time.Time) ([]alarms.Datapoint, error)
	RealPeriod(p int) time.Duration
}

// Options configure a Scaler.
type Options struct {
	Records    Records
	Services   Services
	Datapoints Datapoints
	// Clock scales cooldowns and rate schedules (--time-scale).
	Clock  clock.Clock
	Logger *slog.Logger
}

// tick is how often Run looks for scheduled actions that are due and for
// bounds to apply.
const tick = 250 * time.Millisecond

// Scaler runs policies, scheduled actions and bounds.
type Scaler struct {
	opts Options
	log  *slog.Logger

	// mu serializes the decisions (alarm actions, scheduled actions and
	// bounds), so each plans from the desired count the last one set.
	mu sync.Mutex
	// notScaled remembers the last not-scaled activity per policy, so an
	// alarm that repeats every minute records it once, not every minute.
	notScaled map[string]string
}

// New returns a Scaler; Run runs the scheduled actions and the bounds, and
// AlarmTarget is what the alarm engine must be given for the policies.
func New(opts Options) *Scaler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Scaler{opts: opts, log: opts.Logger.With("component", "autoscaler"), notScaled: map[string]string{}}
}

// AlarmTarget is the alarm engine's Target for policy ARNs with prefix:
// repeated while the alarm stays in ALARM, as CloudWatch invokes scaling
// policies.
func (s *Scaler) AlarmTarget(prefix string) alarms.Target {
	return alarms.Target{Prefix: prefix, Action: alarmAction{s}, Repeat: true}
}

type alarmAction struct{ s *Scaler }

func (a alarmAction) Run(ctx context.Context, arn string, change alarms.StateChange) error {
	return a.s.runPolicy(ctx, arn, change)
}

// Run applies bounds and runs scheduled actions until ctx ends.
func (s *Scaler) Run(ctx context.Context) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := s.pass(ctx, s.opts.Clock.Now()); err != nil && ctx.Err() == nil {
				s.log.Error("autoscaler pass", "err", err)
			}
		}
	}
}

// pass runs the scheduled actions that are due, then brings desired counts
// within bounds that changed.
func (s *Scaler) pass(ctx context.Context, now time.Time) error {
	errs := []error{s.runScheduled(ctx, now)}
	targets, err := s.opts.Records.Targets(ctx)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, t := range targets {
		if t.BoundsChanged.After(t.BoundsApplied) {
			errs = append(errs, s.applyBounds(ctx, t))
		}
	}
	return errors.Join(errs...)
}

// applyBounds brings a service's desired count within its target's bounds.
func (s *Scaler) applyBounds(ctx context.Context, t aasops.Target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.opts.Services.ServiceState(ctx, t.Cluster, t.Service)
	if err != nil {
		return err
	}
	if st.Active {
		n, cause := st.Desired, ""
		switch {
		case st.Desired < t.Min:
			n, cause = t.Min, fmt.Sprintf("minimum capacity was set to %d", t.Min)
		case st.Desired > t.Max:
			n, cause = t.Max, fmt.Sprintf("maximum capacity was set to %d", t.Max)
		}
		if n != st.Desired {
			s.setDesired(ctx, t, n, cause)
		}
	}
	return s.opts.Records.MarkBoundsApplied(ctx, t.ResourceID, t.BoundsChanged)
}

// setDesired changes the desired count and records the activity.
func (s *Scaler) setDesired(ctx context.Context, t aasops.Target, n int, cause string) bool {
	start := s.opts.Clock.Now().UTC()
	act := aasops.Activity{ResourceID: t.ResourceID, Description: fmt.Sprintf("Setting desired count to %d.", n),
		Cause: cause, Start: start}
	err := s.opts.Services.SetDesiredCount(ctx, t.Cluster, t.Service, n, cause)
	act.End = s.opts.Clock.Now().UTC()
	if err != nil {
		act.Status = aasops.StatusFailed
		act.StatusMessage = fmt.Sprintf("Failed to set desired count to %d. Reason: %v", n, err)
		s.log.Warn("scaling failed", "resource", t.ResourceID, "desired", n, "err", err)
	} else {
		act.Status = aasops.StatusSuccessful
		act.StatusMessage = fmt.Sprintf("Successfully set desired count to %d. Change successfully fulfilled by ecs.", n)
		s.log.Info("scaled", "resource", t.ResourceID, "desired", n, "cause", cause)
	}
	if _, rerr := s.opts.Records.RecordActivity(ctx, act); rerr != nil {
		s.log.Error("recording a scaling activity", "resource", t.ResourceID, "err", rerr)
	}
	return err == nil
}
