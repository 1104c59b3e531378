// Package alarms keeps CloudWatch metric alarms and evaluates them as
// CloudWatch does: the statistic of the alarm's metric over its last
// periods (Period, EvaluationPeriods, DatapointsToAlarm as M of N),
// TreatMissingData, percentiles with EvaluateLowSampleCountPercentile, and
// state changes with CloudWatch's reasons and history. State changes are
// told to Listeners (the deployment controller) and run the alarm's actions
// through the Actions registered for their ARNs (Application Auto Scaling
// policies); action ARNs that name nothing Slipway runs (SNS topics, EC2
// actions, ...) are stored and echoed only.
//
// Alarm records live in the state store (store.Store), so they are as
// durable as services; evaluation reads the metric store.
package alarms

import (
	"time"

	"github.com/slipway-dev/slipway/internal/metricstore"
)

// Alarm states.
const (
	StateOK               = "OK"
	StateAlarm            = "ALARM"
	StateInsufficientData = "INSUFFICIENT_DATA"
)

// TreatMissingData values.
const (
	MissingMissing      = "missing"
	MissingIgnore       = "ignore"
	MissingBreaching    = "breaching"
	MissingNotBreaching = "notBreaching"
)

// Comparison operators Slipway evaluates. The anomaly-detection band
// operators (LessThanLowerOrGreaterThanUpperThreshold, ...) are refused by
// the operations layer: Slipway has no anomaly detection models.
const (
	GreaterThanOrEqual = "GreaterThanOrEqualToThreshold"
	GreaterThan        = "GreaterThanThreshold"
	LessThan           = "LessThanThreshold"
	LessThanOrEqual    = "LessThanOrEqualToThreshold"
)

// History item types.
const (
	HistoryConfigurationUpdate = "ConfigurationUpdate"
	HistoryStateUpdate         = "StateUpdate"
	HistoryAction              = "Action"
)

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Alarm is a metric alarm as stored.
type Alarm struct {
	Name        string `json:"name"`
	ARN         string `json:"arn"`
	Description string `json:"description,omitempty"`

	ActionsEnabled          bool     `json:"actionsEnabled"`
	OKActions               []string `json:"okActions,omitempty"`
	AlarmActions            []string `json:"alarmActions,omitempty"`
	InsufficientDataActions []string `json:"insufficientDataActions,omitempty"`

	Namespace  string                  `json:"namespace"`
	MetricName string                  `json:"metricName"`
	Dimensions []metricstore.Dimension `json:"dimensions,omitempty"`
	// Statistic or ExtendedStatistic (pNN), exactly one.
	Statistic         string `json:"statistic,omitempty"`
	ExtendedStatistic string `json:"extendedStatistic,omitempty"`
	Unit              string `json:"unit,omitempty"`

	Period             int     `json:"period"` // seconds
	EvaluationPeriods  int     `json:"evaluationPeriods"`
	DatapointsToAlarm  int     `json:"datapointsToAlarm,omitempty"` // 0: EvaluationPeriods
	Threshold          float64 `json:"threshold"`
	ComparisonOperator string  `json:"comparisonOperator"`
	// TreatMissingData is "" (missing) or one of the Missing* values.
	TreatMissingData                 string `json:"treatMissingData,omitempty"`
	EvaluateLowSampleCountPercentile string `json:"evaluateLowSampleCountPercentile,omitempty"`

	Tags []Tag `json:"tags,omitempty"`

	ConfigurationUpdated time.Time `json:"configurationUpdated"`
	State                string    `json:"state"`
	StateReason          string    `json:"stateReason"`
	StateReasonData      string    `json:"stateReasonData,omitempty"`
	StateUpdated         time.Time `json:"stateUpdated"`
	StateTransitioned    time.Time `json:"stateTransitioned"`
}

// M is DatapointsToAlarm, defaulting to EvaluationPeriods.
func (a *Alarm) M() int {
	if a.DatapointsToAlarm > 0 {
		return a.DatapointsToAlarm
	}
	return a.EvaluationPeriods
}

// Metric is the alarm's metric.
func (a *Alarm) Metric() metricstore.Metric {
	return metricstore.NewMetric(a.Namespace, a.MetricName, a.Dimensions...)
}

// Treatment is TreatMissingData with its default.
func (a *Alarm) Treatment() string {
	if a.TreatMissingData == "" {
		return MissingMissing
	}
	return a.TreatMissingData
}

// Actions returns the actions of state s.
func (a *Alarm) Actions(s string) []string {
	switch s {
	case StateOK:
		return a.OKActions
	case StateAlarm:
		return a.AlarmActions
	default:
		return a.InsufficientDataActions
	}
}

// HistoryItem is one entry of an alarm's history.
type HistoryItem struct {
	AlarmName string    `json:"alarmName"`
	Timestamp time.Time `json:"timestamp"`
	Type      string    `json:"type"`
	Summary   string    `json:"summary"`
	Data      string    `json:"data"`
}

// StateChange is what Listeners and Actions are told.
type StateChange struct {
	// Alarm is the alarm after the change.
	Alarm Alarm
	// Old and New are the states before and after; they are equal when an
	// action is invoked again because the alarm stays in its state.
	Old, New string
	At       time.Time
}
