package autoscaler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
)

// DueAt is when a scheduled action next runs, and false when it never runs
// again. A rate() interval is service time (clk gives its real length); at()
// and cron() times are wall-clock times in the action's time zone.
func DueAt(a aasops.Scheduled, sch aasops.Schedule, clk clock.Clock) (time.Time, bool) {
	var due time.Time
	switch sch.Kind {
	case aasops.ScheduleAt:
		if !a.LastRun.IsZero() {
			return time.Time{}, false
		}
		due = sch.At
	case aasops.ScheduleRate:
		every := max(clk.Real(sch.Every), time.Second)
		switch {
		case !a.LastRun.IsZero():
			due = a.LastRun.Add(every)
		case a.Start != nil:
			due = *a.Start
		default:
			due = a.Anchor.Add(every)
		}
	default:
		from := a.Anchor
		if a.LastRun.After(from) {
			from = a.LastRun
		}
		if a.Start != nil && a.Start.Add(-time.Minute).After(from) {
			from = a.Start.Add(-time.Minute)
		}
		next, ok := sch.NextCron(from)
		if !ok {
			return time.Time{}, false
		}
		due = next
	}
	for a.Start != nil && due.Before(*a.Start) {
		if sch.Kind != aasops.ScheduleRate {
			return time.Time{}, false
		}
		due = due.Add(max(clk.Real(sch.Every), time.Second))
	}
	if a.End != nil && due.After(*a.End) {
		return time.Time{}, false
	}
	return due, true
}

// ranUntil is what a run at now records as the last run: for rate() the
// latest due time not after now (missed runs are not run again), else now.
func ranUntil(a aasops.Scheduled, sch aasops.Schedule, due, now time.Time, clk clock.Clock) time.Time {
	if sch.Kind != aasops.ScheduleRate {
		return now
	}
	every := max(clk.Real(sch.Every), time.Second)
	return due.Add(now.Sub(due) / every * every)
}

// runScheduled runs the scheduled actions that are due at now.
func (s *Scaler) runScheduled(ctx context.Context, now time.Time) error {
	list, err := s.opts.Records.AllScheduled(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range list {
		sch, err := aasops.ParseSchedule(a.Schedule, a.Timezone)
		if err != nil {
			continue // validated when put; a later binary may parse less
		}
		due, ok := DueAt(a, sch, s.opts.Clock)
		if !ok || now.Before(due) {
			continue
		}
		errs = append(errs, s.runAction(ctx, a, ranUntil(a, sch, due, now, s.opts.Clock)))
	}
	return errors.Join(errs...)
}

func (s *Scaler) runAction(ctx context.Context, a aasops.Scheduled, at time.Time) error {
	t, err := s.opts.Records.TargetOf(ctx, a.ResourceID)
	if err != nil {
		return err
	}
	if t.SuspendScheduled {
		return nil // runs again once scheduled scaling is resumed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	start := s.opts.Clock.Now().UTC()
	t, err = s.opts.Records.RunScheduled(ctx, a, at)
	if errors.Is(err, aasops.ErrNotFound) {
		return nil // deleted or changed meanwhile
	}
	if err != nil {
		return err
	}
	what := capacityWords(a)
	s.log.Info("scheduled action ran", "action", a.Name, "resource", a.ResourceID, "min", t.Min, "max", t.Max)
	_, err = s.opts.Records.RecordActivity(ctx, aasops.Activity{ResourceID: a.ResourceID,
		Description: "Setting " + what, Cause: fmt.Sprintf("scheduled action name %s was triggered", a.Name),
		Start: start, End: s.opts.Clock.Now().UTC(), Status: aasops.StatusSuccessful,
		StatusMessage: "Successfully set " + what + ". Change successfully fulfilled by ecs."})
	return err
}

// capacityWords says what a scheduled action sets.
func capacityWords(a aasops.Scheduled) string {
	switch {
	case a.Min != nil && a.Max != nil:
		return fmt.Sprintf("min capacity to %d and max capacity to %d", *a.Min, *a.Max)
	case a.Min != nil:
		return fmt.Sprintf("min capacity to %d", *a.Min)
	default:
		return fmt.Sprintf("max capacity to %d", *a.Max)
	}
}
