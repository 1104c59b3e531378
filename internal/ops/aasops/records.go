package aasops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/internal/store"
)

// The records are Slipway's, not the wire's shapes; the scaler reads them
// through the Service's in-process methods (scaler.go).

const (
	bucketTargets    store.Bucket = "aas_targets"
	bucketPolicies   store.Bucket = "aas_policies"
	bucketScheduled  store.Bucket = "aas_scheduled_actions"
	bucketActivities store.Bucket = "aas_activities"
)

// Target is a scalable target as stored (an ECS service's desired count).
type Target struct {
	ID         string `json:"id"`
	ARN        string `json:"arn"`
	ResourceID string `json:"resourceId"` // service/CLUSTER/SERVICE
	Cluster    string `json:"cluster"`
	Service    string `json:"service"`
	Min        int    `json:"min"`
	Max        int    `json:"max"`
	RoleARN    string `json:"roleArn"`
	// Suspensions (SuspendedState).
	SuspendIn        bool              `json:"suspendIn,omitempty"`
	SuspendOut       bool              `json:"suspendOut,omitempty"`
	SuspendScheduled bool              `json:"suspendScheduled,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	Created          time.Time         `json:"created"`
	// BoundsChanged is when Min or Max last changed (a registration or a
	// scheduled action), BoundsApplied when the scaler last brought the
	// desired count within them: a change the scaler has not applied yet
	// is applied after a restart too.
	BoundsChanged time.Time `json:"boundsChanged,omitzero"`
	BoundsApplied time.Time `json:"boundsApplied,omitzero"`
}

// Step is one step adjustment; bounds are relative to the alarm threshold.
type Step struct {
	Lower      *float64 `json:"lower,omitempty"`
	Upper      *float64 `json:"upper,omitempty"`
	Adjustment int      `json:"adjustment"`
}

// StepConfig is a step scaling policy's configuration, defaults applied.
type StepConfig struct {
	AdjustmentType string `json:"adjustmentType"`
	Steps          []Step `json:"steps"`
	// MinAdjustmentMagnitude is 0 when not set.
	MinAdjustmentMagnitude int `json:"minAdjustmentMagnitude,omitempty"`
	// CooldownSet tells a given Cooldown from the default (echoed as given).
	Cooldown    int    `json:"cooldown"`
	CooldownSet bool   `json:"cooldownSet,omitempty"`
	Aggregation string `json:"aggregation"`
	// AggregationSet tells a given MetricAggregationType from the default.
	AggregationSet bool `json:"aggregationSet,omitempty"`
}

// MetricDim is a dimension of a tracked metric.
type MetricDim struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Metric is a tracked CloudWatch metric with its statistic.
type Metric struct {
	Namespace  string      `json:"namespace"`
	MetricName string      `json:"metricName"`
	Dimensions []MetricDim `json:"dimensions,omitempty"`
	Statistic  string      `json:"statistic"`
	Unit       string      `json:"unit,omitempty"`
}

// TrackingConfig is a target tracking policy's configuration.
type TrackingConfig struct {
	TargetValue float64 `json:"targetValue"`
	// Predefined is the PredefinedMetricType ("" for a customized metric).
	Predefined    string `json:"predefined,omitempty"`
	ResourceLabel string `json:"resourceLabel,omitempty"`
	// Metric is the metric the alarms watch (the predefined one resolved).
	Metric Metric `json:"metric"`
	// Custom tells a customized metric specification (echoed as given).
	Custom bool `json:"custom,omitempty"`
	// Cooldowns in seconds; the *Set flags tell given values from defaults.
	ScaleOutCooldown    int  `json:"scaleOutCooldown"`
	ScaleOutCooldownSet bool `json:"scaleOutCooldownSet,omitempty"`
	ScaleInCooldown     int  `json:"scaleInCooldown"`
	ScaleInCooldownSet  bool `json:"scaleInCooldownSet,omitempty"`
	DisableScaleIn      bool `json:"disableScaleIn,omitempty"`
	DisableScaleInSet   bool `json:"disableScaleInSet,omitempty"`
}

// CooldownState is the scaler's memory of a policy's last scaling.
type CooldownState struct {
	// LastOut and LastIn are when the policy last scaled out and in.
	LastOut time.Time `json:"lastOut,omitzero"`
	LastIn  time.Time `json:"lastIn,omitzero"`
	// OutFrom is the capacity the last scale-out started from: during the
	// scale-out cooldown the policy plans from it, so the capacity that
	// scale-out added counts toward the next one.
	OutFrom int `json:"outFrom,omitempty"`
}

// Policy is a scaling policy as stored.
type Policy struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	ARN        string          `json:"arn"`
	ResourceID string          `json:"resourceId"`
	Type       string          `json:"type"`
	Step       *StepConfig     `json:"step,omitempty"`
	Tracking   *TrackingConfig `json:"tracking,omitempty"`
	// AlarmNames are the alarms a target tracking policy owns (high, then low).
	AlarmNames []string      `json:"alarmNames,omitempty"`
	Created    time.Time     `json:"created"`
	Cooldown   CooldownState `json:"cooldown"`
}

// Scheduled is a scheduled action as stored.
type Scheduled struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	ARN        string     `json:"arn"`
	ResourceID string     `json:"resourceId"`
	Schedule   string     `json:"schedule"`
	Timezone   string     `json:"timezone,omitempty"`
	Start      *time.Time `json:"start,omitempty"`
	End        *time.Time `json:"end,omitempty"`
	Min        *int       `json:"min,omitempty"`
	Max        *int       `json:"max,omitempty"`
	Created    time.Time  `json:"created"`
	// Anchor is when the current schedule was set: a rate() without a start
	// time first runs one interval after it.
	Anchor time.Time `json:"anchor"`
	// LastRun is when the scaler last ran it (zero: never).
	LastRun time.Time `json:"lastRun,omitzero"`
}

// Activity is a scaling activity as stored.
type Activity struct {
	ID            string            `json:"id"`
	ResourceID    string            `json:"resourceId"`
	Description   string            `json:"description"`
	Cause         string            `json:"cause"`
	Start         time.Time         `json:"start"`
	End           time.Time         `json:"end,omitzero"`
	Status        string            `json:"status"`
	StatusMessage string            `json:"statusMessage,omitempty"`
	Details       string            `json:"details,omitempty"`
	NotScaled     []NotScaledRecord `json:"notScaled,omitempty"`
}

// NotScaledRecord is why an activity did not scale.
type NotScaledRecord struct {
	Code    string `json:"code"`
	Min     *int   `json:"min,omitempty"`
	Max     *int   `json:"max,omitempty"`
	Current *int   `json:"current,omitempty"`
}

// Activity status codes.
const (
	StatusSuccessful = "Successful"
	StatusFailed     = "Failed"
	StatusInProgress = "InProgress"
)

// childKey is the key of a target's policy, scheduled action or activity:
// the NUL cannot occur in resource ids (the model's pattern excludes it),
// so one target's prefix is never another's.
func childKey(resourceID, name string) string { return resourceID + "\x00" + name }

func childPrefix(resourceID string) string { return resourceID + "\x00" }

func getTarget(tx store.Tx, resourceID string) (Target, error) {
	t, err := store.GetJSON[Target](tx, bucketTargets, resourceID)
	if errors.Is(err, store.ErrNotFound) {
		return t, fmt.Errorf("%w: scalable target %s: %w", ErrNotFound, resourceID, err)
	}
	return t, err
}

func getPolicy(tx store.Tx, resourceID, name string) (Policy, error) {
	p, err := store.GetJSON[Policy](tx, bucketPolicies, childKey(resourceID, name))
	if errors.Is(err, store.ErrNotFound) {
		return p, fmt.Errorf("%w: scaling policy %s: %w", ErrNotFound, name, err)
	}
	return p, err
}

func getScheduled(tx store.Tx, resourceID, name string) (Scheduled, error) {
	a, err := store.GetJSON[Scheduled](tx, bucketScheduled, childKey(resourceID, name))
	if errors.Is(err, store.ErrNotFound) {
		return a, fmt.Errorf("%w: scheduled action %s: %w", ErrNotFound, name, err)
	}
	return a, err
}

// countChildren counts the records of a target in bucket b.
func countChildren(tx store.Tx, b store.Bucket, resourceID string) (int, error) {
	n := 0
	err := tx.Scan(b, childPrefix(resourceID), "", func(string, []byte) (bool, error) {
		n++
		return true, nil
	})
	return n, err
}

// deleteChildren deletes a target's records in bucket b.
func deleteChildren(tx store.Tx, b store.Bucket, resourceID string) error {
	var keys []string
	err := tx.Scan(b, childPrefix(resourceID), "", func(k string, _ []byte) (bool, error) {
		keys = append(keys, k)
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(b, k); err != nil {
			return err
		}
	}
	return nil
}

// childFilter is what DescribeScalingPolicies and DescribeScheduledActions
// select by: the namespace, an optional resource id and dimension, names
// (all when empty) and a page.
type childFilter struct {
	ns, rid, dim string
	names        []string
	namesMember  string
	max          *int
	token        string
}

// describeChildren lists the records of bucket b that f selects, in
// resource id and name order, a page at a time; idOf gives a record's
// resource id and name.
func describeChildren[T any](ctx context.Context, s *Service, b store.Bucket, f childFilter, idOf func(T) (string, string)) ([]T, string, error) {
	if err := checkFilter(f.ns, f.rid, f.dim); err != nil {
		return nil, "", err
	}
	if len(f.names) > 50 {
		return nil, "", validation(len(f.names), f.namesMember, "Member must have length less than or equal to 50")
	}
	limit, err := checkMaxResults(f.max)
	if err != nil {
		return nil, "", err
	}
	prefix := ""
	if f.rid != "" {
		prefix = childPrefix(f.rid)
	}
	var list []T
	err = s.opts.Store.View(ctx, func(tx store.Tx) error {
		list = list[:0]
		return store.ScanJSON(tx, b, prefix, "", func(_ string, v T) bool {
			if _, name := idOf(v); len(f.names) == 0 || slices.Contains(f.names, name) {
				list = append(list, v)
			}
			return true
		})
	})
	if err != nil {
		return nil, "", internal(err)
	}
	return page(list, func(v T) string { return childKey(idOf(v)) }, false, f.token, limit)
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
