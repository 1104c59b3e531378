package alarms

import (
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/metricstore"
)

// ExtraPeriods is how many periods beyond EvaluationPeriods an evaluation
// looks back (CloudWatch's "evaluation range"): when some of the latest
// periods have no data, older real datapoints are used before any missing
// one is filled in with TreatMissingData.
const ExtraPeriods = 2

// Datapoint is one period of an alarm's evaluation range.
type Datapoint struct {
	Start time.Time
	// Missing is true when the period has no data (or, with
	// EvaluateLowSampleCountPercentile "ignore", too little of it).
	Missing     bool
	Value       float64
	SampleCount float64
}

// Outcome is the result of one evaluation.
type Outcome struct {
	// State is the state the alarm should be in; "" keeps the current one
	// (TreatMissingData ignore).
	State      string
	Reason     string
	ReasonData string
}

// StatisticValue returns the alarm's statistic of agg, and false when it has
// none (an empty period, or a percentile of data that has none).
func StatisticValue(agg metricstore.Aggregate, statistic, extended string) (float64, bool) {
	if agg.Empty() {
		return 0, false
	}
	if extended != "" {
		p, err := strconv.ParseFloat(strings.TrimPrefix(extended, "p"), 64)
		if err != nil {
			return 0, false
		}
		return agg.Percentile(p)
	}
	switch statistic {
	case "SampleCount":
		return agg.Count, true
	case "Sum":
		return agg.Sum, true
	case "Minimum":
		return agg.Min, true
	case "Maximum":
		return agg.Max, true
	default:
		return agg.Average(), true
	}
}

// LowSampleCount reports whether a percentile datapoint has too few samples
// to be significant: fewer than 10/(1-p), CloudWatch's rule.
func LowSampleCount(extended string, count float64) bool {
	p, err := strconv.ParseFloat(strings.TrimPrefix(extended, "p"), 64)
	if err != nil || p >= 100 {
		return false
	}
	return count < 10/(1-p/100)
}

// breaches reports whether v is on the alarming side of the threshold.
func (a *Alarm) breaches(v float64) bool {
	switch a.ComparisonOperator {
	case GreaterThanOrEqual:
		return v >= a.Threshold
	case GreaterThan:
		return v > a.Threshold
	case LessThan:
		return v < a.Threshold
	default:
		return v <= a.Threshold
	}
}

// Evaluate decides the alarm's state from its evaluation range (oldest
// first, EvaluationPeriods+ExtraPeriods periods), as CloudWatch documents:
//   - with at least EvaluationPeriods real datapoints in the range, the most
//     recent EvaluationPeriods of them decide and TreatMissingData does not
//     matter;
//   - with none, TreatMissingData decides: missing -> INSUFFICIENT_DATA,
//     ignore -> keep the state, breaching -> ALARM, notBreaching -> OK;
//   - with some, every real datapoint counts and the missing ones are filled
//     in as TreatMissingData says (missing: not counted; ignore: not counted,
//     and the state is kept unless the real ones decide it either way).
//
// The alarm goes to ALARM when at least DatapointsToAlarm of the evaluated
// datapoints breach, else to OK.
func Evaluate(a *Alarm, rng []Datapoint, queryDate time.Time) Outcome {
	n, m := a.EvaluationPeriods, a.M()
	var real []Datapoint // newest first
	for i := len(rng) - 1; i >= 0; i-- {
		if !rng[i].Missing {
			real = append(real, rng[i])
		}
	}
	if len(real) > n {
		real = real[:n]
	}
	ev := evaluation{alarm: a, real: real, queryDate: queryDate}
	if len(real) > 0 {
		ev.start = real[len(real)-1].Start
	} else if len(rng) > 0 {
		ev.start = rng[len(rng)-1].Start
	}
	filled := n - len(real)
	if len(real) == 0 {
		switch a.Treatment() {
		case MissingIgnore:
			return Outcome{}
		case MissingBreaching:
			return ev.outcome(StateAlarm, 0, filled, "Breaching")
		case MissingNotBreaching:
			return ev.outcome(StateOK, 0, filled, "NonBreaching")
		default:
			return ev.insufficient(n)
		}
	}
	breaching := 0
	for _, d := range real {
		if a.breaches(d.Value) {
			breaching++
		}
	}
	notBreaching := len(real) - breaching
	switch a.Treatment() {
	case MissingBreaching:
		if breaching+filled >= m {
			return ev.outcome(StateAlarm, breaching, filled, "Breaching")
		}
		return ev.outcome(StateOK, notBreaching, 0, "")
	case MissingNotBreaching:
		if breaching >= m {
			return ev.outcome(StateAlarm, breaching, 0, "")
		}
		return ev.outcome(StateOK, notBreaching, filled, "NonBreaching")
	case MissingIgnore:
		switch {
		case breaching >= m:
			return ev.outcome(StateAlarm, breaching, 0, "")
		case notBreaching > n-m:
			return ev.outcome(StateOK, notBreaching, 0, "")
		default:
			return Outcome{}
		}
	default:
		if breaching >= m {
			return ev.outcome(StateAlarm, breaching, 0, "")
		}
		return ev.outcome(StateOK, notBreaching, 0, "")
	}
}
