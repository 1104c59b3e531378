package alarms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/slipway-dev/slipway/internal/store"
)

// InitialReason is the StateReason of a new alarm, in CloudWatch's words.
const InitialReason = "Unchecked: Initial alarm creation"

// List returns every alarm, in name order.
func (e *Engine) List(ctx context.Context) ([]Alarm, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.load(ctx); err != nil {
		return nil, err
	}
	out := make([]Alarm, 0, len(e.alarms))
	for _, a := range e.alarms {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Get returns one alarm, or ErrNotFound.
func (e *Engine) Get(ctx context.Context, name string) (Alarm, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.load(ctx); err != nil {
		return Alarm{}, err
	}
	a, ok := e.alarms[name]
	if !ok {
		return Alarm{}, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	return *a, nil
}

// configOnly is an alarm without its state, for configuration history.
func configOnly(a Alarm) Alarm {
	a.State, a.StateReason, a.StateReasonData = "", "", ""
	a.StateUpdated, a.StateTransitioned = a.ConfigurationUpdated, a.ConfigurationUpdated
	a.Tags = nil
	return a
}

// Put creates or replaces an alarm's configuration, as PutMetricAlarm does:
// a new alarm starts in INSUFFICIENT_DATA; an existing one keeps its state
// (and its tags, which PutMetricAlarm does not change on an update). It is
// evaluated at the next tick. It reports whether the alarm was created.
func (e *Engine) Put(ctx context.Context, a Alarm) (bool, error) {
	now := e.opts.Clock.Now().UTC().Truncate(1e6)
	a.ConfigurationUpdated = now
	created := false
	var stored Alarm
	err := e.opts.Store.Update(ctx, func(tx store.Tx) error {
		rec := a
		old, err := getAlarm(tx, a.Name)
		created = err != nil
		kind, summary := "Update", fmt.Sprintf("Alarm %q updated", a.Name)
		if created {
			if !isNotFound(err) {
				return err
			}
			rec.State, rec.StateReason, rec.StateReasonData = StateInsufficientData, InitialReason, ""
			rec.StateUpdated, rec.StateTransitioned = now, now
			kind, summary = "Create", fmt.Sprintf("Alarm %q created", a.Name)
		} else {
			rec.State, rec.StateReason, rec.StateReasonData = old.State, old.StateReason, old.StateReasonData
			rec.StateUpdated, rec.StateTransitioned = old.StateUpdated, old.StateTransitioned
			rec.Tags = old.Tags
		}
		if err := putAlarm(tx, rec); err != nil {
			return err
		}
		stored = rec
		field := map[string]string{"Create": "createdAlarm", "Update": "updatedAlarm"}[kind]
		data, _ := json.Marshal(map[string]any{"version": "1.0", "type": kind, field: configOnly(rec)})
		return addHistory(tx, HistoryItem{AlarmName: a.Name, Timestamp: now, Type: HistoryConfigurationUpdate,
			Summary: summary, Data: string(data)})
	})
	if err != nil {
		return false, err
	}
	e.mu.Lock()
	if e.loaded {
		e.alarms[a.Name] = &stored
	}
	e.sched[a.Name] = &schedule{} // evaluate at the next tick
	e.mu.Unlock()
	return created, nil
}

// Delete deletes alarms; if any does not exist, none is deleted and the
// error (ErrNotFound) names them, as DeleteAlarms does.
func (e *Engine) Delete(ctx context.Context, names []string) error {
	err := e.opts.Store.Update(ctx, func(tx store.Tx) error {
		var missing []string
		for _, n := range names {
			if _, err := getAlarm(tx, n); isNotFound(err) {
				missing = append(missing, n)
			} else if err != nil {
				return err
			}
		}
		if len(missing) > 0 {
			return &NotFoundError{Names: missing}
		}
		for _, n := range names {
			if err := tx.Delete(bucketAlarms, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.mu.Lock()
	for _, n := range names {
		delete(e.alarms, n)
		delete(e.sched, n)
	}
	e.mu.Unlock()
	return nil
}

// NotFoundError names alarms that do not exist; it matches ErrNotFound.
type NotFoundError struct{ Names []string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("alarms not found: %v", e.Names) }

// Is makes errors.Is(err, ErrNotFound) hold.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// SetState sets an alarm's state as SetAlarmState does: a change of state
// is recorded, told to the listeners and runs the actions; the next
// evaluation then sets the state the data calls for. Setting the state it
// is in only replaces the reason.
func (e *Engine) SetState(ctx context.Context, name, state, reason, reasonData string) error {
	cur, err := e.Get(ctx, name)
	if err != nil {
		return err
	}
	now := e.opts.Clock.Now()
	if cur.State != state {
		err := e.transition(ctx, name, Outcome{State: state, Reason: reason, ReasonData: reasonData}, now, nil)
		if err == nil {
			e.mu.Lock()
			if s := e.sched[name]; s != nil {
				// The data decides again from the next period on.
				s.lastEnd = now
			}
			e.mu.Unlock()
		}
		return err
	}
	return e.update(ctx, []string{name}, func(a *Alarm) {
		a.StateReason, a.StateReasonData = reason, reasonData
	})
}

// SetActionsEnabled enables or disables the actions of the named alarms;
// names that do not exist are ignored, as CloudWatch does.
func (e *Engine) SetActionsEnabled(ctx context.Context, names []string, enabled bool) error {
	return e.update(ctx, names, func(a *Alarm) { a.ActionsEnabled = enabled })
}

// SetTags replaces an alarm's tags.
func (e *Engine) SetTags(ctx context.Context, name string, fn func([]Tag) []Tag) error {
	if _, err := e.Get(ctx, name); err != nil {
		return err
	}
	return e.update(ctx, []string{name}, func(a *Alarm) { a.Tags = fn(a.Tags) })
}

// update applies fn to the stored alarms of names that exist.
func (e *Engine) update(ctx context.Context, names []string, fn func(*Alarm)) error {
	var changed []Alarm
	err := e.opts.Store.Update(ctx, func(tx store.Tx) error {
		changed = changed[:0]
		for _, n := range names {
			a, err := getAlarm(tx, n)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			fn(&a)
			if err := putAlarm(tx, a); err != nil {
				return err
			}
			changed = append(changed, a)
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.mu.Lock()
	if e.loaded {
		for i := range changed {
			a := changed[i]
			e.alarms[a.Name] = &a
		}
	}
	e.mu.Unlock()
	return nil
}

// History returns the history items f selects.
func (e *Engine) History(ctx context.Context, f HistoryFilter) ([]HistoryItem, error) {
	var out []HistoryItem
	err := e.opts.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = readHistory(tx, f)
		return err
	})
	return out, err
}

func isNotFound(err error) bool {
	return err != nil && (errors.Is(err, ErrNotFound) || errors.Is(err, store.ErrNotFound))
}
