package alarms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/metricstore"
	"github.com/slipway-dev/slipway/internal/store"
)

// Metrics is what the engine reads datapoints from (the metric store).
type Metrics interface {
	Query(q metricstore.Query) ([]metricstore.Window, error)
}

// Action runs an alarm action: the engine calls Run with the action's ARN
// for every state change whose new state lists it, while the alarm's
// actions are enabled.
type Action interface {
	Run(ctx context.Context, arn string, change StateChange) error
}

// Target registers an Action for the action ARNs that start with Prefix
// (e.g. "arn:aws:autoscaling:" for Application Auto Scaling policies).
type Target struct {
	Prefix string
	Action Action
	// Repeat asks for the action again at every evaluation (every minute of
	// service time for periods of a minute or more) while the alarm stays in
	// the state, as CloudWatch does for Auto Scaling actions.
	Repeat bool
}

// Listener is told of every state change, whether or not the alarm's
// actions are enabled (the deployment controller watches the alarms of
// deploymentConfiguration.alarms this way). It must not block.
type Listener func(StateChange)

// actionTimeout bounds one action run.
const actionTimeout = 10 * time.Second

// tickInterval is how often the engine looks for alarms that are due.
const tickInterval = 100 * time.Millisecond

// Options configure an Engine.
type Options struct {
	Store   store.Store
	Metrics Metrics
	// Clock scales periods (--time-scale); the zero Clock is real time.
	Clock   clock.Clock
	Targets []Target
	Logger  *slog.Logger
}

// schedule is the engine's memory of one alarm between evaluations.
type schedule struct {
	lastEnd    time.Time // end of the last evaluated range
	lastAction time.Time // last run of repeating actions
}

// Engine evaluates alarms and keeps their records. Every change of an alarm
// goes through it, so it keeps the alarms in memory between evaluations.
type Engine struct {
	opts Options
	log  *slog.Logger

	mu        sync.Mutex // protects alarms, sched and listeners
	alarms    map[string]*Alarm
	sched     map[string]*schedule
	listeners []Listener
	loaded    bool
}

// New returns an Engine; Run evaluates.
func New(opts Options) *Engine {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{opts: opts, log: opts.Logger.With("component", "alarms"),
		alarms: map[string]*Alarm{}, sched: map[string]*schedule{}}
}

// Listen adds a listener.
func (e *Engine) Listen(l Listener) {
	e.mu.Lock()
	e.listeners = append(e.listeners, l)
	e.mu.Unlock()
}

// Clock is the engine's clock.
func (e *Engine) Clock() clock.Clock { return e.opts.Clock }

// load reads the alarms once. Caller holds mu.
func (e *Engine) load(ctx context.Context) error {
	if e.loaded {
		return nil
	}
	var list []Alarm
	err := e.opts.Store.View(ctx, func(tx store.Tx) error {
		var err error
		list, err = listAlarms(tx)
		return err
	})
	if err != nil {
		return err
	}
	for i := range list {
		e.alarms[list[i].Name] = &list[i]
	}
	e.loaded = true
	return nil
}

// Run evaluates alarms as their periods end, until ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	t := time.NewTicker(tickInterval)
	defer t.Stop()
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			e.evaluateDue(ctx, e.opts.Clock.Now())
		case <-prune.C:
			err := e.opts.Store.Update(ctx, func(tx store.Tx) error {
				return pruneHistory(tx, time.Now().Add(-HistoryRetention))
			})
			if err != nil && ctx.Err() == nil {
				e.log.Error("pruning alarm history", "err", err)
			}
		}
	}
}

// RealPeriod is how long a period of p seconds lasts in real time under
// the engine's clock: at least one second, in whole seconds (the metric
// store's finest resolution).
func (e *Engine) RealPeriod(p int) time.Duration {
	d := e.opts.Clock.Real(time.Duration(p) * time.Second)
	return time.Duration(math.Max(1, math.Round(d.Seconds()))) * time.Second
}

// due returns when the alarm's latest range ends, and whether it has not
// been evaluated yet. Alarms of a minute or more are evaluated every
// minute, shorter ones every period; each waits a quarter of that (at most
// 5 s) for late datapoints of the period that just ended.
func (e *Engine) due(a *Alarm, s *schedule, now time.Time) (time.Time, bool) {
	every := e.RealPeriod(min(a.Period, 60))
	grace := min(max(every/4, 100*time.Millisecond), 5*time.Second)
	end := now.Add(-grace).Truncate(every)
	return end, end.After(s.lastEnd)
}

func (e *Engine) evaluateDue(ctx context.Context, now time.Time) {
	e.mu.Lock()
	if err := e.load(ctx); err != nil {
		e.mu.Unlock()
		e.log.Error("loading alarms", "err", err)
		return
	}
	type job struct {
		a   Alarm
		end time.Time
	}
	var jobs []job
	for name, a := range e.alarms {
		s := e.sched[name]
		if s == nil {
			s = &schedule{}
			e.sched[name] = s
		}
		if end, ok := e.due(a, s, now); ok {
			s.lastEnd = end
			jobs = append(jobs, job{*a, end})
		}
	}
	e.mu.Unlock()
	for _, j := range jobs {
		if err := e.evaluate(ctx, j.a, j.end, now); err != nil && ctx.Err() == nil {
			e.log.Error("evaluating alarm", "alarm", j.a.Name, "err", err)
		}
	}
}

// Range returns the alarm's evaluation range ending at end.
func (e *Engine) Range(a *Alarm, end time.Time) ([]Datapoint, error) {
	p := e.RealPeriod(a.Period)
	n := a.EvaluationPeriods + ExtraPeriods
	start := end.Add(-time.Duration(n) * p)
	windows, err := e.opts.Metrics.Query(metricstore.Query{Metric: a.Metric(), Unit: a.Unit, Start: start, End: end, Period: p})
	if err != nil {
		return nil, err
	}
	rng := make([]Datapoint, n)
	for i := range rng {
		rng[i] = Datapoint{Start: start.Add(time.Duration(i) * p), Missing: true}
	}
	for _, w := range windows {
		i := int(w.Start.Sub(start) / p)
		if i < 0 || i >= n {
			continue
		}
		v, ok := StatisticValue(w.Value, a.Statistic, a.ExtendedStatistic)
		if !ok || (a.ExtendedStatistic != "" && a.EvaluateLowSampleCountPercentile == "ignore" && LowSampleCount(a.ExtendedStatistic, w.Value.Count)) {
			continue
		}
		rng[i] = Datapoint{Start: w.Start, Value: v, SampleCount: w.Value.Count}
	}
	return rng, nil
}

func (e *Engine) evaluate(ctx context.Context, a Alarm, end, now time.Time) error {
	rng, err := e.Range(&a, end)
	if err != nil {
		return err
	}
	out := Evaluate(&a, rng, now)
	if out.State == "" || out.State == a.State {
		e.repeatActions(ctx, a, now)
		return nil
	}
	return e.transition(ctx, a.Name, out, now, func(cur *Alarm) bool {
		// A change made meanwhile (SetAlarmState, an update) wins.
		return cur.State == a.State && cur.ConfigurationUpdated.Equal(a.ConfigurationUpdated)
	})
}

// transition stores a state change with its history item, then tells the
// listeners and runs the actions. ok, if set, may veto it (under the
// transaction) when the alarm changed meanwhile.
func (e *Engine) transition(ctx context.Context, name string, out Outcome, now time.Time, ok func(*Alarm) bool) error {
	now = now.UTC().Truncate(time.Millisecond)
	var change StateChange
	vetoed := false
	err := e.opts.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := getAlarm(tx, name)
		if err != nil {
			return err
		}
		vetoed = ok != nil && !ok(&cur)
		if vetoed {
			return nil
		}
		old := cur
		cur.State, cur.StateReason, cur.StateReasonData = out.State, out.Reason, out.ReasonData
		cur.StateUpdated, cur.StateTransitioned = now, now
		if err := putAlarm(tx, cur); err != nil {
			return err
		}
		change = StateChange{Alarm: cur, Old: old.State, New: cur.State, At: now}
		return addHistory(tx, HistoryItem{
			AlarmName: name, Timestamp: now, Type: HistoryStateUpdate,
			Summary: fmt.Sprintf("Alarm updated from %s to %s", old.State, cur.State),
			Data:    stateHistoryData(old, cur),
		})
	})
	if err != nil || vetoed {
		return err
	}
	e.mu.Lock()
	if p := e.alarms[name]; p != nil {
		*p = change.Alarm
	}
	if s := e.sched[name]; s != nil {
		s.lastAction = now
	}
	listeners := append([]Listener(nil), e.listeners...)
	e.mu.Unlock()
	e.log.Info("alarm state changed", "alarm", name, "from", change.Old, "to", change.New)
	for _, l := range listeners {
		l(change)
	}
	e.runActions(ctx, change, false)
	return nil
}

// repeatActions runs the repeating actions of an alarm that stays in its
// state, once per evaluation interval.
func (e *Engine) repeatActions(ctx context.Context, a Alarm, now time.Time) {
	if !a.ActionsEnabled || len(a.Actions(a.State)) == 0 {
		return
	}
	every := e.RealPeriod(min(a.Period, 60))
	e.mu.Lock()
	s := e.sched[a.Name]
	due := s != nil && now.Sub(s.lastAction) >= every
	if due {
		s.lastAction = now
	}
	e.mu.Unlock()
	if due {
		e.runActions(ctx, StateChange{Alarm: a, Old: a.State, New: a.State, At: now}, true)
	}
}

// runActions runs the actions of change.New that a Target handles (only
// the repeating ones when repeat), recording each run in the history.
func (e *Engine) runActions(ctx context.Context, change StateChange, repeat bool) {
	a := change.Alarm
	if !a.ActionsEnabled {
		return
	}
	for _, arn := range a.Actions(change.New) {
		t, ok := e.target(arn)
		if !ok || (repeat && !t.Repeat) {
			continue // stored and echoed only: nothing here runs it
		}
		actx, cancel := context.WithTimeout(ctx, actionTimeout)
		err := t.Action.Run(actx, arn, change)
		cancel()
		summary := "Successfully executed action " + arn
		if err != nil {
			summary = fmt.Sprintf("Failed to execute action %s. Received error: %q", arn, err.Error())
			e.log.Warn("alarm action failed", "alarm", a.Name, "action", arn, "err", err)
		}
		if repeat && err == nil {
			continue // a repeated success is not history worth keeping
		}
		if len(summary) > 255 {
			summary = summary[:255]
		}
		data, _ := json.Marshal(map[string]string{"actionState": map[bool]string{true: "Failed", false: "Succeeded"}[err != nil], "stateUpdateTimestamp": dataTime(change.At)})
		herr := e.opts.Store.Update(ctx, func(tx store.Tx) error {
			return addHistory(tx, HistoryItem{AlarmName: a.Name, Timestamp: time.Now().UTC().Truncate(time.Millisecond),
				Type: HistoryAction, Summary: summary, Data: string(data)})
		})
		if herr != nil && !errors.Is(herr, context.Canceled) {
			e.log.Error("recording alarm action", "alarm", a.Name, "err", herr)
		}
	}
}

// AddTarget registers a Target (Application Auto Scaling registers its
// policies' prefix this way once it is constructed).
func (e *Engine) AddTarget(t Target) {
	e.mu.Lock()
	e.opts.Targets = append(e.opts.Targets, t)
	e.mu.Unlock()
}

func (e *Engine) target(arn string) (Target, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.opts.Targets {
		if strings.HasPrefix(arn, t.Prefix) {
			return t, true
		}
	}
	return Target{}, false
}

// Runs reports whether Slipway runs the action arn (a Target handles it).
func (e *Engine) Runs(arn string) bool {
	_, ok := e.target(arn)
	return ok
}

type historyState struct {
	StateValue      string          `json:"stateValue"`
	StateReason     string          `json:"stateReason"`
	StateReasonData json.RawMessage `json:"stateReasonData,omitempty"`
}

// stateHistoryData is a StateUpdate item's HistoryData, in CloudWatch's shape.
func stateHistoryData(old, cur Alarm) string {
	st := func(a Alarm) historyState {
		h := historyState{StateValue: a.State, StateReason: a.StateReason}
		if json.Valid([]byte(a.StateReasonData)) {
			h.StateReasonData = json.RawMessage(a.StateReasonData)
		}
		return h
	}
	b, _ := json.Marshal(struct {
		Version  string       `json:"version"`
		OldState historyState `json:"oldState"`
		NewState historyState `json:"newState"`
	}{"1.0", st(old), st(cur)})
	return string(b)
}
