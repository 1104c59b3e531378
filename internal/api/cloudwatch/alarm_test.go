package cloudwatch

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// recordingAction stands in for Application Auto Scaling: it records runs.
type recordingAction struct {
	mu   sync.Mutex
	runs []alarms.StateChange
}

func (r *recordingAction) Run(_ context.Context, _ string, c alarms.StateChange) error {
	r.mu.Lock()
	r.runs = append(r.runs, c)
	r.mu.Unlock()
	return nil
}

func (r *recordingAction) count(state string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.runs {
		if c.New == state {
			n++
		}
	}
	return n
}

// TestAlarmLifecycle puts metric data through the API and follows four
// alarms, one per TreatMissingData, through OK -> ALARM and then a gap in
// the data, at --time-scale 60 (a one-minute period lasts a second). Each
// is 2 out of 3 datapoints on the Maximum.
func TestAlarmLifecycle(t *testing.T) {
	act := &recordingAction{}
	f := newFixture(t, 60, alarms.Target{Prefix: "arn:aws:autoscaling:", Action: act, Repeat: true})
	ctx := context.Background()
	var changes []alarms.StateChange
	var mu sync.Mutex
	f.engine.Listen(func(c alarms.StateChange) { mu.Lock(); changes = append(changes, c); mu.Unlock() })
	policy := "arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:0b1c:resource/ecs/service/default/web:policyName/out"
	treatments := []string{"missing", "notBreaching", "breaching", "ignore"}
	for _, tm := range treatments {
		_, err := f.sdk.PutMetricAlarm(ctx, &sdk.PutMetricAlarmInput{AlarmName: aws.String(tm), Namespace: aws.String("App"),
			MetricName: aws.String("Errors-" + tm), Statistic: types.StatisticMaximum, Period: aws.Int32(60),
			EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(2), Threshold: aws.Float64(5),
			ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String(tm),
			AlarmActions: []string{policy, "arn:aws:sns:us-east-1:000000000000:pager"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A writer puts the current value of every metric every 100 ms; a
	// negative value means no data.
	var value struct {
		sync.Mutex
		v float64
	}
	setValue := func(v float64) { value.Lock(); value.v = v; value.Unlock() }
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			value.Lock()
			v := value.v
			value.Unlock()
			if v < 0 {
				continue
			}
			var data []types.MetricDatum
			for _, tm := range treatments {
				data = append(data, types.MetricDatum{MetricName: aws.String("Errors-" + tm), Value: aws.Float64(v)})
			}
			if _, err := f.sdk.PutMetricData(ctx, &sdk.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	states := func() map[string]types.MetricAlarm {
		out, err := f.sdk.DescribeAlarms(ctx, &sdk.DescribeAlarmsInput{})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]types.MetricAlarm{}
		for _, a := range out.MetricAlarms {
			m[*a.AlarmName] = a
		}
		return m
	}
	waitFor := func(want map[string]types.StateValue) map[string]types.MetricAlarm {
		var got map[string]types.MetricAlarm
		testutil.Eventually(t, 15*time.Second, func() (bool, string) {
			got = states()
			var bad []string
			for n, s := range want {
				if got[n].StateValue != s {
					bad = append(bad, n+"="+string(got[n].StateValue)+" (want "+string(s)+")")
				}
			}
			return len(bad) == 0, strings.Join(bad, ", ")
		})
		return got
	}
	setValue(1)
	waitFor(map[string]types.StateValue{"missing": "OK", "notBreaching": "OK", "breaching": "OK", "ignore": "OK"})
	setValue(10)
	got := waitFor(map[string]types.StateValue{"missing": "ALARM", "notBreaching": "ALARM", "breaching": "ALARM", "ignore": "ALARM"})
	if r := *got["missing"].StateReason; !strings.HasPrefix(r, "Threshold Crossed: ") || !strings.Contains(r, "out of the last 3 datapoints") ||
		!strings.Contains(r, "were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).") {
		t.Errorf("ALARM reason: %s", r)
	}
	setValue(-1) // the data stops
	waitFor(map[string]types.StateValue{"missing": "INSUFFICIENT_DATA", "notBreaching": "OK"})
	got = states()
	if got["breaching"].StateValue != "ALARM" || got["ignore"].StateValue != "ALARM" {
		t.Errorf("with no data, breaching is %s and ignore %s; both should stay ALARM", got["breaching"].StateValue, got["ignore"].StateValue)
	}
	if r := *got["notBreaching"].StateReason; !strings.Contains(r, "treated as [NonBreaching]") {
		t.Errorf("notBreaching reason: %s", r)
	}
	// The data comes back low: every alarm returns to OK.
	setValue(1)
	waitFor(map[string]types.StateValue{"missing": "OK", "notBreaching": "OK", "breaching": "OK", "ignore": "OK"})

	h, err := f.sdk.DescribeAlarmHistory(ctx, &sdk.DescribeAlarmHistoryInput{AlarmName: aws.String("missing"),
		HistoryItemType: types.HistoryItemTypeStateUpdate, ScanBy: types.ScanByTimestampAscending})
	if err != nil {
		t.Fatal(err)
	}
	var summaries []string
	for _, it := range h.AlarmHistoryItems {
		summaries = append(summaries, *it.HistorySummary)
	}
	// As the breaching datapoints leave the range one by one, fewer than
	// DatapointsToAlarm of them remain before none does: OK, then
	// INSUFFICIENT_DATA.
	want := "Alarm updated from INSUFFICIENT_DATA to OK|Alarm updated from OK to ALARM|Alarm updated from ALARM to OK|" +
		"Alarm updated from OK to INSUFFICIENT_DATA|Alarm updated from INSUFFICIENT_DATA to OK"
	if strings.Join(summaries, "|") != want {
		t.Errorf("history:\n got %s\nwant %s", strings.Join(summaries, "|"), want)
	}
	// Four alarms went to ALARM: their autoscaling action ran for each, and
	// again while they stayed there; the SNS topic is stored only.
	if n := act.count("ALARM"); n < 6 {
		t.Errorf("the policy ran %d times for ALARM, want at least 4 transitions and some repeats", n)
	}
	mu.Lock()
	n := len(changes)
	mu.Unlock()
	if n < 12 {
		t.Errorf("listeners saw %d changes, want at least 12", n)
	}
	acts, _ := f.sdk.DescribeAlarmHistory(ctx, &sdk.DescribeAlarmHistoryInput{AlarmName: aws.String("missing"), HistoryItemType: types.HistoryItemTypeAction})
	if len(acts.AlarmHistoryItems) == 0 || !strings.HasPrefix(*acts.AlarmHistoryItems[0].HistorySummary, "Successfully executed action arn:aws:autoscaling:") {
		t.Errorf("action history: %+v", acts.AlarmHistoryItems)
	}
}
