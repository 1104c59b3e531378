package autoscaler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
)

// ErrServiceGone reports a policy whose ECS service no longer runs.
var ErrServiceGone = errors.New("the ECS service is not ACTIVE")

// memoGone marks a policy whose service was found gone.
const memoGone = "gone"

// runPolicy answers an alarm action naming a policy's ARN.
func (s *Scaler) runPolicy(ctx context.Context, arn string, change alarms.StateChange) error {
	p, t, err := s.opts.Records.PolicyByARN(ctx, arn)
	if err != nil {
		return fmt.Errorf("scaling policy %s: %w", arn, err)
	}
	a := change.Alarm
	values, err := s.recentValues(&a, change.At)
	if err != nil {
		return err
	}
	if len(values) == 0 {
		s.log.Info("alarm has no datapoints to scale from", "alarm", a.Name, "policy", p.Name)
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.opts.Services.ServiceState(ctx, t.Cluster, t.Service)
	if err != nil {
		return err
	}
	if !st.Active {
		// Said once (the alarm's history records it); the alarm invokes
		// the policy again every minute while it stays in ALARM.
		if s.notScaled[p.ARN] == memoGone {
			return nil
		}
		s.notScaled[p.ARN] = memoGone
		return fmt.Errorf("%w: %s", ErrServiceGone, t.ResourceID)
	}
	snap := Snapshot{Min: t.Min, Max: t.Max, Desired: st.Desired, Deploying: st.Deploying,
		SuspendIn: t.SuspendIn, SuspendOut: t.SuspendOut, Cooldown: p.Cooldown, Now: s.opts.Clock.Now()}
	var d Decision
	switch {
	case p.Tracking != nil:
		c := p.Tracking
		snap.OutCooldown = s.opts.Clock.Real(time.Duration(c.ScaleOutCooldown) * time.Second)
		snap.InCooldown = s.opts.Clock.Real(time.Duration(c.ScaleInCooldown) * time.Second)
		high := strings.HasPrefix(a.ComparisonOperator, "Greater")
		d = PlanTracking(snap, c.TargetValue, values[len(values)-1], high, c.DisableScaleIn)
	case p.Step != nil:
		snap.OutCooldown = s.opts.Clock.Real(time.Duration(p.Step.Cooldown) * time.Second)
		snap.InCooldown = snap.OutCooldown
		n := min(len(values), a.EvaluationPeriods)
		v, _ := Aggregate(p.Step.Aggregation, values[len(values)-n:])
		d = PlanStep(snap, *p.Step, v, a.Threshold, strings.HasPrefix(a.ComparisonOperator, "Less"))
	default:
		return fmt.Errorf("scaling policy %s has no configuration", p.Name)
	}
	cause := fmt.Sprintf("monitor alarm %s in state %s triggered policy %s", a.Name, change.New, p.Name)
	return s.apply(ctx, t, p, snap, st, d, cause)
}

// recentValues returns the values of the alarm's evaluation range that
// have data, oldest first, for the range that ended before at.
func (s *Scaler) recentValues(a *alarms.Alarm, at time.Time) ([]float64, error) {
	end := at.Truncate(s.opts.Datapoints.RealPeriod(min(a.Period, 60)))
	rng, err := s.opts.Datapoints.Range(a, end)
	if err != nil {
		return nil, err
	}
	var out []float64
	for _, dp := range rng {
		if !dp.Missing {
			out = append(out, dp.Value)
		}
	}
	return out, nil
}

// apply carries out a decision: it sets the desired count and remembers
// the cooldown, or records why it did not scale (once per reason).
func (s *Scaler) apply(ctx context.Context, t aasops.Target, p aasops.Policy, snap Snapshot, st ServiceState, d Decision, cause string) error {
	if d.Scale {
		delete(s.notScaled, p.ARN)
		if !s.setDesired(ctx, t, d.Desired, cause) {
			return nil // recorded as a failed activity
		}
		now := snap.Now
		return s.opts.Records.UpdateCooldown(ctx, t.ResourceID, p.Name, func(c *aasops.CooldownState) {
			if d.Out {
				outCooling := !c.LastOut.IsZero() && now.Before(c.LastOut.Add(snap.OutCooldown))
				if !outCooling || c.OutFrom == 0 {
					c.OutFrom = st.Desired
				}
				c.LastOut = now
			} else {
				c.LastIn, c.OutFrom = now, 0
			}
		})
	}
	if d.NotScaled == "" {
		if d.Held != "" {
			s.log.Debug("scaling held back", "policy", p.Name, "resource", t.ResourceID, "why", d.Held)
		}
		return nil
	}
	memo := fmt.Sprintf("%s/%d/%d/%d", d.NotScaled, st.Desired, t.Min, t.Max)
	if s.notScaled[p.ARN] == memo {
		return nil
	}
	s.notScaled[p.ARN] = memo
	r := aasops.NotScaledRecord{Code: d.NotScaled, Current: intPtr(st.Desired)}
	why := "the desired count is already what the policy asks for"
	switch d.NotScaled {
	case NotScaledAtMax:
		r.Max, why = intPtr(t.Max), fmt.Sprintf("the desired count is already at the maximum capacity %d", t.Max)
	case NotScaledAtMin:
		r.Min, why = intPtr(t.Min), fmt.Sprintf("the desired count is already at the minimum capacity %d", t.Min)
	}
	now := s.opts.Clock.Now().UTC()
	_, err := s.opts.Records.RecordActivity(ctx, aasops.Activity{ResourceID: t.ResourceID,
		Description: fmt.Sprintf("Setting desired count to %d.", st.Desired), Cause: cause, Start: now, End: now,
		Status: aasops.StatusFailed, StatusMessage: fmt.Sprintf("Failed to set desired count to %d. Reason: %s.", st.Desired, why),
		NotScaled: []aasops.NotScaledRecord{r}})
	return err
}

func intPtr(n int) *int { return &n }
