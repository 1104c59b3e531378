package aasops

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/store"
)

type oneService struct{}

func (oneService) ServiceActive(context.Context, string, string) (bool, error) { return true, nil }

// newService is the operations over a real store and CloudWatch's alarms,
// with a clock the test sets.
func newService(t *testing.T, now *time.Time) *Service {
	t.Helper()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cw := cwops.New(cwops.Options{Region: "us-east-1", Account: "000000000000", Alarms: alarms.New(alarms.Options{Store: db})})
	return New(Options{Region: "us-east-1", Account: "000000000000", Store: db, Alarms: cw, Services: oneService{},
		Now: func() time.Time { return *now }})
}

func registerWeb(t *testing.T, s *Service) {
	t.Helper()
	lo, hi := 1, 4
	if _, err := s.RegisterScalableTarget(t.Context(), &RegisterScalableTargetInput{ServiceNamespace: NamespaceECS,
		ResourceId: "service/default/web", ScalableDimension: DimensionECSDesire, MinCapacity: &lo, MaxCapacity: &hi}); err != nil {
		t.Fatal(err)
	}
}

func TestActivitiesAreBounded(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := newService(t, &now)
	ctx := t.Context()
	old := Activity{ResourceID: "service/default/web", Description: "old", Start: now.Add(-ActivityRetention - time.Hour), Status: StatusSuccessful}
	if _, err := s.RecordActivity(ctx, old); err != nil {
		t.Fatal(err)
	}
	// Concurrent writers share the store's commits (and fsyncs).
	var wg sync.WaitGroup
	errs := make(chan error, MaxActivitiesPerTarget+5)
	for i := range MaxActivitiesPerTarget + 5 {
		wg.Go(func() {
			_, err := s.RecordActivity(ctx, Activity{ResourceID: "service/default/web", Start: now.Add(time.Duration(i) * time.Millisecond),
				Status: StatusSuccessful})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	p := ""
	for {
		out, err := s.DescribeScalingActivities(ctx, &DescribeScalingActivitiesInput{ServiceNamespace: NamespaceECS,
			ResourceId: "service/default/web", NextToken: p})
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range out.ScalingActivities {
			if a.Description == "old" {
				t.Fatal("an activity older than six weeks is kept")
			}
			if i > 0 && a.StartTime.After(out.ScalingActivities[i-1].StartTime) {
				t.Fatal("activities are not newest first")
			}
		}
		n += len(out.ScalingActivities)
		if p = out.NextToken; p == "" {
			break
		}
	}
	if n != MaxActivitiesPerTarget {
		t.Fatalf("%d activities kept, want %d", n, MaxActivitiesPerTarget)
	}
}

func TestRunScheduledAppliesItsCapacity(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := newService(t, &now)
	ctx := t.Context()
	registerWeb(t, s)
	six := 6
	if err := s.PutScheduledAction(ctx, &PutScheduledActionInput{ServiceNamespace: NamespaceECS, ResourceId: "service/default/web",
		ScalableDimension: DimensionECSDesire, ScheduledActionName: "up", Schedule: "rate(1 hour)",
		ScalableTargetAction: &ScalableTargetAction{MinCapacity: &six}}); err != nil {
		t.Fatal(err)
	}
	list, err := s.AllScheduled(ctx)
	if err != nil || len(list) != 1 || !list[0].Anchor.Equal(now) {
		t.Fatalf("scheduled = %+v, %v", list, err)
	}
	now = now.Add(time.Hour)
	tg, err := s.RunScheduled(ctx, list[0], now)
	// A minimum above the maximum raises the maximum with it.
	if err != nil || tg.Min != 6 || tg.Max != 6 || !tg.BoundsChanged.Equal(now) {
		t.Fatalf("after the run: %+v, %v", tg, err)
	}
	if err := s.MarkBoundsApplied(ctx, tg.ResourceID, tg.BoundsChanged); err != nil {
		t.Fatal(err)
	}
	if tg, _ = s.TargetOf(ctx, tg.ResourceID); !tg.BoundsApplied.Equal(now) {
		t.Fatalf("bounds applied = %v", tg.BoundsApplied)
	}
	// An action changed since it was read does not run.
	if err := s.PutScheduledAction(ctx, &PutScheduledActionInput{ServiceNamespace: NamespaceECS, ResourceId: "service/default/web",
		ScalableDimension: DimensionECSDesire, ScheduledActionName: "up", Schedule: "rate(2 hours)"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunScheduled(ctx, list[0], now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a changed action ran: %v", err)
	}
}

func TestCooldownMemorySurvivesAnUpdate(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := newService(t, &now)
	ctx := t.Context()
	registerWeb(t, s)
	zero, two := 0.0, 2
	put := func() string {
		out, err := s.PutScalingPolicy(ctx, &PutScalingPolicyInput{PolicyName: "add2", ServiceNamespace: NamespaceECS,
			ResourceId: "service/default/web", ScalableDimension: DimensionECSDesire, StepScalingPolicyConfiguration: &StepScalingPolicyConfiguration{
				AdjustmentType: AdjustChange, StepAdjustments: []StepAdjustment{{MetricIntervalLowerBound: &zero, ScalingAdjustment: &two}}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.PolicyARN
	}
	arn := put()
	if err := s.UpdateCooldown(ctx, "service/default/web", "add2", func(c *CooldownState) { c.LastOut, c.OutFrom = now, 1 }); err != nil {
		t.Fatal(err)
	}
	if again := put(); again != arn {
		t.Fatalf("ARN changed: %s", again)
	}
	p, tg, err := s.PolicyByARN(ctx, arn)
	if err != nil || !p.Cooldown.LastOut.Equal(now) || p.Cooldown.OutFrom != 1 || tg.ResourceID != "service/default/web" ||
		p.Step.Cooldown != DefaultCooldown || p.Step.Aggregation != "Average" {
		t.Fatalf("policy = %+v, target %+v, %v", p, tg, err)
	}
	if _, _, err := s.PolicyByARN(ctx, arn+"x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown ARN: %v", err)
	}
}

// FuzzParseSchedule: any expression and time zone parse or are refused
// with a ValidationException, and a cron schedule's next time is after
// the time asked for.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"cron(0 8 ? * MON-FRI *)", "cron(*/5 1-3,7 1 JAN-MAR ? 2027)", "rate(5 minutes)",
		"at(2026-12-01T14:00:00)", "cron(0 0 31 2 ? *)", "cron(59 23 L * ? *)"} {
		f.Add(s, "Europe/Brussels")
	}
	from := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr, tz string) {
		if len(expr) > 1600 || len(tz) > 1600 {
			return
		}
		s, err := ParseSchedule(expr, tz)
		if err != nil {
			if e, ok := asCode(err); !ok || e != CodeValidation {
				t.Fatalf("%q: %v", expr, err)
			}
			return
		}
		if next, ok := s.NextCron(from); ok && !next.After(from) {
			t.Fatalf("%q: next %v is not after %v", expr, next, from)
		}
	})
}
