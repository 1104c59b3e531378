package cwops

import "time"

// The inputs and outputs below are CloudWatch's shapes (service model
// monitoring 2010-08-01) as Go types: field names are the members' names,
// so the wire package can decode and encode every protocol by reflection.
// Pointers mark optional members whose zero value means something.

// Dimension is a metric dimension.
type Dimension struct {
	Name, Value string
}

// DimensionFilter filters ListMetrics by a dimension (Value optional).
type DimensionFilter struct {
	Name  string
	Value *string
}

// Metric names a metric.
type Metric struct {
	Namespace  string
	MetricName string
	Dimensions []Dimension
}

// Tag is a resource tag.
type Tag struct {
	Key, Value string
}

// StatisticSet is a pre-aggregated datum.
type StatisticSet struct {
	SampleCount, Sum, Minimum, Maximum *float64
}

// MetricDatum is one PutMetricData item.
type MetricDatum struct {
	MetricName        string
	Dimensions        []Dimension
	Timestamp         *time.Time
	Value             *float64
	StatisticValues   *StatisticSet
	Values            []float64
	Counts            []float64
	Unit              string
	StorageResolution *int
}

// PutMetricDataInput is PutMetricData's request. EntityMetricData is refused
// (Slipway has no entities); StrictEntityValidation is accepted as it only
// concerns entities.
type PutMetricDataInput struct {
	Namespace              string
	MetricData             []MetricDatum
	EntityMetricData       []any
	StrictEntityValidation *bool
}

// MetricStat is a metric with a statistic and period.
type MetricStat struct {
	Metric *Metric
	Period *int
	Stat   string
	Unit   string
}

// MetricDataQuery is one GetMetricData query (or an alarm's metric math).
type MetricDataQuery struct {
	Id         string
	MetricStat *MetricStat
	Expression string
	Label      string
	ReturnData *bool
	Period     *int
	AccountId  string
}

// PutMetricAlarmInput is PutMetricAlarm's request.
type PutMetricAlarmInput struct {
	AlarmName                        string
	AlarmDescription                 *string
	ActionsEnabled                   *bool
	OKActions                        []string
	AlarmActions                     []string
	InsufficientDataActions          []string
	MetricName                       string
	Namespace                        string
	Statistic                        string
	ExtendedStatistic                string
	Dimensions                       []Dimension
	Period                           *int
	Unit                             string
	EvaluationPeriods                *int
	DatapointsToAlarm                *int
	Threshold                        *float64
	ComparisonOperator               string
	TreatMissingData                 string
	EvaluateLowSampleCountPercentile string
	Metrics                          []MetricDataQuery
	Tags                             []Tag
	ThresholdMetricId                string
	EvaluationCriteria               any
	EvaluationInterval               *int
	// systemTags are set only in process (SetSystemTags): the wire codecs
	// fill exported fields by name and cannot reach it.
	systemTags []Tag
}

// SetSystemTags sets the tags with the reserved aws: prefix that an
// in-process caller adds to a new alarm (CloudFormation's;
// model.ValidateSystemTags). They do not count against MaxTags.
func (in *PutMetricAlarmInput) SetSystemTags(tags []Tag) { in.systemTags = tags }

// MetricAlarm is an alarm as DescribeAlarms answers it.
type MetricAlarm struct {
	AlarmName                          string
	AlarmArn                           string
	AlarmDescription                   *string
	AlarmConfigurationUpdatedTimestamp time.Time
	ActionsEnabled                     bool
	OKActions                          []string
	AlarmActions                       []string
	InsufficientDataActions            []string
	StateValue                         string
	StateReason                        string
	StateReasonData                    string
	StateUpdatedTimestamp              time.Time
	MetricName                         string
	Namespace                          string
	Statistic                          string
	ExtendedStatistic                  string
	Dimensions                         []Dimension
	Period                             int
	Unit                               string
	EvaluationPeriods                  int
	DatapointsToAlarm                  *int
	Threshold                          float64
	ComparisonOperator                 string
	TreatMissingData                   string
	EvaluateLowSampleCountPercentile   string
	StateTransitionedTimestamp         time.Time
}

// DescribeAlarmsInput is DescribeAlarms' request.
type DescribeAlarmsInput struct {
	AlarmNames          []string
	AlarmNamePrefix     string
	AlarmTypes          []string
	ChildrenOfAlarmName string
	ParentsOfAlarmName  string
	StateValue          string
	ActionPrefix        string
	MaxRecords          *int
	NextToken           string
}

// DescribeAlarmsOutput is DescribeAlarms' answer. CompositeAlarms is set
// (empty) when composite alarms were asked for: Slipway has none.
type DescribeAlarmsOutput struct {
	CompositeAlarms []struct{}
	MetricAlarms    []MetricAlarm
	NextToken       string
}

// DescribeAlarmsForMetricInput is DescribeAlarmsForMetric's request.
type DescribeAlarmsForMetricInput struct {
	MetricName        string
	Namespace         string
	Statistic         string
	ExtendedStatistic string
	Dimensions        []Dimension
	Period            *int
	Unit              string
}

// DescribeAlarmsForMetricOutput is its answer.
type DescribeAlarmsForMetricOutput struct {
	MetricAlarms []MetricAlarm
}

// AlarmNamesInput is the request of DeleteAlarms, EnableAlarmActions and
// DisableAlarmActions.
type AlarmNamesInput struct {
	AlarmNames []string
}

// SetAlarmStateInput is SetAlarmState's request.
type SetAlarmStateInput struct {
	AlarmName       string
	StateValue      string
	StateReason     *string
	StateReasonData string
}

// DescribeAlarmHistoryInput is DescribeAlarmHistory's request.
type DescribeAlarmHistoryInput struct {
	AlarmName          string
	AlarmContributorId string
	AlarmTypes         []string
	HistoryItemType    string
	StartDate          *time.Time
	EndDate            *time.Time
	MaxRecords         *int
	NextToken          string
	ScanBy             string
}

// AlarmHistoryItem is one history entry.
type AlarmHistoryItem struct {
	AlarmName       string
	AlarmType       string
	Timestamp       time.Time
	HistoryItemType string
	HistorySummary  string
	HistoryData     string
}

// DescribeAlarmHistoryOutput is its answer.
type DescribeAlarmHistoryOutput struct {
	AlarmHistoryItems []AlarmHistoryItem
	NextToken         string
}

// GetMetricStatisticsInput is GetMetricStatistics' request.
type GetMetricStatisticsInput struct {
	Namespace          string
	MetricName         string
	Dimensions         []Dimension
	StartTime          *time.Time
	EndTime            *time.Time
	Period             *int
	Statistics         []string
	ExtendedStatistics []string
	Unit               string
}

// Datapoint is one period's statistics.
type Datapoint struct {
	Timestamp          time.Time
	SampleCount        *float64
	Average            *float64
	Sum                *float64
	Minimum            *float64
	Maximum            *float64
	Unit               string
	ExtendedStatistics map[string]float64
}

// GetMetricStatisticsOutput is its answer.
type GetMetricStatisticsOutput struct {
	Label      string
	Datapoints []Datapoint
}

// LabelOptions configures GetMetricData's labels.
type LabelOptions struct {
	Timezone string
}

// GetMetricDataInput is GetMetricData's request.
type GetMetricDataInput struct {
	MetricDataQueries []MetricDataQuery
	StartTime         *time.Time
	EndTime           *time.Time
	NextToken         string
	ScanBy            string
	MaxDatapoints     *int
	LabelOptions      *LabelOptions
}

// MessageData is a message of a GetMetricData answer.
type MessageData struct {
	Code, Value string
}

// MetricDataResult is one query's answer.
type MetricDataResult struct {
	Id         string
	Label      string
	Timestamps []time.Time
	Values     []float64
	StatusCode string
	Messages   []MessageData
}

// GetMetricDataOutput is GetMetricData's answer.
type GetMetricDataOutput struct {
	MetricDataResults []MetricDataResult
	NextToken         string
	Messages          []MessageData
}

// ListMetricsInput is ListMetrics' request.
type ListMetricsInput struct {
	Namespace             string
	MetricName            string
	Dimensions            []DimensionFilter
	NextToken             string
	RecentlyActive        string
	IncludeLinkedAccounts *bool
	OwningAccount         string
}

// ListMetricsOutput is its answer.
type ListMetricsOutput struct {
	Metrics   []Metric
	NextToken string
}

// TagResourceInput is TagResource's request.
type TagResourceInput struct {
	ResourceARN string
	Tags        []Tag
}

// UntagResourceInput is UntagResource's request.
type UntagResourceInput struct {
	ResourceARN string
	TagKeys     []string
}

// ListTagsForResourceInput is ListTagsForResource's request.
type ListTagsForResourceInput struct {
	ResourceARN string
}

// ListTagsForResourceOutput is its answer.
type ListTagsForResourceOutput struct {
	Tags []Tag
}
