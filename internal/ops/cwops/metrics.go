package cwops

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/metricstore"
)

// CloudWatch's bounds on metric writes and reads.
const (
	maxMetricData       = 1000
	maxValues           = 150
	maxStatDatapoints   = 1440
	maxPastPut          = 14 * 24 * time.Hour
	maxFuturePut        = 2 * time.Hour
	listMetricsPageSize = 500
	// listMetricsWindow: ListMetrics shows metrics that received data in
	// the past two weeks, as CloudWatch does.
	listMetricsWindow = 14 * 24 * time.Hour
	// CloudWatch refuses values of a magnitude outside [2^-360, 2^360].
	minMagnitude = 8.515920e-109
	maxMagnitude = 1.174271e+108
)

func itoa(i int) string { return strconv.Itoa(i) }

func storeMetric(m Metric) metricstore.Metric {
	return metricstore.Metric{Namespace: m.Namespace, Name: m.MetricName, Dimensions: storeDims(m.Dimensions)}
}

// unitOrNone is the unit data is stored under: CloudWatch calls data
// published without a unit "None".
func unitOrNone(u string) string {
	if u == "" {
		return "None"
	}
	return u
}

func checkValue(member string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || (v != 0 && (math.Abs(v) < minMagnitude || math.Abs(v) > maxMagnitude)) {
		return errorf(CodeInvalidParameter, "The value %s for parameter %s is invalid.", strconv.FormatFloat(v, 'g', -1, 64), member)
	}
	return nil
}

// PutMetricData stores datapoints; they are durable when it returns.
func (s *Service) PutMetricData(ctx context.Context, in *PutMetricDataInput) error {
	if err := checkLen("namespace", in.Namespace, 1, 255); err != nil {
		return err
	}
	if strings.HasPrefix(in.Namespace, "AWS/") || strings.HasPrefix(in.Namespace, ":") {
		return errorf(CodeInvalidParameter, "The value %s for parameter Namespace is invalid.", in.Namespace)
	}
	if len(in.EntityMetricData) > 0 {
		return errorf(CodeInvalidParameter, "Slipway has no entities: send MetricData without EntityMetricData.")
	}
	if len(in.MetricData) == 0 {
		return errorf(CodeMissingParameter, "The parameter MetricData is required.")
	}
	if len(in.MetricData) > maxMetricData {
		return errorf(CodeInvalidParameter, "The collection MetricData must not have a size greater than %d.", maxMetricData)
	}
	now := s.opts.Now()
	samples := make([]metricstore.Sample, 0, len(in.MetricData))
	for i, d := range in.MetricData {
		smp, err := datumSample(in.Namespace, i+1, d, now)
		if err != nil {
			return err
		}
		samples = append(samples, smp)
	}
	if err := s.opts.Metrics.Put(samples); err != nil {
		if errors.Is(err, metricstore.ErrTooManySeries) {
			return errorf(CodeLimitExceeded, "Slipway keeps at most %d metrics (name, dimensions and unit): %v", metricstore.DefaultMaxSeries, err)
		}
		return internal(err)
	}
	return internal(s.opts.Metrics.Flush())
}

// datumSample validates MetricData.member.i and turns it into a sample.
func datumSample(ns string, i int, d MetricDatum, now time.Time) (metricstore.Sample, error) {
	p := fmt.Sprintf("MetricData.member.%d.", i)
	lp := fmt.Sprintf("metricData.%d.member.", i)
	if err := checkMetric(Metric{Namespace: ns, MetricName: d.MetricName, Dimensions: d.Dimensions}, lp); err != nil {
		return metricstore.Sample{}, err
	}
	if err := checkEnum(lp+"unit", d.Unit, units...); err != nil {
		return metricstore.Sample{}, err
	}
	if r := d.StorageResolution; r != nil && *r != 1 && *r != 60 {
		return metricstore.Sample{}, errorf(CodeInvalidParameter, "The value %d for parameter %sStorageResolution is invalid.", *r, p)
	}
	at := now
	if d.Timestamp != nil {
		at = *d.Timestamp
		if at.Before(now.Add(-maxPastPut)) || at.After(now.Add(maxFuturePut)) {
			return metricstore.Sample{}, errorf(CodeInvalidParameter,
				"The parameter %sTimestamp must specify a time no more than two weeks in the past and no more than two hours in the future.", p)
		}
	}
	given := 0
	for _, set := range []bool{d.Value != nil, d.StatisticValues != nil, d.Values != nil} {
		if set {
			given++
		}
	}
	if given > 1 {
		return metricstore.Sample{}, errorf(CodeInvalidCombination, "The parameters %sValue, %sStatisticValues and %sValues are mutually exclusive and you have specified more than one.", p, p, p)
	}
	if given == 0 {
		return metricstore.Sample{}, errorf(CodeInvalidCombination, "One of the parameters %sValue, %sStatisticValues or %sValues must be specified.", p, p, p)
	}
	agg, err := datumAggregate(p, d)
	smp := metricstore.Sample{Metric: storeMetric(Metric{Namespace: ns, MetricName: d.MetricName, Dimensions: d.Dimensions}),
		Unit: unitOrNone(d.Unit), Time: at, Value: agg}
	return smp, err
}

func datumAggregate(p string, d MetricDatum) (metricstore.Aggregate, error) {
	switch {
	case d.Value != nil:
		return metricstore.Value(*d.Value), checkValue(p+"Value", *d.Value)
	case d.StatisticValues != nil:
		sv := d.StatisticValues
		for name, v := range map[string]*float64{"SampleCount": sv.SampleCount, "Sum": sv.Sum, "Minimum": sv.Minimum, "Maximum": sv.Maximum} {
			if v == nil {
				return metricstore.Aggregate{}, errorf(CodeMissingParameter, "The parameter %sStatisticValues.%s is required.", p, name)
			}
			if err := checkValue(p+"StatisticValues."+name, *v); err != nil {
				return metricstore.Aggregate{}, err
			}
		}
		if *sv.SampleCount <= 0 || *sv.Minimum > *sv.Maximum {
			return metricstore.Aggregate{}, errorf(CodeInvalidParameter, "The parameter %sStatisticValues must have SampleCount > 0 and Minimum <= Maximum.", p)
		}
		return metricstore.StatisticSet(*sv.SampleCount, *sv.Sum, *sv.Minimum, *sv.Maximum), nil
	default:
		if len(d.Values) > maxValues {
			return metricstore.Aggregate{}, errorf(CodeInvalidParameter, "The collection %sValues must not have a size greater than %d.", p, maxValues)
		}
		if d.Counts != nil && len(d.Counts) != len(d.Values) {
			return metricstore.Aggregate{}, errorf(CodeInvalidParameter, "The parameters %sValues and %sCounts must be of the same size.", p, p)
		}
		var agg metricstore.Aggregate
		for j, v := range d.Values {
			if err := checkValue(fmt.Sprintf("%sValues.member.%d", p, j+1), v); err != nil {
				return agg, err
			}
			n := 1.0
			if d.Counts != nil {
				n = d.Counts[j]
				if !(n > 0) || math.IsInf(n, 0) {
					return agg, errorf(CodeInvalidParameter, "The value %v for parameter %sCounts.member.%d is invalid.", n, p, j+1)
				}
			}
			agg = agg.Merge(metricstore.Values(v, n))
		}
		return agg, nil
	}
}

// checkPeriod applies CloudWatch's allowed periods for reads.
func checkPeriod(member string, p *int) (time.Duration, error) {
	if p == nil {
		return 0, required(member)
	}
	switch {
	case *p < 1:
		return 0, validation(*p, member, "Member must have value greater than or equal to 1")
	case *p != 1 && *p != 5 && *p != 10 && *p != 20 && *p != 30 && *p%60 != 0:
		return 0, errorf(CodeInvalidParameter, "The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60.")
	}
	return time.Duration(*p) * time.Second, nil
}

// roundStart rounds a query's start time as CloudWatch does: to the period
// for high-resolution periods, else to the minute (under 15 days ago), five
// minutes (under 63 days) or hour.
func roundStart(start, now time.Time, period time.Duration) time.Time {
	age := now.Sub(start)
	switch {
	case period < time.Minute:
		return start.Truncate(period)
	case age < 15*24*time.Hour:
		return start.Truncate(time.Minute)
	case age < 63*24*time.Hour:
		return start.Truncate(5 * time.Minute)
	default:
		return start.Truncate(time.Hour)
	}
}

// timeRange validates StartTime and EndTime.
func timeRange(start, end *time.Time) (time.Time, time.Time, error) {
	switch {
	case start == nil:
		return time.Time{}, time.Time{}, required("startTime")
	case end == nil:
		return time.Time{}, time.Time{}, required("endTime")
	case !start.Before(*end):
		return time.Time{}, time.Time{}, errorf(CodeInvalidParameter, "The parameter StartTime must be less than the parameter EndTime.")
	}
	return *start, *end, nil
}

// GetMetricStatistics answers a metric's statistics per period.
func (s *Service) GetMetricStatistics(ctx context.Context, in *GetMetricStatisticsInput) (*GetMetricStatisticsOutput, error) {
	out := GetMetricStatisticsOutput{Label: in.MetricName, Datapoints: []Datapoint{}}
	m := Metric{Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions}
	if err := checkMetric(m, ""); err != nil {
		return &out, err
	}
	start, end, err := timeRange(in.StartTime, in.EndTime)
	if err != nil {
		return &out, err
	}
	period, err := checkPeriod("period", in.Period)
	if err != nil {
		return &out, err
	}
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return &out, errorf(CodeMissingParameter, "Must specify either Statistics or ExtendedStatistics.")
	}
	if len(in.Statistics) > 5 || len(in.ExtendedStatistics) > 10 {
		return &out, errorf(CodeInvalidParameter, "At most 5 Statistics and 10 ExtendedStatistics may be specified.")
	}
	for _, st := range in.Statistics {
		if err := checkEnum("statistics", st, statistics...); err != nil {
			return &out, err
		}
	}
	for _, x := range in.ExtendedStatistics {
		if !percentile.MatchString(x) {
			return &out, errorf(CodeInvalidParameter, "The value %s for parameter ExtendedStatistics is not supported: Slipway computes percentiles (p0.0 to p100).", x)
		}
	}
	if err := checkEnum("unit", in.Unit, units...); err != nil {
		return &out, err
	}
	start = roundStart(start, s.opts.Now(), period)
	if n := int64(end.Sub(start) / period); n > maxStatDatapoints {
		return &out, errorf(CodeInvalidCombination, "You have requested up to %d datapoints, which exceeds the limit of %d. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
			n, maxStatDatapoints)
	}
	windows, err := s.opts.Metrics.Query(metricstore.Query{Metric: storeMetric(m), Unit: in.Unit, Start: start, End: end, Period: period})
	if err != nil {
		return &out, internal(err)
	}
	for _, w := range windows {
		out.Datapoints = append(out.Datapoints, datapoint(w, in.Statistics, in.ExtendedStatistics))
	}
	return &out, nil
}

func datapoint(w metricstore.Window, stats, ext []string) Datapoint {
	d := Datapoint{Timestamp: w.Start, Unit: unitOrNone(w.Unit)}
	for _, st := range stats {
		v, _ := alarms.StatisticValue(w.Value, st, "")
		v2 := v
		switch st {
		case "SampleCount":
			d.SampleCount = &v2
		case "Average":
			d.Average = &v2
		case "Sum":
			d.Sum = &v2
		case "Minimum":
			d.Minimum = &v2
		case "Maximum":
			d.Maximum = &v2
		}
	}
	for _, x := range ext {
		if v, ok := alarms.StatisticValue(w.Value, "", x); ok {
			if d.ExtendedStatistics == nil {
				d.ExtendedStatistics = map[string]float64{}
			}
			d.ExtendedStatistics[x] = v
		}
	}
	return d
}

// ListMetrics lists metrics that received data in the past two weeks (or
// three hours, with RecentlyActive PT3H), 500 at a time.
func (s *Service) ListMetrics(ctx context.Context, in *ListMetricsInput) (*ListMetricsOutput, error) {
	out := ListMetricsOutput{Metrics: []Metric{}}
	if err := checkEnum("recentlyActive", in.RecentlyActive, "PT3H"); err != nil {
		return &out, err
	}
	if len(in.Dimensions) > 10 {
		return &out, validation(len(in.Dimensions), "dimensions", "Member must have length less than or equal to 10")
	}
	after := ""
	if in.NextToken != "" {
		var err error
		if after, err = decodeToken(in.NextToken); err != nil {
			return &out, err
		}
	}
	window := listMetricsWindow
	if in.RecentlyActive == "PT3H" {
		window = 3 * time.Hour
	}
	cutoff := s.opts.Now().Add(-window)
	seen := map[string]Metric{}
	for _, sr := range s.opts.Metrics.List() {
		m := sr.Metric
		if sr.LastWrite.Before(cutoff) || (in.Namespace != "" && m.Namespace != in.Namespace) ||
			(in.MetricName != "" && m.Name != in.MetricName) || !matchesFilters(m, in.Dimensions) {
			continue
		}
		k := listKey(m)
		if k > after {
			seen[k] = Metric{Namespace: m.Namespace, MetricName: m.Name, Dimensions: apiDims(m.Dimensions)}
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i == listMetricsPageSize {
			out.NextToken = token(keys[i-1])
			break
		}
		out.Metrics = append(out.Metrics, seen[k])
	}
	return &out, nil
}

func listKey(m metricstore.Metric) string {
	var b strings.Builder
	b.WriteString(m.Namespace + "\x00" + m.Name)
	for _, d := range m.Dimensions {
		b.WriteString("\x01" + d.Name + "\x02" + d.Value)
	}
	return b.String()
}

func matchesFilters(m metricstore.Metric, filters []DimensionFilter) bool {
	for _, f := range filters {
		v, ok := m.Dimension(f.Name)
		if !ok || (f.Value != nil && *f.Value != v) {
			return false
		}
	}
	return true
}
