package alarms

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// evaluation carries what the reasons are worded from.
type evaluation struct {
	alarm     *Alarm
	real      []Datapoint // newest first, at most EvaluationPeriods
	start     time.Time   // the oldest evaluated period
	queryDate time.Time
}

// reasonTime is how CloudWatch dates datapoints in a StateReason.
func reasonTime(t time.Time) string { return t.UTC().Format("02/01/06 15:04:05") }

// dataTime is how CloudWatch dates them in StateReasonData.
func dataTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000+0000") }

// javaDouble formats v as Java's Double.toString does, as CloudWatch's
// reasons show numbers ("80.0", "1.0E-4").
func javaDouble(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'g', -1, 64)
	case v == 0:
		return "0.0"
	case math.Abs(v) >= 1e-3 && math.Abs(v) < 1e7:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	default:
		s := strconv.FormatFloat(v, 'E', -1, 64) // 1E-04
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		e, _ := strconv.Atoi(exp)
		return mant + "E" + strconv.Itoa(e)
	}
}

var comparisonWords = map[string]string{
	GreaterThanOrEqual: "greater than or equal to",
	GreaterThan:        "greater than",
	LessThan:           "less than",
	LessThanOrEqual:    "less than or equal to",
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// outcome words a threshold crossing into state: counted datapoints (real
// ones on the deciding side) plus filled missing ones treated as `as`.
func (ev evaluation) outcome(state string, counted, filled int, as string) Outcome {
	a := ev.alarm
	n := a.EvaluationPeriods
	var list []string
	for _, d := range ev.real {
		if a.breaches(d.Value) == (state == StateAlarm) {
			list = append(list, javaDouble(d.Value)+" ("+reasonTime(d.Start)+")")
		}
	}
	words := comparisonWords[a.ComparisonOperator]
	if state == StateOK {
		words = "not " + words
	}
	var reason string
	switch {
	case counted == 0 && filled > 0:
		reason = fmt.Sprintf("Threshold Crossed: no datapoints were received for %d %s and %d missing %s treated as [%s].",
			filled, plural(filled, "period", "periods"), filled, plural(filled, "datapoint was", "datapoints were"), as)
	case n == 1 && filled == 0:
		reason = fmt.Sprintf("Threshold Crossed: 1 datapoint [%s] was %s the threshold (%s).",
			strings.Join(list, ", "), words, javaDouble(a.Threshold))
	default:
		min, from, to := a.M(), "OK", "ALARM"
		if state == StateOK {
			min, from, to = n-a.M()+1, "ALARM", "OK"
		}
		reason = fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] %s %s the threshold (%s) (minimum %d %s for %s -> %s transition).",
			counted, n, strings.Join(list, ", "), plural(counted, "was", "were"), words, javaDouble(a.Threshold),
			min, plural(min, "datapoint", "datapoints"), from, to)
		if filled > 0 && as != "" {
			reason += fmt.Sprintf(" %d missing %s treated as [%s].", filled, plural(filled, "datapoint was", "datapoints were"), as)
		}
	}
	return Outcome{State: state, Reason: reason, ReasonData: ev.data()}
}

func (ev evaluation) insufficient(n int) Outcome {
	return Outcome{
		State:      StateInsufficientData,
		Reason:     fmt.Sprintf("Insufficient Data: %d %s unknown.", n, plural(n, "datapoint was", "datapoints were")),
		ReasonData: ev.data(),
	}
}

type reasonDatapoint struct {
	Timestamp   string   `json:"timestamp"`
	SampleCount *float64 `json:"sampleCount,omitempty"`
	Value       *float64 `json:"value,omitempty"`
}

type reasonData struct {
	Version             string            `json:"version"`
	QueryDate           string            `json:"queryDate"`
	StartDate           string            `json:"startDate"`
	Statistic           string            `json:"statistic,omitempty"`
	ExtendedStatistic   string            `json:"extendedStatistic,omitempty"`
	Unit                string            `json:"unit,omitempty"`
	Period              int               `json:"period"`
	RecentDatapoints    []float64         `json:"recentDatapoints"`
	Threshold           float64           `json:"threshold"`
	EvaluatedDatapoints []reasonDatapoint `json:"evaluatedDatapoints,omitempty"`
}

// data is the StateReasonData JSON, in CloudWatch's shape.
func (ev evaluation) data() string {
	a := ev.alarm
	d := reasonData{
		Version: "1.0", QueryDate: dataTime(ev.queryDate), StartDate: dataTime(ev.start),
		Statistic: a.Statistic, ExtendedStatistic: a.ExtendedStatistic, Unit: a.Unit,
		Period: a.Period, RecentDatapoints: []float64{}, Threshold: a.Threshold,
	}
	for i := len(ev.real) - 1; i >= 0; i-- { // oldest first, as CloudWatch lists them
		p := ev.real[i]
		d.RecentDatapoints = append(d.RecentDatapoints, p.Value)
	}
	for _, p := range ev.real {
		p := p
		d.EvaluatedDatapoints = append(d.EvaluatedDatapoints, reasonDatapoint{Timestamp: dataTime(p.Start), SampleCount: &p.SampleCount, Value: &p.Value})
	}
	b, _ := json.Marshal(d)
	return string(b)
}
