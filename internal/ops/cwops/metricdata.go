package cwops

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/metricstore"
)

const (
	maxQueries           = 500
	defaultMaxDatapoints = 100800
)

var queryID = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// GetMetricData answers MetricStat queries and metric math over them.
func (s *Service) GetMetricData(ctx context.Context, in *GetMetricDataInput) (*GetMetricDataOutput, error) {
	out := GetMetricDataOutput{MetricDataResults: []MetricDataResult{}, Messages: []MessageData{}}
	start, end, err := timeRange(in.StartTime, in.EndTime)
	if err != nil {
		return &out, err
	}
	if in.NextToken != "" {
		return &out, errorf(CodeInvalidNextToken, "The service cannot parse the specified NextToken.")
	}
	if err := checkEnum("scanBy", in.ScanBy, "TimestampDescending", "TimestampAscending"); err != nil {
		return &out, err
	}
	limit := defaultMaxDatapoints
	if in.MaxDatapoints != nil {
		if *in.MaxDatapoints < 1 {
			return &out, validation(*in.MaxDatapoints, "maxDatapoints", "Member must have value greater than or equal to 1")
		}
		limit = *in.MaxDatapoints
	}
	byID, err := checkQueries(in.MetricDataQueries)
	if err != nil {
		return &out, err
	}
	ev := &dataEval{s: s, queries: byID, start: start, end: end, done: map[string]series{}, busy: map[string]bool{}}
	total := 0
	for _, q := range in.MetricDataQueries {
		vals, err := ev.resolve(q.Id)
		if err != nil {
			return &out, err
		}
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		r := MetricDataResult{Id: q.Id, Label: q.Label, Timestamps: []time.Time{}, Values: []float64{}, StatusCode: "Complete", Messages: []MessageData{}}
		if r.Label == "" {
			r.Label = q.Id
			if q.MetricStat != nil {
				r.Label = q.MetricStat.Metric.MetricName
			}
		}
		ts := make([]int64, 0, len(vals))
		for t := range vals {
			ts = append(ts, t)
		}
		sort.Slice(ts, func(i, j int) bool { return (ts[i] < ts[j]) == (in.ScanBy == "TimestampAscending") })
		for _, t := range ts {
			if total == limit {
				r.StatusCode = "PartialData"
				break
			}
			r.Timestamps = append(r.Timestamps, time.Unix(t, 0).UTC())
			r.Values = append(r.Values, vals[t])
			total++
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	return &out, nil
}

func checkQueries(qs []MetricDataQuery) (map[string]MetricDataQuery, error) {
	if len(qs) == 0 {
		return nil, required("metricDataQueries")
	}
	if len(qs) > maxQueries {
		return nil, errorf(CodeValidation, "The collection MetricDataQueries must not have a size greater than %d.", maxQueries)
	}
	byID := map[string]MetricDataQuery{}
	returned := 0
	for i, q := range qs {
		p := fmt.Sprintf("metricDataQueries.%d.member.", i+1)
		if !queryID.MatchString(q.Id) || len(q.Id) > 255 {
			return nil, errorf(CodeValidation, "The value %q for parameter MetricDataQueries.member.%d.Id is invalid: it must start with a lowercase letter and hold only letters, digits and underscores.", q.Id, i+1)
		}
		if _, dup := byID[q.Id]; dup {
			return nil, errorf(CodeValidation, "The values for parameter id in MetricDataQueries must be unique: %s is repeated.", q.Id)
		}
		if (q.MetricStat == nil) == (q.Expression == "") {
			return nil, errorf(CodeValidation, "Exactly one of MetricStat and Expression must be specified in MetricDataQueries.member.%d.", i+1)
		}
		if q.AccountId != "" {
			return nil, errorf(CodeValidation, "Slipway has one account: MetricDataQueries.member.%d.AccountId is not supported.", i+1)
		}
		if ms := q.MetricStat; ms != nil {
			if ms.Metric == nil {
				return nil, required(p + "metricStat.metric")
			}
			if err := checkMetric(*ms.Metric, p+"metricStat.metric."); err != nil {
				return nil, err
			}
			if _, err := checkPeriod(p+"metricStat.period", ms.Period); err != nil {
				return nil, err
			}
			if err := checkStat(ms.Stat); err != nil {
				return nil, err
			}
			if err := checkEnum(p+"metricStat.unit", ms.Unit, units...); err != nil {
				return nil, err
			}
		} else if len(q.Expression) > 2048 {
			return nil, validation(q.Expression, p+"expression", "Member must have length less than or equal to 2048")
		}
		if q.ReturnData == nil || *q.ReturnData {
			returned++
		}
		byID[q.Id] = q
	}
	if returned == 0 {
		return nil, errorf(CodeValidation, "At least one MetricDataQuery must have ReturnData set to true.")
	}
	return byID, nil
}

func checkStat(stat string) error {
	for _, s := range statistics {
		if stat == s {
			return nil
		}
	}
	if percentile.MatchString(stat) {
		return nil
	}
	return errorf(CodeValidation, "The value %q for Stat is not supported: Slipway computes SampleCount, Average, Sum, Minimum, Maximum and percentiles (pNN).", stat)
}

// dataEval resolves query ids to their series, each once.
type dataEval struct {
	s          *Service
	queries    map[string]MetricDataQuery
	start, end time.Time
	done       map[string]series
	busy       map[string]bool // ids being resolved, to refuse cycles
}

func (e *dataEval) resolve(id string) (series, error) {
	if v, ok := e.done[id]; ok {
		return v, nil
	}
	q, ok := e.queries[id]
	if !ok {
		return nil, errorf(CodeValidation, "The metric math expression references %s, which is not the Id of a query.", id)
	}
	if e.busy[id] {
		return nil, errorf(CodeValidation, "Circular dependency between metric math expressions involving %s.", id)
	}
	e.busy[id] = true
	defer delete(e.busy, id)
	var v series
	var err error
	if q.MetricStat != nil {
		v, err = e.metricStat(*q.MetricStat)
	} else {
		v, err = evalExpression(q.Expression, e.resolve)
	}
	if err != nil {
		return nil, err
	}
	e.done[id] = v
	return v, nil
}

func (e *dataEval) metricStat(ms MetricStat) (series, error) {
	period := time.Duration(*ms.Period) * time.Second
	start := roundStart(e.start, e.s.opts.Now(), period)
	if n := int64(e.end.Sub(start) / period); n > defaultMaxDatapoints {
		return nil, errorf(CodeValidation, "A query asks for %d datapoints, more than the %d GetMetricData answers.", n, defaultMaxDatapoints)
	}
	windows, err := e.s.opts.Metrics.Query(metricstore.Query{Metric: storeMetric(*ms.Metric), Unit: ms.Unit, Start: start, End: e.end, Period: period})
	if err != nil {
		return nil, internal(err)
	}
	out := series{}
	for _, w := range windows {
		stat, ext := ms.Stat, ""
		if percentile.MatchString(ms.Stat) {
			stat, ext = "", ms.Stat
		}
		if v, ok := alarms.StatisticValue(w.Value, stat, ext); ok {
			out[w.Start.Unix()] = v
		}
	}
	return out, nil
}
