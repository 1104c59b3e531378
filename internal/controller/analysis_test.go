package controller

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/analysis"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// fakeCounters serves cumulative counts per target group, as the data
// plane's Stats.
type fakeCounters struct {
	mu        sync.Mutex
	groups    map[string]lb.Counts
	revisions map[string]map[string]lb.Counts // target group -> revision label
	reads     int
}

func (f *fakeCounters) Stats(context.Context) (lb.Stats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	st := lb.Stats{TargetGroups: map[string]lb.GroupStats{}}
	for g, c := range f.groups {
		st.TargetGroups[g] = lb.GroupStats{Total: c, Revisions: f.revisions[g]}
	}
	return st, nil
}

// add counts requests (errors of them 5xx) on a target group.
func (f *fakeCounters) add(tg string, requests, errors uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.groups[tg]
	c.Requests += requests
	c.Status5xx += errors
	f.groups[tg] = c
}

// addRevision counts requests on a target group answered by a revision.
func (f *fakeCounters) addRevision(tg, revision string, requests, errors uint64) {
	f.add(tg, requests, errors)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revisions[tg] == nil {
		f.revisions[tg] = map[string]lb.Counts{}
	}
	c := f.revisions[tg][revision]
	c.Requests += requests
	c.Status5xx += errors
	f.revisions[tg][revision] = c
}

// canaryAt10 runs a CANARY deployment of v2 in a shift world whose
// controller has counters, up to the acknowledged 10% share.
func canaryAt10(t *testing.T, tags ...model.Tag) (w *world, fc *fakeCounters, blue, alt, listener string) {
	cfg := model.DeploymentConfiguration{Strategy: model.StrategyCanary,
		CanaryConfiguration: &model.CanaryConfiguration{CanaryPercent: new(10.0), CanaryBakeTimeInMinutes: new(30)}}
	return shiftedTo(t, cfg, 10, tags...)
}

// shiftedTo runs a deployment of v2 with cfg in a shift world whose
// controller has counters, up to green's acknowledged share percent.
func shiftedTo(t *testing.T, cfg model.DeploymentConfiguration, percent float64, tags ...model.Tag) (w *world, fc *fakeCounters, blue, alt, listener string) {
	w, fc, blue, alt, listener = deploying(t, cfg, tags...)
	w.settleShare(percent)
	w.step() // the pass that starts the analysis
	return w, fc, blue, alt, listener
}

// deploying starts a deployment of v2 with cfg in a shift world whose
// controller has counters, once v1 is steady.
func deploying(t *testing.T, cfg model.DeploymentConfiguration, tags ...model.Tag) (w *world, fc *fakeCounters, blue, alt, listener string) {
	w, lbs, listener := shiftWorld(t)
	fc = &fakeCounters{groups: map[string]lb.Counts{}, revisions: map[string]map[string]lb.Counts{}}
	w.c = New(w.st, healthLB{w.lb, w}, Options{Counters: fc})
	blue, alt = lbs[0].TargetGroupARN, lbs[0].AdvancedConfiguration.AlternateTargetGroupARN
	v1 := w.registerTD("talk", 1, false)
	w.createService("talk", v1, 2, cfg, lbs)
	if len(tags) > 0 {
		w.update(func(tx state.Tx) error { return tx.PutTags(tx.Partition.ServiceARN("default", "talk"), tags) })
	}
	w.settle(20, "v1 steady", func() bool { w.waitAcks(); return w.completed("talk", v1) })
	w.deploy("talk", w.registerTD("talk", 2, false))
	return w, fc, blue, alt, listener
}

// settleShare steps until green's share percent is acknowledged.
func (w *world) settleShare(percent float64) {
	w.settle(20, "green's share acknowledged", func() bool {
		w.waitAcks()
		tr := w.primary().Internal.Traffic
		return tr != nil && tr.GreenPercent == percent && tr.Acked
	})
}

// TestAnalysisFailsBackAWorseCanary: with the canary acknowledged, the
// analyzer compares green's target group with blue's over the same window;
// a green answering half its requests with 5xx fails the deployment, with
// the figures in its reason and an event, and traffic returns to blue.
func TestAnalysisFailsBackAWorseCanary(t *testing.T) {
	w, fc, blue, alt, listener := canaryAt10(t)
	ctx := context.Background()
	fc.add(blue, 5000, 10) // what blue served before the window: not counted
	fc.add(alt, 12, 0)     // test traffic before the window
	w.c.analyzer.tick(ctx, time.Now())
	fc.add(blue, 270, 1)
	fc.add(alt, 20, 10) // too few to judge yet
	w.c.analyzer.tick(ctx, time.Now())
	w.step()
	if d := w.primary(); d.RolloutState != model.RolloutInProgress {
		t.Fatalf("failed on %d requests: %s", 20, d.RolloutStateReason)
	}
	fc.add(alt, 10, 5)
	w.c.analyzer.tick(ctx, time.Now())
	w.step()
	svc := w.service("talk")
	const reason = "failed: built-in analysis detected a higher error rate in the new service revision: " +
		"error rate 50.0% (15 of 30 requests) against 0.4% (1 of 270) for the previous revision."
	if !strings.Contains(failedReason(svc.Deployments), reason) {
		t.Fatalf("deployments: %+v", svc.Deployments)
	}
	if !w.hasEvent("talk", "deployment failed: built-in analysis detected a higher error rate in the new service revision: error rate 50.0%") {
		t.Errorf("events: %+v", svc.Events)
	}
	w.settle(20, "traffic back on blue", func() bool { w.waitAcks(); return w.weights(listener)[alt] == 0 })
	if got := w.weights(listener); got[blue] == 0 {
		t.Fatalf("weights after the fail-back: %v", got)
	}
}

// TestAnalysisEqualRatesPass: a green as good as blue, over thousands of
// requests, is not failed.
func TestAnalysisEqualRatesPass(t *testing.T) {
	w, fc, blue, alt, _ := canaryAt10(t)
	ctx := context.Background()
	for range 20 {
		fc.add(blue, 900, 5)
		fc.add(alt, 100, 1)
		w.c.analyzer.tick(ctx, time.Now())
		w.step()
	}
	if d := w.primary(); d.RolloutState != model.RolloutInProgress || d.Internal.Traffic.GreenPercent != 10 {
		t.Fatalf("deployment %s %q at %v%%", d.RolloutState, d.RolloutStateReason, d.Internal.Traffic.GreenPercent)
	}
}

// TestAnalysisLinearStep: a LINEAR step is analysed like a canary.
func TestAnalysisLinearStep(t *testing.T) {
	ctx := context.Background()
	linear := model.DeploymentConfiguration{Strategy: model.StrategyLinear,
		LinearConfiguration: &model.LinearConfiguration{StepPercent: new(25.0), StepBakeTimeInMinutes: new(30)}}
	w, fc, blue, alt, _ := shiftedTo(t, linear, 25)
	w.c.analyzer.tick(ctx, time.Now())
	fc.add(blue, 300, 0)
	fc.add(alt, 100, 50)
	w.c.analyzer.tick(ctx, time.Now())
	w.step()
	if d := w.service("talk").Deployments; !strings.Contains(failedReason(d), "built-in analysis detected a higher error rate") {
		t.Errorf("LINEAR: %+v", d)
	}
}

// TestAnalysisAcrossBlueGreenSwitch: a BLUE_GREEN green, which takes all
// production traffic at once, is judged during its bake against what
// blue's revision answered in its target group before (another revision's
// requests there do not count).
func TestAnalysisAcrossBlueGreenSwitch(t *testing.T) {
	ctx := context.Background()
	w, fc, blue, alt, listener := deploying(t, model.DeploymentConfiguration{Strategy: model.StrategyBlueGreen, BakeTimeInMinutes: new(30)})
	fc.addRevision(blue, "talk:1", 600, 1)
	fc.addRevision(blue, "talk:0", 100, 100)
	w.settleShare(100)
	w.step()
	w.c.analyzer.tick(ctx, time.Now()) // blue's 600 requests are the comparison
	fc.add(alt, 20, 10)
	w.c.analyzer.tick(ctx, time.Now())
	w.step()
	if w.primary().RolloutState != model.RolloutInProgress {
		t.Fatalf("failed on 20 requests: %s", w.primary().RolloutStateReason)
	}
	fc.add(alt, 20, 10)
	w.c.analyzer.tick(ctx, time.Now())
	w.step()
	const want = "error rate 50.0% (20 of 40 requests) against 0.2% (1 of 600) for the previous revision"
	if got := failedReason(w.service("talk").Deployments); !strings.Contains(got, want) {
		t.Fatalf("reason %q, want %q", got, want)
	}
	w.settle(20, "traffic back on blue", func() bool { w.waitAcks(); return w.weights(listener)[alt] == 0 })
}

// TestAnalysisCanaryAtFullShare: a canary's last bake, all production
// traffic on green, is judged against blue's revision's earlier counts.
func TestAnalysisCanaryAtFullShare(t *testing.T) {
	ctx := context.Background()
	cfg := model.DeploymentConfiguration{Strategy: model.StrategyCanary, BakeTimeInMinutes: new(30),
		CanaryConfiguration: &model.CanaryConfiguration{CanaryPercent: new(10.0), CanaryBakeTimeInMinutes: new(5)}}
	w, fc, blue, alt, _ := shiftedTo(t, cfg, 10)
	fc.addRevision(blue, "talk:1", 900, 0)
	w.c.analyzer.tick(ctx, time.Now())
	w.advance(6 * time.Minute)
	w.settleShare(100)
	w.step()
	w.c.analyzer.tick(ctx, time.Now()) // blue's 900 requests are the comparison from here
	fc.add(alt, 40, 20)
	w.c.analyzer.tick(ctx, time.Now())
	w.step()
	const want = "error rate 50.0% (20 of 40 requests) against 0.0% (0 of 900) for the previous revision"
	if got := failedReason(w.service("talk").Deployments); !strings.Contains(got, want) {
		t.Fatalf("reason %q, want %q", got, want)
	}
}

// failedReason is the reason of the FAILED deployment among ds, if any.
func failedReason(ds []model.Deployment) string {
	for _, d := range ds {
		if d.RolloutState == model.RolloutFailed {
			return d.RolloutStateReason
		}
	}
	return ""
}

// TestAnalysisOffByTag: slipway:analysis=off leaves the deployment to
// alarms: nothing is watched and the counters are not read.
func TestAnalysisOffByTag(t *testing.T) {
	w, fc, _, alt, _ := canaryAt10(t, model.Tag{Key: "slipway:analysis", Value: "off"})
	fc.add(alt, 100, 100)
	w.c.analyzer.tick(context.Background(), time.Now())
	w.step()
	if fc.reads != 0 || w.c.analyzer.watching("default/talk/"+w.primary().ID) {
		t.Fatalf("analysed with the tag off: %d reads", fc.reads)
	}
}

// primary is the service talk's PRIMARY deployment.
func (w *world) primary() *model.Deployment {
	svc := w.service("talk")
	return svc.Primary()
}

// warnCounter is a slog handler that counts Warn records.
type warnCounter struct {
	mu    sync.Mutex
	warns []string
}

func (h *warnCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *warnCounter) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *warnCounter) WithGroup(string) slog.Handler            { return h }
func (h *warnCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		h.mu.Lock()
		h.warns = append(h.warns, r.Message)
		h.mu.Unlock()
	}
	return nil
}

func (h *warnCounter) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.warns)
}

// TestAnalysisBadTagWarnsOnce: a slipway:analysis tag the controller cannot
// read (stored without CheckTags) is logged when it appears and when it
// changes, not on every pass; the server's thresholds still apply.
func TestAnalysisBadTagWarnsOnce(t *testing.T) {
	cfg := model.DeploymentConfiguration{Strategy: model.StrategyCanary,
		CanaryConfiguration: &model.CanaryConfiguration{CanaryPercent: new(10.0), CanaryBakeTimeInMinutes: new(30)}}
	w, _, _, _, _ := deploying(t, cfg, model.Tag{Key: analysis.Tag, Value: "confidence=NaN"})
	h := &warnCounter{}
	w.c.logger, w.c.analyzer.logger = slog.New(h), slog.New(h)
	w.settleShare(10)
	for range 5 {
		w.step()
	}
	key := "default/talk/" + w.primary().ID
	if !w.c.analyzer.watching(key) {
		t.Fatal("the server's thresholds should apply under a bad tag: not watched")
	}
	if n := h.count(); n != 1 {
		t.Fatalf("%d warnings over 5 passes, want 1: %v", n, h.warns)
	}
	arn := w.st.Partition.ServiceARN("default", "talk")
	retag := func(v string) {
		w.update(func(tx state.Tx) error { return tx.PutTags(arn, []model.Tag{{Key: analysis.Tag, Value: v}}) })
		for range 3 {
			w.step()
		}
	}
	retag("latency-ratio=Inf")
	if n := h.count(); n != 2 {
		t.Fatalf("%d warnings after the tag changed, want 2", n)
	}
	retag("confidence=99.9")
	retag("confidence=NaN")
	if n := h.count(); n != 3 {
		t.Fatalf("%d warnings after the tag went bad again, want 3", n)
	}
}
