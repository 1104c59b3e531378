package aasops

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// activityKey orders a target's activities by start time.
func activityKey(a Activity, seq uint64) string {
	return childKey(a.ResourceID, fmt.Sprintf("%016x%016x", a.Start.UnixNano(), seq))
}

// RecordActivity stores a scaling activity (an id is given when it has
// none), dropping the target's activities beyond six weeks or beyond
// MaxActivitiesPerTarget.
func (s *Service) RecordActivity(ctx context.Context, a Activity) (Activity, error) {
	if a.ID == "" {
		a.ID = model.NewUUID()
	}
	if a.Start.IsZero() {
		a.Start = s.now()
	}
	cutoff := s.now().Add(-ActivityRetention)
	err := s.opts.Store.Update(ctx, func(tx store.Tx) error {
		seq, err := tx.NextSequence(bucketActivities)
		if err != nil {
			return err
		}
		if err := store.PutJSON(tx, bucketActivities, activityKey(a, seq), a); err != nil {
			return err
		}
		// Keys order the activities by start time, which they carry: the
		// scan decodes nothing.
		var keys, old []string
		prefix := childPrefix(a.ResourceID)
		oldest := activityKey(Activity{ResourceID: a.ResourceID, Start: cutoff}, 0)
		err = tx.Scan(bucketActivities, prefix, "", func(k string, _ []byte) (bool, error) {
			if k < oldest {
				old = append(old, k)
			} else {
				keys = append(keys, k)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		if len(keys) > MaxActivitiesPerTarget {
			old = append(old, keys[:len(keys)-MaxActivitiesPerTarget]...)
		}
		for _, k := range old {
			if err := tx.Delete(bucketActivities, k); err != nil {
				return err
			}
		}
		return nil
	})
	return a, err
}

// DescribeScalingActivities lists activities, newest first; activities that
// did not scale only with IncludeNotScaledActivities.
func (s *Service) DescribeScalingActivities(ctx context.Context, in *DescribeScalingActivitiesInput) (*DescribeScalingActivitiesOutput, error) {
	if err := checkFilter(in.ServiceNamespace, in.ResourceId, in.ScalableDimension); err != nil {
		return nil, err
	}
	limit, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	withNotScaled := in.IncludeNotScaledActivities != nil && *in.IncludeNotScaledActivities
	prefix := ""
	if in.ResourceId != "" {
		prefix = childPrefix(in.ResourceId)
	}
	type keyed struct {
		key string
		a   Activity
	}
	var list []keyed
	err = s.opts.Store.View(ctx, func(tx store.Tx) error {
		return store.ScanJSON(tx, bucketActivities, prefix, "", func(k string, a Activity) bool {
			if withNotScaled || len(a.NotScaled) == 0 {
				list = append(list, keyed{k, a})
			}
			return true
		})
	})
	if err != nil {
		return nil, internal(err)
	}
	// Newest first across targets: by start time, then key.
	slices.SortFunc(list, func(x, y keyed) int {
		if c := y.a.Start.Compare(x.a.Start); c != 0 {
			return c
		}
		return strings.Compare(y.key, x.key)
	})
	for i := range list {
		// A sortable key for paging: descending time, then key.
		list[i].key = fmt.Sprintf("%016x", uint64(1<<63-1-list[i].a.Start.UnixNano())) + list[i].key
	}
	got, next, err := page(list, func(k keyed) string { return k.key }, false, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	out := &DescribeScalingActivitiesOutput{ScalingActivities: make([]ScalingActivity, 0, len(got)), NextToken: next}
	for _, k := range got {
		out.ScalingActivities = append(out.ScalingActivities, activityView(k.a))
	}
	return out, nil
}

func activityView(a Activity) ScalingActivity {
	v := ScalingActivity{ActivityId: a.ID, ServiceNamespace: NamespaceECS, ResourceId: a.ResourceID,
		ScalableDimension: DimensionECSDesire, Description: a.Description, Cause: a.Cause, StartTime: a.Start,
		StatusCode: a.Status, StatusMessage: a.StatusMessage, Details: a.Details}
	if !a.End.IsZero() {
		end := a.End
		v.EndTime = &end
	}
	for _, r := range a.NotScaled {
		v.NotScaledReasons = append(v.NotScaledReasons, NotScaledReason{Code: r.Code, MinCapacity: r.Min, MaxCapacity: r.Max, CurrentCapacity: r.Current})
	}
	return v
}
