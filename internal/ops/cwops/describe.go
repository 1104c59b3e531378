package cwops

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slipway-dev/slipway/internal/alarms"
)

// token encodes a paging position; decodeToken refuses tokens it did not make.
func token(pos string) string { return base64.RawURLEncoding.EncodeToString([]byte("cw1:" + pos)) }

func decodeToken(t string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || !strings.HasPrefix(string(b), "cw1:") {
		return "", errorf(CodeInvalidNextToken, "The service cannot parse the specified NextToken.")
	}
	return strings.TrimPrefix(string(b), "cw1:"), nil
}

func maxRecords(p *int, def int) (int, error) {
	if p == nil {
		return def, nil
	}
	if *p < 1 || *p > 100 {
		return 0, validation(*p, "maxRecords", "Member must have value between 1 and 100")
	}
	return *p, nil
}

// DescribeAlarms lists alarms by names, name prefix, state and action prefix,
// in name order, MaxRecords (default 50) at a time.
func (s *Service) DescribeAlarms(ctx context.Context, in *DescribeAlarmsInput) (*DescribeAlarmsOutput, error) {
	var out DescribeAlarmsOutput
	if len(in.AlarmNames) > 100 {
		return &out, validation(len(in.AlarmNames), "alarmNames", "Member must have length less than or equal to 100")
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "" {
		return &out, errorf(CodeInvalidCombination, "AlarmNames and AlarmNamePrefix cannot be specified together.")
	}
	if err := checkEnum("stateValue", in.StateValue, stateValues...); err != nil {
		return &out, err
	}
	metricType, compositeType := len(in.AlarmTypes) == 0, false
	for _, t := range in.AlarmTypes {
		switch t {
		case "MetricAlarm":
			metricType = true
		case "CompositeAlarm":
			compositeType = true
		default:
			return &out, validation(t, "alarmTypes", "Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]")
		}
	}
	if in.ChildrenOfAlarmName != "" || in.ParentsOfAlarmName != "" {
		metricType = false // only composite alarms have parents or children, and Slipway has none
		compositeType = true
	}
	limit, err := maxRecords(in.MaxRecords, 50)
	if err != nil {
		return &out, err
	}
	after := ""
	if in.NextToken != "" {
		if after, err = decodeToken(in.NextToken); err != nil {
			return &out, err
		}
	}
	if compositeType {
		out.CompositeAlarms = []struct{}{}
	}
	out.MetricAlarms = []MetricAlarm{}
	if !metricType {
		return &out, nil
	}
	list, err := s.opts.Alarms.List(ctx)
	if err != nil {
		return &out, internal(err)
	}
	names := map[string]bool{}
	for _, n := range in.AlarmNames {
		names[n] = true
	}
	for _, a := range list {
		switch {
		case a.Name <= after && after != "":
		case len(names) > 0 && !names[a.Name]:
		case in.AlarmNamePrefix != "" && !strings.HasPrefix(a.Name, in.AlarmNamePrefix):
		case in.StateValue != "" && a.State != in.StateValue:
		case in.ActionPrefix != "" && !a.HasActionPrefix(in.ActionPrefix):
		default:
			if len(out.MetricAlarms) == limit {
				out.NextToken = token(out.MetricAlarms[limit-1].AlarmName)
				return &out, nil
			}
			out.MetricAlarms = append(out.MetricAlarms, metricAlarm(a))
		}
	}
	return &out, nil
}

// DescribeAlarmsForMetric lists the alarms on one metric (its dimensions
// exactly), narrowed by statistic, period and unit when given.
func (s *Service) DescribeAlarmsForMetric(ctx context.Context, in *DescribeAlarmsForMetricInput) (*DescribeAlarmsForMetricOutput, error) {
	out := DescribeAlarmsForMetricOutput{MetricAlarms: []MetricAlarm{}}
	m := Metric{Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions}
	if err := checkMetric(m, ""); err != nil {
		return &out, err
	}
	if err := checkEnum("statistic", in.Statistic, statistics...); err != nil {
		return &out, err
	}
	want := storeMetric(m)
	list, err := s.opts.Alarms.List(ctx)
	if err != nil {
		return &out, internal(err)
	}
	for _, a := range list {
		switch {
		case !a.Metric().Equal(want):
		case in.Statistic != "" && a.Statistic != in.Statistic:
		case in.ExtendedStatistic != "" && a.ExtendedStatistic != in.ExtendedStatistic:
		case in.Period != nil && a.Period != *in.Period:
		case in.Unit != "" && a.Unit != in.Unit:
		default:
			out.MetricAlarms = append(out.MetricAlarms, metricAlarm(a))
		}
	}
	return &out, nil
}

func checkNames(names []string) error {
	if len(names) == 0 {
		return required("alarmNames")
	}
	if len(names) > 100 {
		return validation(len(names), "alarmNames", "Member must have length less than or equal to 100")
	}
	for i, n := range names {
		if err := checkLen(fmt.Sprintf("alarmNames.%d.member", i+1), n, 1, 255); err != nil {
			return err
		}
	}
	return nil
}

// DeleteAlarms deletes alarms; if one does not exist, none is deleted.
func (s *Service) DeleteAlarms(ctx context.Context, in *AlarmNamesInput) error {
	if err := checkNames(in.AlarmNames); err != nil {
		return err
	}
	err := s.opts.Alarms.Delete(ctx, in.AlarmNames)
	var nf *alarms.NotFoundError
	if errors.As(err, &nf) {
		return notFound("%d/%d alarms not found: [%s]", len(nf.Names), len(in.AlarmNames), strings.Join(nf.Names, ", "))
	}
	return internal(err)
}

// EnableAlarmActions enables the actions of alarms (unknown names are ignored).
func (s *Service) EnableAlarmActions(ctx context.Context, in *AlarmNamesInput) error {
	if err := checkNames(in.AlarmNames); err != nil {
		return err
	}
	return internal(s.opts.Alarms.SetActionsEnabled(ctx, in.AlarmNames, true))
}

// DisableAlarmActions disables the actions of alarms (unknown names are ignored).
func (s *Service) DisableAlarmActions(ctx context.Context, in *AlarmNamesInput) error {
	if err := checkNames(in.AlarmNames); err != nil {
		return err
	}
	return internal(s.opts.Alarms.SetActionsEnabled(ctx, in.AlarmNames, false))
}

// SetAlarmState sets an alarm's state until its next evaluation.
func (s *Service) SetAlarmState(ctx context.Context, in *SetAlarmStateInput) error {
	if err := checkLen("alarmName", in.AlarmName, 1, 255); err != nil {
		return err
	}
	if in.StateValue == "" {
		return required("stateValue")
	}
	if err := checkEnum("stateValue", in.StateValue, stateValues...); err != nil {
		return err
	}
	if in.StateReason == nil {
		return required("stateReason")
	}
	if len(*in.StateReason) > 1023 {
		return validation(*in.StateReason, "stateReason", "Member must have length less than or equal to 1023")
	}
	if len(in.StateReasonData) > 4000 {
		return validation(in.StateReasonData, "stateReasonData", "Member must have length less than or equal to 4000")
	}
	if in.StateReasonData != "" && !json.Valid([]byte(in.StateReasonData)) {
		return errorf(CodeInvalidFormat, "Unable to parse the JSON in StateReasonData.")
	}
	err := s.opts.Alarms.SetState(ctx, in.AlarmName, in.StateValue, *in.StateReason, in.StateReasonData)
	if errors.Is(err, alarms.ErrNotFound) {
		return notFound("Alarm %s not found", in.AlarmName)
	}
	return internal(err)
}

// DescribeAlarmHistory lists history items, newest first unless ScanBy says
// TimestampAscending, MaxRecords (default 100) at a time.
func (s *Service) DescribeAlarmHistory(ctx context.Context, in *DescribeAlarmHistoryInput) (*DescribeAlarmHistoryOutput, error) {
	out := DescribeAlarmHistoryOutput{AlarmHistoryItems: []AlarmHistoryItem{}}
	if err := checkEnum("historyItemType", in.HistoryItemType, alarms.HistoryConfigurationUpdate, alarms.HistoryStateUpdate,
		alarms.HistoryAction, "AlarmContributorStateUpdate", "AlarmContributorAction"); err != nil {
		return &out, err
	}
	if err := checkEnum("scanBy", in.ScanBy, "TimestampDescending", "TimestampAscending"); err != nil {
		return &out, err
	}
	limit, err := maxRecords(in.MaxRecords, 100)
	if err != nil {
		return &out, err
	}
	offset := 0
	if in.NextToken != "" {
		pos, err := decodeToken(in.NextToken)
		if err != nil {
			return &out, err
		}
		if _, err := fmt.Sscan(pos, &offset); err != nil || offset < 0 {
			return &out, errorf(CodeInvalidNextToken, "The service cannot parse the specified NextToken.")
		}
	}
	metricType := len(in.AlarmTypes) == 0
	for _, t := range in.AlarmTypes {
		metricType = metricType || t == "MetricAlarm"
	}
	if !metricType || in.AlarmContributorId != "" {
		return &out, nil // composite alarms and contributors: Slipway has none
	}
	f := alarms.HistoryFilter{AlarmName: in.AlarmName, Type: in.HistoryItemType, Ascending: in.ScanBy == "TimestampAscending"}
	if in.StartDate != nil {
		f.Start = *in.StartDate
	}
	if in.EndDate != nil {
		f.End = *in.EndDate
	}
	items, err := s.opts.Alarms.History(ctx, f)
	if err != nil {
		return &out, internal(err)
	}
	for i := offset; i < len(items) && len(out.AlarmHistoryItems) < limit; i++ {
		it := items[i]
		out.AlarmHistoryItems = append(out.AlarmHistoryItems, AlarmHistoryItem{
			AlarmName: it.AlarmName, AlarmType: "MetricAlarm", Timestamp: it.Timestamp,
			HistoryItemType: it.Type, HistorySummary: it.Summary, HistoryData: it.Data,
		})
	}
	if offset+limit < len(items) {
		out.NextToken = token(fmt.Sprint(offset + limit))
	}
	return &out, nil
}

// AlarmStates returns the states of the named alarms that exist, for
// in-process callers (the deployment controller).
func (s *Service) AlarmStates(ctx context.Context, names []string) (map[string]alarms.Alarm, error) {
	out := map[string]alarms.Alarm{}
	for _, n := range names {
		a, err := s.opts.Alarms.Get(ctx, n)
		if errors.Is(err, alarms.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, internal(err)
		}
		out[n] = a
	}
	return out, nil
}
