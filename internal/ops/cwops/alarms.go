package cwops

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/metricstore"
)

var (
	statistics  = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
	stateValues = []string{alarms.StateOK, alarms.StateAlarm, alarms.StateInsufficientData}
	operators   = []string{alarms.GreaterThanOrEqual, alarms.GreaterThan, alarms.LessThan, alarms.LessThanOrEqual,
		"LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"}
	units = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
		"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
		"Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
		"Gigabits/Second", "Terabits/Second", "Count/Second", "None"}
	// percentile is the ExtendedStatistic form Slipway computes (pNN.NN);
	// trimmed means and the other extended statistics are refused.
	percentile = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,2})?|100)$`)
	actionARN  = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:.+$`)
)

// PutMetricAlarm creates or updates a metric alarm.
func (s *Service) PutMetricAlarm(ctx context.Context, in *PutMetricAlarmInput) error {
	a, err := s.alarmFromInput(in)
	if err != nil {
		return err
	}
	if _, err := s.opts.Alarms.Get(ctx, a.Name); errors.Is(err, alarms.ErrNotFound) {
		list, err := s.opts.Alarms.List(ctx)
		if err != nil {
			return internal(err)
		}
		if len(list) >= MaxAlarms {
			return errorf(CodeLimitExceeded, "The maximum number of alarms (%d) has been reached.", MaxAlarms)
		}
	} else if err != nil {
		return internal(err)
	}
	if _, err := s.opts.Alarms.Put(ctx, a); err != nil {
		return internal(err)
	}
	return nil
}

func (s *Service) alarmFromInput(in *PutMetricAlarmInput) (alarms.Alarm, error) {
	if err := checkLen("alarmName", in.AlarmName, 1, 255); err != nil {
		return alarms.Alarm{}, err
	}
	if in.AlarmDescription != nil && len(*in.AlarmDescription) > 1024 {
		return alarms.Alarm{}, validation(*in.AlarmDescription, "alarmDescription", "Member must have length less than or equal to 1024")
	}
	switch {
	case len(in.Metrics) > 0 || in.ThresholdMetricId != "":
		return alarms.Alarm{}, errorf(CodeValidation, "Slipway does not evaluate metric math alarms (Metrics, ThresholdMetricId); give MetricName, Namespace and Statistic or ExtendedStatistic.")
	case in.EvaluationCriteria != nil || in.EvaluationInterval != nil:
		return alarms.Alarm{}, errorf(CodeValidation, "Slipway does not evaluate PromQL alarms (EvaluationCriteria, EvaluationInterval).")
	}
	if err := checkEnum("comparisonOperator", in.ComparisonOperator, operators...); err != nil {
		return alarms.Alarm{}, err
	}
	if in.ComparisonOperator == "" {
		return alarms.Alarm{}, required("comparisonOperator")
	}
	if strings.Contains(in.ComparisonOperator, "Lower") || strings.Contains(in.ComparisonOperator, "Upper") {
		return alarms.Alarm{}, errorf(CodeValidation, "Slipway has no anomaly detection models: ComparisonOperator %s needs an ANOMALY_DETECTION_BAND threshold metric; use one of %s.",
			in.ComparisonOperator, strings.Join(operators[:4], ", "))
	}
	m := Metric{Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions}
	if err := checkMetric(m, ""); err != nil {
		return alarms.Alarm{}, err
	}
	if err := checkStatistic(in.Statistic, in.ExtendedStatistic); err != nil {
		return alarms.Alarm{}, err
	}
	if err := checkEnum("unit", in.Unit, units...); err != nil {
		return alarms.Alarm{}, err
	}
	if err := checkEnum("treatMissingData", in.TreatMissingData, alarms.MissingMissing, alarms.MissingIgnore,
		alarms.MissingBreaching, alarms.MissingNotBreaching); err != nil {
		return alarms.Alarm{}, err
	}
	if err := checkEnum("evaluateLowSampleCountPercentile", in.EvaluateLowSampleCountPercentile, "evaluate", "ignore"); err != nil {
		return alarms.Alarm{}, err
	}
	if in.EvaluateLowSampleCountPercentile != "" && in.ExtendedStatistic == "" {
		return alarms.Alarm{}, errorf(CodeValidation, "EvaluateLowSampleCountPercentile can only be specified for percentile statistics (ExtendedStatistic).")
	}
	if in.Threshold == nil {
		return alarms.Alarm{}, errorf(CodeValidation, "Threshold is required unless ThresholdMetricId is given.")
	}
	if math.IsNaN(*in.Threshold) || math.IsInf(*in.Threshold, 0) {
		return alarms.Alarm{}, invalidValue("Threshold", *in.Threshold)
	}
	period, evals, m2a, err := checkPeriods(in.Period, in.EvaluationPeriods, in.DatapointsToAlarm)
	if err != nil {
		return alarms.Alarm{}, err
	}
	for member, list := range map[string][]string{"oKActions": in.OKActions, "alarmActions": in.AlarmActions, "insufficientDataActions": in.InsufficientDataActions} {
		if err := checkActions(member, list); err != nil {
			return alarms.Alarm{}, err
		}
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return alarms.Alarm{}, err
	}
	if tags, err = withSystemTags(tags, in.systemTags); err != nil {
		return alarms.Alarm{}, err
	}
	a := alarms.Alarm{
		Name: in.AlarmName, ARN: s.AlarmARN(in.AlarmName), ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions: in.OKActions, AlarmActions: in.AlarmActions, InsufficientDataActions: in.InsufficientDataActions,
		Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: storeDims(in.Dimensions),
		Statistic: in.Statistic, ExtendedStatistic: in.ExtendedStatistic, Unit: in.Unit,
		Period: period, EvaluationPeriods: evals, DatapointsToAlarm: m2a, Threshold: *in.Threshold,
		ComparisonOperator: in.ComparisonOperator, TreatMissingData: in.TreatMissingData,
		EvaluateLowSampleCountPercentile: in.EvaluateLowSampleCountPercentile, Tags: tags,
	}
	if in.AlarmDescription != nil {
		a.Description = *in.AlarmDescription
	}
	return a, nil
}

// checkPeriods applies CloudWatch's rules on Period, EvaluationPeriods and
// DatapointsToAlarm.
func checkPeriods(p, n, m *int) (period, evals, m2a int, err error) {
	switch {
	case p == nil:
		return 0, 0, 0, required("period")
	case n == nil:
		return 0, 0, 0, required("evaluationPeriods")
	case *p < 1:
		return 0, 0, 0, validation(*p, "period", "Member must have value greater than or equal to 1")
	case *n < 1:
		return 0, 0, 0, validation(*n, "evaluationPeriods", "Member must have value greater than or equal to 1")
	case *p != 10 && *p != 20 && *p != 30 && *p%60 != 0:
		return 0, 0, 0, errorf(CodeValidation, "Period must be 10, 20, 30 or a multiple of 60.")
	case int64(*p)*int64(*n) > 7*24*3600:
		return 0, 0, 0, errorf(CodeValidation, "The evaluation period of the alarm (Period x EvaluationPeriods) cannot exceed 7 days.")
	}
	if m != nil {
		if *m < 1 {
			return 0, 0, 0, validation(*m, "datapointsToAlarm", "Member must have value greater than or equal to 1")
		}
		if *m > *n {
			return 0, 0, 0, errorf(CodeValidation, "DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
		}
		m2a = *m
	}
	return *p, *n, m2a, nil
}

func checkStatistic(stat, ext string) error {
	if (stat == "") == (ext == "") {
		return errorf(CodeValidation, "Exactly one of Statistic and ExtendedStatistic must be specified.")
	}
	if err := checkEnum("statistic", stat, statistics...); err != nil {
		return err
	}
	if ext != "" && !percentile.MatchString(ext) {
		return errorf(CodeValidation, "The value %s for ExtendedStatistic is not supported: Slipway computes percentiles (p0.0 to p100).", ext)
	}
	return nil
}

func checkActions(member string, arns []string) error {
	if len(arns) > 5 {
		return validation(fmt.Sprint(arns), member, "Member must have length less than or equal to 5")
	}
	for _, arn := range arns {
		if len(arn) > 1024 || !actionARN.MatchString(arn) {
			return errorf(CodeValidation, "Invalid arn syntax: %.1024s", arn)
		}
	}
	return nil
}

// checkMetric validates a metric's identity; prefix names the members in
// messages (e.g. "metricDataQueries.1.member.metricStat.metric.").
func checkMetric(m Metric, prefix string) error {
	if err := checkLen(prefix+"namespace", m.Namespace, 1, 255); err != nil {
		return err
	}
	if strings.HasPrefix(m.Namespace, ":") {
		return validation(m.Namespace, prefix+"namespace", "Member must satisfy regular expression pattern: [^:].*")
	}
	if err := checkLen(prefix+"metricName", m.MetricName, 1, 255); err != nil {
		return err
	}
	return checkDims(m.Dimensions, prefix+"dimensions")
}

func checkDims(dims []Dimension, member string) error {
	if len(dims) > 30 {
		return validation(len(dims), member, "Member must have length less than or equal to 30")
	}
	seen := map[string]bool{}
	for i, d := range dims {
		if err := checkLen(fmt.Sprintf("%s.%d.member.name", member, i+1), d.Name, 1, 255); err != nil {
			return err
		}
		if err := checkLen(fmt.Sprintf("%s.%d.member.value", member, i+1), d.Value, 1, 1024); err != nil {
			return err
		}
		if strings.HasPrefix(d.Name, ":") {
			return invalidValue("Dimensions.member.Name", d.Name)
		}
		if seen[d.Name] {
			return errorf(CodeInvalidCombination, "No metric may have more than one dimension named %s.", d.Name)
		}
		seen[d.Name] = true
	}
	return nil
}

func storeDims(dims []Dimension) []metricstore.Dimension {
	out := make([]metricstore.Dimension, len(dims))
	for i, d := range dims {
		out[i] = metricstore.Dimension{Name: d.Name, Value: d.Value}
	}
	return metricstore.NewMetric("", "", out...).Dimensions
}

func apiDims(dims []metricstore.Dimension) []Dimension {
	out := make([]Dimension, len(dims))
	for i, d := range dims {
		out[i] = Dimension{Name: d.Name, Value: d.Value}
	}
	return out
}

// metricAlarm is the alarm in DescribeAlarms' shape.
func metricAlarm(a alarms.Alarm) MetricAlarm {
	out := MetricAlarm{
		AlarmName: a.Name, AlarmArn: a.ARN, AlarmConfigurationUpdatedTimestamp: a.ConfigurationUpdated,
		ActionsEnabled: a.ActionsEnabled, OKActions: nonNil(a.OKActions), AlarmActions: nonNil(a.AlarmActions),
		InsufficientDataActions: nonNil(a.InsufficientDataActions), StateValue: a.State, StateReason: a.StateReason,
		StateReasonData: a.StateReasonData, StateUpdatedTimestamp: a.StateUpdated, MetricName: a.MetricName,
		Namespace: a.Namespace, Statistic: a.Statistic, ExtendedStatistic: a.ExtendedStatistic,
		Dimensions: apiDims(a.Dimensions), Period: a.Period, Unit: a.Unit, EvaluationPeriods: a.EvaluationPeriods,
		Threshold: a.Threshold, ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData,
		EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCountPercentile, StateTransitionedTimestamp: a.StateTransitioned,
	}
	if a.Description != "" {
		d := a.Description
		out.AlarmDescription = &d
	}
	if a.DatapointsToAlarm > 0 {
		m := a.DatapointsToAlarm
		out.DatapointsToAlarm = &m
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
