package autoscaler

import (
	"math"
	"time"

	"github.com/slipway-dev/slipway/internal/ops/aasops"
)

// Not-scaled reason codes, in the service's words.
const (
	NotScaledAtMax     = "AlreadyAtMaxCapacity"
	NotScaledAtMin     = "AlreadyAtMinCapacity"
	NotScaledAtDesired = "AlreadyAtDesiredCapacity"
)

// Snapshot is what a scaling decision is planned from: the target's bounds
// and suspensions, the service, the policy's cooldown memory and the time.
type Snapshot struct {
	Min, Max int
	// Desired is the service's desired count (the target's capacity).
	Desired int
	// Deploying is true while an ECS deployment is in progress: as on
	// AWS, scale-in waits for it to finish and scale-out goes on.
	Deploying               bool
	SuspendIn, SuspendOut   bool
	Cooldown                aasops.CooldownState
	OutCooldown, InCooldown time.Duration // real lengths
	Now                     time.Time
}

// Decision is a plan's outcome: Scale with the new desired count, or why
// not. A decision that neither scales nor has a code was held back (a
// cooldown, a suspension, a deployment, nothing to do).
type Decision struct {
	Scale     bool
	Desired   int
	Out       bool // the change, or the one held back, is a scale-out
	NotScaled string
	Held      string // why a change was held back, for the logs
}

// PlanTracking plans a target tracking policy's answer to its alarm: high
// (the metric above the target) scales out to the capacity that brings the
// metric to the target, low scales in to the least capacity that keeps it
// at or below the target. metric is the alarm's latest datapoint.
//
// During the scale-out cooldown the capacity is planned from the capacity
// the last scale-out started from, so that the tasks it added (still
// starting, not yet lowering the metric) count toward the next one; a
// scale-in waits for the scale-in cooldown after the last scale-in and the
// scale-out cooldown after the last scale-out.
func PlanTracking(s Snapshot, target, metric float64, high, disableScaleIn bool) Decision {
	base := s.Desired
	outCooling := !s.Cooldown.LastOut.IsZero() && s.Now.Before(s.Cooldown.LastOut.Add(s.OutCooldown))
	if high && outCooling && s.Cooldown.OutFrom > 0 {
		base = s.Cooldown.OutFrom
	}
	want := int(math.Ceil(float64(base) * metric / target))
	if math.IsNaN(metric) || target <= 0 {
		return Decision{Held: "no metric value"}
	}
	if high {
		if base == 0 {
			want = 1 // a metric above the target with no capacity: start one
		}
		return scaleOut(s, want, outCooling)
	}
	if disableScaleIn {
		return Decision{Held: "scale-in is disabled"}
	}
	return scaleIn(s, want, outCooling)
}

// scaleOut decides a scale-out to want (before the bounds); during the
// scale-out cooldown (cooling) a want the last scale-out already met is
// held back, not recorded as not scaled.
func scaleOut(s Snapshot, want int, cooling bool) Decision {
	d := Decision{Out: true}
	switch {
	case s.SuspendOut:
		d.Held = "dynamic scale-out is suspended"
	case s.Desired >= s.Max:
		d.NotScaled = NotScaledAtMax
	case want <= s.Desired && cooling:
		d.Held = "the scale-out cooldown is in effect"
	case want <= s.Desired:
		d.NotScaled = NotScaledAtDesired
	default:
		d.Scale, d.Desired = true, min(want, s.Max)
	}
	return d
}

// scaleIn decides a scale-in to want (before the bounds).
func scaleIn(s Snapshot, want int, outCooling bool) Decision {
	d := Decision{}
	inCooling := !s.Cooldown.LastIn.IsZero() && s.Now.Before(s.Cooldown.LastIn.Add(s.InCooldown))
	switch {
	case s.SuspendIn:
		d.Held = "dynamic scale-in is suspended"
	case s.Deploying:
		d.Held = "a deployment is in progress"
	case inCooling:
		d.Held = "the scale-in cooldown is in effect"
	case outCooling:
		d.Held = "the scale-out cooldown is in effect"
	case s.Desired <= s.Min:
		d.NotScaled = NotScaledAtMin
	case want >= s.Desired:
		d.NotScaled = NotScaledAtDesired
	default:
		d.Scale, d.Desired = true, max(want, s.Min)
	}
	return d
}

// PlanStep plans a step scaling policy's answer to its alarm: the step
// whose interval holds the metric's distance from the threshold (lower
// bound inclusive above the threshold, upper bound inclusive below it)
// gives the adjustment; below says the alarm breaches below its threshold
// (a Less* operator), which decides the side a value at the threshold is on. During the cooldown after a scale-out, a
// scale-out is planned from the capacity that one started from (only a
// larger step scales further) and a scale-in waits.
func PlanStep(s Snapshot, c aasops.StepConfig, value, threshold float64, below bool) Decision {
	diff := value - threshold
	step, ok := matchStep(c.Steps, diff, below)
	if !ok {
		return Decision{Held: "no step adjustment covers the metric value"}
	}
	cooling := func(t time.Time) bool { return !t.IsZero() && s.Now.Before(t.Add(s.OutCooldown)) }
	outCooling := cooling(s.Cooldown.LastOut)
	base := s.Desired
	want := adjust(c, step.Adjustment, base)
	if want > s.Desired || (want == s.Desired && step.Adjustment > 0) {
		if outCooling && s.Cooldown.OutFrom > 0 {
			want = adjust(c, step.Adjustment, s.Cooldown.OutFrom)
		}
		return scaleOut(s, want, outCooling)
	}
	if cooling(s.Cooldown.LastIn) || outCooling {
		return Decision{Held: "the cooldown is in effect"}
	}
	s.InCooldown = 0 // the policy's one cooldown was checked above
	return scaleIn(s, want, false)
}

// matchStep finds the step whose interval holds diff: above the threshold
// lower bounds are inclusive, below it upper bounds are.
func matchStep(steps []aasops.Step, diff float64, below bool) (aasops.Step, bool) {
	for _, st := range steps {
		lo, hi := math.Inf(-1), math.Inf(1)
		if st.Lower != nil {
			lo = *st.Lower
		}
		if st.Upper != nil {
			hi = *st.Upper
		}
		if (!below && lo <= diff && diff < hi) || (below && lo < diff && diff <= hi) {
			return st, true
		}
	}
	return aasops.Step{}, false
}

// adjust applies an adjustment to capacity: ExactCapacity sets it,
// ChangeInCapacity adds to it, PercentChangeInCapacity adds that percent
// of it, rounded toward zero but by at least one (and at least
// MinAdjustmentMagnitude) when not zero, as Application Auto Scaling does.
func adjust(c aasops.StepConfig, adj, capacity int) int {
	switch c.AdjustmentType {
	case aasops.AdjustExact:
		return adj
	case aasops.AdjustPercentChange:
		change := float64(capacity) * float64(adj) / 100
		n := int(math.Trunc(change))
		if n == 0 && change != 0 {
			n = int(math.Copysign(1, change))
		}
		if m := c.MinAdjustmentMagnitude; m > 0 && n != 0 && abs(n) < m {
			n = int(math.Copysign(float64(m), float64(n)))
		}
		return max(capacity+n, 0)
	}
	return max(capacity+adj, 0)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Aggregate combines datapoint values by a MetricAggregationType.
func Aggregate(kind string, values []float64) (float64, bool) {
	if len(values) == 0 {
		return 0, false
	}
	out := values[0]
	sum := 0.0
	for _, v := range values {
		sum += v
		switch kind {
		case "Minimum":
			out = math.Min(out, v)
		case "Maximum":
			out = math.Max(out, v)
		}
	}
	if kind == "Minimum" || kind == "Maximum" {
		return out, true
	}
	return sum / float64(len(values)), true
}
