package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/slipway-dev/slipway/internal/cfn/template"
	"github.com/slipway-dev/slipway/internal/store"
)

// Reader is implemented by providers that can read a resource's live
// properties, for drift detection. It returns the properties it knows, by
// the template's names; one it leaves out is not checked. A resource that
// no longer exists is ErrNotFound.
type Reader interface {
	Read(ctx context.Context, req *Request) (map[string]any, error)
}

// Drift statuses.
const (
	DriftInSync     = "IN_SYNC"
	DriftDrifted    = "DRIFTED"
	DriftModified   = "MODIFIED"
	DriftDeleted    = "DELETED"
	DriftNotChecked = "NOT_CHECKED"
)

// bucketDrifts holds each stack's latest drift detection: stack id |
// detection id → Detection (an older one is deleted when a new one is made).
const bucketDrifts store.Bucket = "cfn.drifts"

// Detection is one DetectStackDrift's result.
type Detection struct {
	ID, StackID      string
	StackDriftStatus string
	DriftedCount     int
	Timestamp        time.Time
	Resources        []ResourceDrift
}

// ResourceDrift is one resource's drift.
type ResourceDrift struct {
	LogicalID, PhysicalID, Type string
	Status                      string
	Expected, Actual            map[string]any `json:",omitempty"`
	Differences                 []PropertyDifference
	Timestamp                   time.Time
}

// PropertyDifference is one property that differs from the template's.
type PropertyDifference struct {
	Path, Expected, Actual, Type string
}

// DetectStackDrift compares each resource whose provider can read it with
// the properties the stack gave it, and records the result; it is done by
// the time it returns (DETECTION_COMPLETE).
func (e *Engine) DetectStackDrift(ctx context.Context, name string) (string, error) {
	s, rs, err := e.Resources(ctx, name)
	if err != nil {
		return "", err
	}
	if _, busy := steps[s.Status]; busy || s.Status == StatusReviewInProgress {
		return "", validation(ErrStackBusy, "Drift detection is not supported for stacks in %s state", s.Status)
	}
	d := &Detection{ID: newUUID(), StackID: s.ID, StackDriftStatus: DriftInSync, Timestamp: e.now()}
	o := &op{e: e, ctx: ctx, stack: s}
	for i := range rs {
		rd, err := e.drift(ctx, o, &rs[i])
		if err != nil {
			return "", err
		}
		if rd.Status == DriftModified || rd.Status == DriftDeleted {
			d.DriftedCount++
			d.StackDriftStatus = DriftDrifted
		}
		d.Resources = append(d.Resources, rd)
	}
	err = e.update(ctx, func(t tx) error {
		var old []string
		if err := t.Scan(bucketDrifts, s.ID+keySep, "", func(k string, _ []byte) (bool, error) {
			old = append(old, k)
			return true, nil
		}); err != nil {
			return err
		}
		for _, k := range old {
			if err := t.Delete(bucketDrifts, k); err != nil {
				return err
			}
		}
		return store.PutJSON(t.Tx, bucketDrifts, childKey(s.ID, d.ID), d)
	})
	return d.ID, err
}

func (e *Engine) drift(ctx context.Context, o *op, r *Resource) (ResourceDrift, error) {
	rd := ResourceDrift{LogicalID: r.LogicalID, PhysicalID: r.PhysicalID, Type: r.Type, Status: DriftNotChecked, Timestamp: e.now()}
	reader, ok := e.providers[r.Type].(Reader)
	if !ok || !live(r.Status) {
		return rd, nil
	}
	actual, err := reader.Read(ctx, o.request(r, r.State))
	switch {
	case errors.Is(err, ErrNotFound):
		rd.Status, rd.Expected = DriftDeleted, r.Properties
		return rd, nil
	case err != nil:
		return rd, fmt.Errorf("read %s: %w", r.LogicalID, err)
	}
	expected := map[string]any{}
	for k := range actual {
		if v, ok := r.Properties[k]; ok {
			expected[k] = v
		}
	}
	checked := maps.Clone(actual)
	for k := range checked {
		if _, ok := r.Properties[k]; !ok {
			delete(checked, k)
		}
	}
	rd.Expected, rd.Actual, rd.Status = expected, checked, DriftInSync
	for _, d := range template.DiffProperties(expected, checked) {
		rd.Differences = append(rd.Differences, PropertyDifference{Path: d.Path, Expected: valueText(d.Before), Actual: valueText(d.After),
			Type: "NOT_EQUAL"})
		rd.Status = DriftModified
	}
	return rd, nil
}

// Detection returns a drift detection by id.
func (e *Engine) Detection(ctx context.Context, id string) (*Detection, error) {
	var found *Detection
	err := e.view(ctx, func(t tx) error {
		return store.ScanJSON(t.Tx, bucketDrifts, "", "", func(_ string, d Detection) bool {
			if d.ID == id {
				found = &d
			}
			return found == nil
		})
	})
	if err == nil && found == nil {
		return nil, validation(ErrInvalidInput, "Drift detection with id %s does not exist", id)
	}
	return found, err
}

// LastDetection returns the stack's latest drift detection, or nil.
func (e *Engine) LastDetection(ctx context.Context, stackID string) (*Detection, error) {
	var last *Detection
	err := e.view(ctx, func(t tx) error {
		return store.ScanJSON(t.Tx, bucketDrifts, stackID+keySep, "", func(_ string, d Detection) bool {
			last = &d
			return false
		})
	})
	return last, err
}

// propertiesJSON renders properties as a drift shows them.
func propertiesJSON(m map[string]any) string {
	if m == nil {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// PropertiesJSON is ResourceDrift's ExpectedProperties or ActualProperties.
func (r ResourceDrift) PropertiesJSON(actual bool) string {
	if actual {
		return propertiesJSON(r.Actual)
	}
	return propertiesJSON(r.Expected)
}
