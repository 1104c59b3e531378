package alarms

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// rangeOf builds an evaluation range from a CloudWatch-docs style pattern,
// oldest first: "0" not breaching, "X" breaching, "-" missing.
func rangeOf(pattern string) []Datapoint {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var out []Datapoint
	for i, c := range strings.Fields(pattern) {
		d := Datapoint{Start: t0.Add(time.Duration(i) * time.Minute), SampleCount: 1}
		switch c {
		case "0":
			d.Value = 1
		case "X":
			d.Value = 10
		default:
			d.Missing = true
		}
		out = append(out, d)
	}
	return out
}

func TestEvaluateMissingData(t *testing.T) {
	// 3 of 3 with the rows of CloudWatch's missing-data table, and M of N.
	cases := []struct {
		pattern string
		m, n    int
		want    map[string]string // by TreatMissingData; "" keeps the state
	}{
		{"0 - X - X", 3, 3, map[string]string{"missing": "OK", "ignore": "OK", "breaching": "OK", "notBreaching": "OK"}},
		{"- - - - -", 3, 3, map[string]string{"missing": "INSUFFICIENT_DATA", "ignore": "", "breaching": "ALARM", "notBreaching": "OK"}},
		{"0 X X - X", 3, 3, map[string]string{"missing": "ALARM", "ignore": "ALARM", "breaching": "ALARM", "notBreaching": "ALARM"}},
		{"- - X - -", 3, 3, map[string]string{"missing": "OK", "ignore": "", "breaching": "ALARM", "notBreaching": "OK"}},
		{"- - - 0 X", 2, 3, map[string]string{"missing": "OK", "ignore": "", "breaching": "ALARM", "notBreaching": "OK"}},
		{"0 0 X 0 X", 2, 3, map[string]string{"missing": "ALARM", "ignore": "ALARM", "breaching": "ALARM", "notBreaching": "ALARM"}},
		{"X X 0 0 X", 2, 3, map[string]string{"missing": "OK", "ignore": "OK", "breaching": "OK", "notBreaching": "OK"}},
	}
	for _, c := range cases {
		for treat, want := range c.want {
			a := &Alarm{Name: "a", Statistic: "Average", Period: 60, EvaluationPeriods: c.n, DatapointsToAlarm: c.m,
				Threshold: 5, ComparisonOperator: GreaterThan, TreatMissingData: treat, State: StateOK}
			got := Evaluate(a, rangeOf(c.pattern), time.Now())
			if got.State != want {
				t.Errorf("%q %d of %d, %s: %q (%s), want %q", c.pattern, c.m, c.n, treat, got.State, got.Reason, want)
			}
			if got.State != "" && !json.Valid([]byte(got.ReasonData)) {
				t.Errorf("reason data is not JSON: %s", got.ReasonData)
			}
		}
	}
}

func TestReasons(t *testing.T) {
	a := &Alarm{Name: "cpu", Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: GreaterThan}
	got := Evaluate(a, rangeOf("- - X"), time.Now())
	want := "Threshold Crossed: 1 datapoint [10.0 (01/12/26 09:02:00)] was greater than the threshold (5.0)."
	if got.Reason != want {
		t.Errorf("reason\n got %q\nwant %q", got.Reason, want)
	}
	a.EvaluationPeriods, a.DatapointsToAlarm = 3, 2
	got = Evaluate(a, rangeOf("0 0 X 0 X"), time.Now())
	want = "Threshold Crossed: 2 out of the last 3 datapoints [10.0 (01/12/26 09:04:00), 10.0 (01/12/26 09:02:00)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition)."
	if got.Reason != want {
		t.Errorf("reason\n got %q\nwant %q", got.Reason, want)
	}
	a.TreatMissingData = MissingBreaching
	got = Evaluate(a, rangeOf("- - - - -"), time.Now())
	want = "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching]."
	if got.Reason != want {
		t.Errorf("reason\n got %q\nwant %q", got.Reason, want)
	}
	a.TreatMissingData = ""
	if got = Evaluate(a, rangeOf("- - - - -"), time.Now()); got.Reason != "Insufficient Data: 3 datapoints were unknown." {
		t.Errorf("reason %q", got.Reason)
	}
	for v, s := range map[float64]string{80: "80.0", 0.5: "0.5", 1e-4: "1.0E-4", 12345678: "1.2345678E7", 0: "0.0"} {
		if javaDouble(v) != s {
			t.Errorf("javaDouble(%v) = %q, want %q", v, javaDouble(v), s)
		}
	}
}
