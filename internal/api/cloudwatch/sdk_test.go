package cloudwatch

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestSDKMetrics drives the metric operations with aws-sdk-go-v2 (RPC v2 CBOR).
func TestSDKMetrics(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	now := time.Now().UTC()
	dims := []types.Dimension{{Name: aws.String("Service"), Value: aws.String("web")}}
	_, err := f.sdk.PutMetricData(ctx, &sdk.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Latency"), Dimensions: dims, Timestamp: aws.Time(now.Add(-2 * time.Minute)), Unit: types.StandardUnitSeconds,
			Values: []float64{0.1, 0.2, 0.3, 1.5}, Counts: []float64{10, 10, 10, 1}},
		{MetricName: aws.String("Requests"), Dimensions: dims, Timestamp: aws.Time(now.Add(-2 * time.Minute)), Value: aws.Float64(31), Unit: types.StandardUnitCount},
	}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.sdk.GetMetricStatistics(ctx, &sdk.GetMetricStatisticsInput{
		Namespace: aws.String("App"), MetricName: aws.String("Latency"), Dimensions: dims,
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now), Period: aws.Int32(600),
		Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticMaximum, types.StatisticAverage}, ExtendedStatistics: []string{"p99", "p50"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Datapoints) != 1 {
		t.Fatalf("datapoints %+v", st.Datapoints)
	}
	dp := st.Datapoints[0]
	if *dp.SampleCount != 31 || *dp.Maximum != 1.5 || dp.Unit != types.StandardUnitSeconds || aws.ToString(st.Label) != "Latency" {
		t.Errorf("datapoint %+v", dp)
	}
	if p := dp.ExtendedStatistics["p50"]; math.Abs(p-0.2)/0.2 > 0.05 {
		t.Errorf("p50 = %v, want 0.2 within 5%%", p)
	}
	lm, err := f.sdk.ListMetrics(ctx, &sdk.ListMetricsInput{Namespace: aws.String("App"),
		Dimensions: []types.DimensionFilter{{Name: aws.String("Service")}}})
	if err != nil || len(lm.Metrics) != 2 {
		t.Fatalf("ListMetrics: %+v, %v", lm, err)
	}
	md, err := f.sdk.GetMetricData(ctx, &sdk.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now),
		MetricDataQueries: []types.MetricDataQuery{
			{Id: aws.String("req"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("Sum"),
				Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Requests"), Dimensions: dims}}},
			{Id: aws.String("n"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("SampleCount"),
				Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Latency"), Dimensions: dims}}},
			{Id: aws.String("ratio"), Expression: aws.String("(req - 1) / n * 100"), Label: aws.String("share")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(md.MetricDataResults) != 1 || len(md.MetricDataResults[0].Values) != 1 || md.MetricDataResults[0].Values[0] != 30.0/31*100 ||
		aws.ToString(md.MetricDataResults[0].Label) != "share" || md.MetricDataResults[0].StatusCode != types.StatusCodeComplete {
		t.Errorf("GetMetricData: %+v", md.MetricDataResults)
	}
	// Errors, in CloudWatch's codes.
	for _, c := range []struct {
		name string
		call func() error
		code string
	}{
		{"AWS namespace", func() error {
			_, err := f.sdk.PutMetricData(ctx, &sdk.PutMetricDataInput{Namespace: aws.String("AWS/ECS"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1)}}})
			return err
		}, "InvalidParameterValue"},
		{"value and values", func() error {
			_, err := f.sdk.PutMetricData(ctx, &sdk.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1), Values: []float64{1}}}})
			return err
		}, "InvalidParameterCombination"},
		{"too many datapoints", func() error {
			_, err := f.sdk.GetMetricStatistics(ctx, &sdk.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
				StartTime: aws.Time(now.Add(-48 * time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
			return err
		}, "InvalidParameterCombination"},
		{"inverted range", func() error {
			_, err := f.sdk.GetMetricStatistics(ctx, &sdk.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
				StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour)), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
			return err
		}, "InvalidParameterValue"},
		{"unsupported function", func() error {
			_, err := f.sdk.GetMetricData(ctx, &sdk.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
				MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("e"), Expression: aws.String("SEARCH('x', 'Sum', 60)")}}})
			return err
		}, "ValidationError"},
		{"bad token", func() error {
			_, err := f.sdk.ListMetrics(ctx, &sdk.ListMetricsInput{NextToken: aws.String("nope")})
			return err
		}, "InvalidNextToken"},
	} {
		if err := c.call(); apiCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	var ipv *types.InvalidParameterValueException
	_, err = f.sdk.PutMetricData(ctx, &sdk.PutMetricDataInput{Namespace: aws.String("AWS/X"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1)}}})
	if !errors.As(err, &ipv) {
		t.Errorf("the SDK does not see its modelled error type: %T %v", err, err)
	}
}

// TestSDKAlarms drives the alarm operations with aws-sdk-go-v2.
func TestSDKAlarms(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	put := func(name string, mut func(*sdk.PutMetricAlarmInput)) error {
		in := &sdk.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("App"), MetricName: aws.String("Errors"),
			Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(2),
			Threshold: aws.Float64(5), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
			AlarmActions: []string{"arn:aws:sns:us-east-1:000000000000:pager"}, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}
		if mut != nil {
			mut(in)
		}
		_, err := f.sdk.PutMetricAlarm(ctx, in)
		return err
	}
	for _, n := range []string{"web-errors", "web-latency", "db-errors"} {
		if err := put(n, nil); err != nil {
			t.Fatal(err)
		}
	}
	out, err := f.sdk.DescribeAlarms(ctx, &sdk.DescribeAlarmsInput{AlarmNamePrefix: aws.String("web-"), MaxRecords: aws.Int32(1)})
	if err != nil || len(out.MetricAlarms) != 1 || out.NextToken == nil {
		t.Fatalf("DescribeAlarms page 1: %+v, %v", out, err)
	}
	a := out.MetricAlarms[0]
	if aws.ToString(a.AlarmName) != "web-errors" || a.StateValue != types.StateValueInsufficientData || aws.ToString(a.StateReason) != "Unchecked: Initial alarm creation" ||
		aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:web-errors" || !aws.ToBool(a.ActionsEnabled) ||
		aws.ToInt32(a.DatapointsToAlarm) != 2 || aws.ToFloat64(a.Threshold) != 5 || a.AlarmConfigurationUpdatedTimestamp == nil {
		t.Errorf("alarm %+v", a)
	}
	out, err = f.sdk.DescribeAlarms(ctx, &sdk.DescribeAlarmsInput{AlarmNamePrefix: aws.String("web-"), MaxRecords: aws.Int32(1), NextToken: out.NextToken})
	if err != nil || len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].AlarmName) != "web-latency" || out.NextToken != nil {
		t.Fatalf("DescribeAlarms page 2: %+v, %v", out, err)
	}
	if out, _ := f.sdk.DescribeAlarms(ctx, &sdk.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:"), StateValue: types.StateValueInsufficientData}); len(out.MetricAlarms) != 3 {
		t.Errorf("ActionPrefix and StateValue filters: %d alarms", len(out.MetricAlarms))
	}
	fm, err := f.sdk.DescribeAlarmsForMetric(ctx, &sdk.DescribeAlarmsForMetricInput{Namespace: aws.String("App"), MetricName: aws.String("Errors"), Statistic: types.StatisticSum})
	if err != nil || len(fm.MetricAlarms) != 3 {
		t.Errorf("DescribeAlarmsForMetric: %d, %v", len(fm.MetricAlarms), err)
	}
	if _, err := f.sdk.SetAlarmState(ctx, &sdk.SetAlarmStateInput{AlarmName: aws.String("db-errors"), StateValue: types.StateValueAlarm,
		StateReason: aws.String("testing"), StateReasonData: aws.String(`{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sdk.DisableAlarmActions(ctx, &sdk.DisableAlarmActionsInput{AlarmNames: []string{"db-errors", "no-such"}}); err != nil {
		t.Fatal(err)
	}
	out, _ = f.sdk.DescribeAlarms(ctx, &sdk.DescribeAlarmsInput{AlarmNames: []string{"db-errors"}})
	if a := out.MetricAlarms[0]; a.StateValue != types.StateValueAlarm || aws.ToString(a.StateReason) != "testing" || aws.ToBool(a.ActionsEnabled) {
		t.Errorf("after SetAlarmState and DisableAlarmActions: %+v", a)
	}
	h, err := f.sdk.DescribeAlarmHistory(ctx, &sdk.DescribeAlarmHistoryInput{AlarmName: aws.String("db-errors")})
	if err != nil || len(h.AlarmHistoryItems) != 2 || h.AlarmHistoryItems[0].HistoryItemType != types.HistoryItemTypeStateUpdate ||
		aws.ToString(h.AlarmHistoryItems[0].HistorySummary) != "Alarm updated from INSUFFICIENT_DATA to ALARM" ||
		aws.ToString(h.AlarmHistoryItems[1].HistorySummary) != `Alarm "db-errors" created` {
		t.Errorf("history: %+v, %v", h, err)
	}
	arn := "arn:aws:cloudwatch:us-east-1:000000000000:alarm:web-errors"
	if _, err := f.sdk.TagResource(ctx, &sdk.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sdk.UntagResource(ctx, &sdk.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := f.sdk.ListTagsForResource(ctx, &sdk.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("tags %+v, %v", tags, err)
	}
	for _, c := range []struct {
		name string
		err  error
		code string
	}{
		{"datapoints > periods", put("x", func(in *sdk.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(4) }), "ValidationError"},
		{"bad period", put("x", func(in *sdk.PutMetricAlarmInput) { in.Period = aws.Int32(45) }), "ValidationError"},
		{"anomaly band", put("x", func(in *sdk.PutMetricAlarmInput) {
			in.ComparisonOperator = types.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold
		}), "ValidationError"},
		{"both statistics", put("x", func(in *sdk.PutMetricAlarmInput) { in.ExtendedStatistic = aws.String("p99") }), "ValidationError"},
		{"bad action", put("x", func(in *sdk.PutMetricAlarmInput) { in.OKActions = []string{"pager"} }), "ValidationError"},
		{"missing alarm", func() error {
			_, err := f.sdk.SetAlarmState(ctx, &sdk.SetAlarmStateInput{AlarmName: aws.String("nope"), StateValue: types.StateValueOk, StateReason: aws.String("x")})
			return err
		}(), "ResourceNotFound"},
		{"bad reason data", func() error {
			_, err := f.sdk.SetAlarmState(ctx, &sdk.SetAlarmStateInput{AlarmName: aws.String("db-errors"), StateValue: types.StateValueOk, StateReason: aws.String("x"), StateReasonData: aws.String("{")})
			return err
		}(), "InvalidFormat"},
		{"delete missing", func() error {
			_, err := f.sdk.DeleteAlarms(ctx, &sdk.DeleteAlarmsInput{AlarmNames: []string{"web-errors", "nope"}})
			return err
		}(), "ResourceNotFound"},
		{"tags of missing", func() error {
			_, err := f.sdk.ListTagsForResource(ctx, &sdk.ListTagsForResourceInput{ResourceARN: aws.String(arn + "-nope")})
			return err
		}(), "ResourceNotFoundException"},
	} {
		if apiCode(c.err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, c.err, c.code)
		}
	}
	if out, _ := f.sdk.DescribeAlarms(ctx, &sdk.DescribeAlarmsInput{AlarmNames: []string{"web-errors"}}); len(out.MetricAlarms) != 1 {
		t.Error("a failed DeleteAlarms deleted an alarm")
	}
	if _, err := f.sdk.DeleteAlarms(ctx, &sdk.DeleteAlarmsInput{AlarmNames: []string{"web-errors", "web-latency"}}); err != nil {
		t.Fatal(err)
	}
	if out, _ := f.sdk.DescribeAlarms(ctx, &sdk.DescribeAlarmsInput{}); len(out.MetricAlarms) != 1 {
		t.Errorf("%d alarms after deleting two of three", len(out.MetricAlarms))
	}
}
