package autoscaler

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func snap(desired int) Snapshot {
	return Snapshot{Min: 1, Max: 6, Desired: desired, OutCooldown: 300 * time.Second, InCooldown: 300 * time.Second, Now: t0}
}

func TestPlanTracking(t *testing.T) {
	cooling := snap(4)
	cooling.Cooldown = aasops.CooldownState{LastOut: t0.Add(-time.Minute), OutFrom: 2}
	inCooling := snap(4)
	inCooling.Cooldown = aasops.CooldownState{LastIn: t0.Add(-time.Minute)}
	deploying := snap(4)
	deploying.Deploying = true
	suspended := snap(2)
	suspended.SuspendOut = true
	for _, c := range []struct {
		name           string
		s              Snapshot
		metric         float64
		high, disable  bool
		scale          bool
		desired        int
		notScaled      string
		heldBackReason bool
	}{
		{name: "2 tasks at 100% with target 50 need 4", s: snap(2), metric: 100, high: true, scale: true, desired: 4},
		{name: "rounded up", s: snap(2), metric: 51, high: true, scale: true, desired: 3},
		{name: "capped at max", s: snap(4), metric: 200, high: true, scale: true, desired: 6},
		{name: "at max", s: snap(6), metric: 90, high: true, notScaled: NotScaledAtMax},
		{name: "during the scale-out cooldown the added tasks count", s: cooling, metric: 100, high: true, heldBackReason: true},
		{name: "a larger need scales further during the cooldown", s: cooling, metric: 150, high: true, scale: true, desired: 6},
		{name: "scale-out suspended", s: suspended, metric: 100, high: true, heldBackReason: true},
		{name: "scale in to the least capacity at or below target", s: snap(4), metric: 20, scale: true, desired: 2},
		{name: "scale in bounded by min", s: snap(4), metric: 1, scale: true, desired: 1},
		{name: "at min", s: snap(1), metric: 1, notScaled: NotScaledAtMin},
		{name: "scale-in disabled", s: snap(4), metric: 1, disable: true, heldBackReason: true},
		{name: "scale-in waits for the scale-in cooldown", s: inCooling, metric: 1, heldBackReason: true},
		{name: "scale-in waits for the scale-out cooldown", s: cooling, metric: 1, heldBackReason: true},
		{name: "no scale-in during a deployment", s: deploying, metric: 1, heldBackReason: true},
		{name: "scale-out during a deployment", s: deploying, metric: 100, high: true, scale: true, desired: 6},
	} {
		d := PlanTracking(c.s, 50, c.metric, c.high, c.disable)
		if d.Scale != c.scale || (c.scale && d.Desired != c.desired) || d.NotScaled != c.notScaled || (c.heldBackReason && d.Held == "") {
			t.Errorf("%s: %+v", c.name, d)
		}
	}
}

func fp(v float64) *float64 { return &v }

func TestPlanStep(t *testing.T) {
	seed := aasops.StepConfig{AdjustmentType: aasops.AdjustChange, Aggregation: "Average",
		Steps: []aasops.Step{{Lower: fp(0), Upper: fp(20), Adjustment: 1}, {Lower: fp(20), Adjustment: 2}}}
	in := aasops.StepConfig{AdjustmentType: aasops.AdjustChange, Steps: []aasops.Step{{Upper: fp(0), Adjustment: -1}}}
	pct := aasops.StepConfig{AdjustmentType: aasops.AdjustPercentChange, MinAdjustmentMagnitude: 2, Steps: []aasops.Step{{Lower: fp(0), Adjustment: 10}}}
	exact := aasops.StepConfig{AdjustmentType: aasops.AdjustExact, Steps: []aasops.Step{{Lower: fp(0), Adjustment: 5}}}
	cooling := snap(3)
	cooling.Cooldown = aasops.CooldownState{LastOut: t0.Add(-time.Minute), OutFrom: 2}
	for _, c := range []struct {
		name         string
		s            Snapshot
		cfg          aasops.StepConfig
		value        float64
		scale        bool
		desired      int
		notScaledOrH bool
	}{
		{name: "the lower bound is inclusive above the threshold", s: snap(2), cfg: seed, value: 30, scale: true, desired: 3},
		{name: "a higher step adds 2", s: snap(2), cfg: seed, value: 55, scale: true, desired: 4},
		{name: "during the cooldown only a larger step scales further", s: cooling, cfg: seed, value: 35, notScaledOrH: true},
		{name: "a larger step during the cooldown", s: cooling, cfg: seed, value: 60, scale: true, desired: 4},
		{name: "scale in one by one", s: snap(3), cfg: in, value: 10, scale: true, desired: 2},
		{name: "the upper bound is inclusive below the threshold", s: snap(3), cfg: in, value: 30, scale: true, desired: 2},
		{name: "no scale-in during the cooldown", s: cooling, cfg: in, value: 10, notScaledOrH: true},
		{name: "percent with a minimum magnitude", s: snap(3), cfg: pct, value: 31, scale: true, desired: 5},
		{name: "exact capacity, capped at max", s: snap(2), cfg: exact, value: 31, scale: true, desired: 5},
		{name: "no step covers the value", s: snap(2), cfg: seed, value: 29, notScaledOrH: true},
	} {
		d := PlanStep(c.s, c.cfg, c.value, 30, c.cfg.Steps[0].Upper != nil && *c.cfg.Steps[0].Upper == 0)
		if d.Scale != c.scale || (c.scale && d.Desired != c.desired) || (c.notScaledOrH && d.NotScaled == "" && d.Held == "") {
			t.Errorf("%s: %+v", c.name, d)
		}
	}
}

func TestAggregate(t *testing.T) {
	vals := []float64{10, 40, 25}
	for kind, want := range map[string]float64{"Average": 25, "Minimum": 10, "Maximum": 40} {
		if got, ok := Aggregate(kind, vals); !ok || got != want {
			t.Errorf("%s = %v", kind, got)
		}
	}
	if _, ok := Aggregate("Average", nil); ok {
		t.Error("no values aggregate to something")
	}
}

func TestDueAt(t *testing.T) {
	clk, _ := clock.New(60)
	parse := func(expr, tz string) aasops.Schedule {
		s, err := aasops.ParseSchedule(expr, tz)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// rate(): one interval (scaled) after the schedule was set, then every interval.
	rate := parse("rate(5 minutes)", "")
	a := aasops.Scheduled{Anchor: t0}
	if due, ok := DueAt(a, rate, clk); !ok || !due.Equal(t0.Add(5*time.Second)) {
		t.Errorf("first rate run = %v", due)
	}
	a.LastRun = t0.Add(5 * time.Second)
	if due, _ := DueAt(a, rate, clk); !due.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("second rate run = %v", due)
	}
	// Missed runs collapse into one.
	if got := ranUntil(a, rate, t0.Add(10*time.Second), t0.Add(32*time.Second), clk); !got.Equal(t0.Add(30 * time.Second)) {
		t.Errorf("ran until = %v", got)
	}
	end := t0.Add(7 * time.Second)
	a.End = &end
	if _, ok := DueAt(a, rate, clk); ok {
		t.Error("a run after EndTime")
	}
	// cron() in a time zone: 08:00 in Brussels is 07:00 UTC in winter.
	cron := parse("cron(0 8 ? * MON-FRI *)", "Europe/Brussels")
	due, ok := DueAt(aasops.Scheduled{Anchor: t0}, cron, clk) // Tuesday 12:00 UTC
	if !ok || !due.Equal(time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("cron due = %v", due.UTC())
	}
	weekend := parse("cron(30 9 ? * SAT *)", "")
	if due, _ := DueAt(aasops.Scheduled{Anchor: t0}, weekend, clk); !due.Equal(time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("saturday = %v", due)
	}
	monthly := parse("cron(0 0 1 */3 ? 2027)", "")
	if due, _ := DueAt(aasops.Scheduled{Anchor: t0}, monthly, clk); !due.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("quarterly = %v", due)
	}
	// at(): once, at its wall time in its zone.
	at := parse("at(2026-12-01T14:00:00)", "Pacific/Tahiti") // UTC-10
	if due, ok := DueAt(aasops.Scheduled{Anchor: t0}, at, clk); !ok || !due.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("at = %v", due.UTC())
	}
	if _, ok := DueAt(aasops.Scheduled{Anchor: t0, LastRun: t0}, at, clk); ok {
		t.Error("an at() action runs twice")
	}
}
