package controller

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/analysis"
	"github.com/slipway-dev/slipway/internal/lb"
)

// Counters is what the built-in analysis needs of the load balancer: its
// cumulative request counters per target group (the data plane's Stats).
type Counters interface {
	Stats(ctx context.Context) (lb.Stats, error)
}

// analysisInterval is how often the analyzer reads the counters while a
// deployment is analysed: a 10% canary of 200 requests a second brings
// green its 30th request in about 1.5 s, judged within a quarter second.
const analysisInterval = 250 * time.Millisecond

// analysisStale is how long a watch lives without a pass asking for it
// (passes come at least every Resync); then its deployment no longer
// needs analysis.
const analysisStale = 5 * time.Second

// statsTimeout bounds one read of the counters.
const statsTimeout = 2 * time.Second

// analyzer reads the load balancer's counters for every deployment a pass
// asked it to watch, keeps each one's series and judges it; a failing
// verdict is kept for the next pass, which fails the deployment. Its state
// is in memory: a restarted server starts each window again.
type analyzer struct {
	counters Counters
	logger   *slog.Logger
	poke     func()

	mu      sync.Mutex // protects watches
	watches map[string]*watch
}

// watchSpec is what a pass asks of the analyzer for one deployment.
type watchSpec struct {
	old, new   []string // target groups of the old and the new revision
	thresholds analysis.Thresholds
	// across: the revisions do not serve side by side (green has all
	// production traffic), so the old revision is judged by what
	// oldRevision (its "family:revision" label) answered in its target
	// groups over the data plane's life, up to the first reading across.
	across      bool
	oldRevision string
	// badTag is the service's slipway:analysis tag when it cannot be read
	// (the server's thresholds apply), nil when it can.
	badTag *badTag
}

// badTag is a slipway:analysis tag value that does not parse.
type badTag struct {
	service, value string
	err            error
}

// watch is one analysed deployment.
type watch struct {
	spec   watchSpec
	series analysis.Series
	before *analysis.Counts // an across watch's old counts, read once
	seen   time.Time
	failed *analysis.Verdict
}

func newAnalyzer(counters Counters, logger *slog.Logger, poke func()) *analyzer {
	return &analyzer{counters: counters, logger: logger, poke: poke, watches: map[string]*watch{}}
}

// watch asks for key's deployment to be analysed (again) as spec says, and
// returns its failing verdict, if any.
func (a *analyzer) watch(key string, spec watchSpec) *analysis.Verdict {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.watches[key]
	if w == nil {
		w = &watch{}
		a.watches[key] = w
	}
	// Warn when the tag becomes unreadable, not on every pass.
	if b := spec.badTag; b != nil && (w.spec.badTag == nil || w.spec.badTag.value != b.value) {
		a.logger.Warn("service analysis tag not understood; the server's setting applies",
			"service", b.service, "tag", b.value, "err", b.err)
	}
	w.spec, w.seen = spec, time.Now()
	return w.failed
}

// watching reports whether key's deployment is analysed already.
func (a *analyzer) watching(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.watches[key] != nil
}

// run reads and judges every interval until ctx ends.
func (a *analyzer) run(ctx context.Context) {
	t := time.NewTicker(analysisInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.tick(ctx, time.Now())
	}
}

// tick takes one reading for every watch and judges it. Without watches
// the counters are not read.
func (a *analyzer) tick(ctx context.Context, now time.Time) {
	a.mu.Lock()
	for key, w := range a.watches {
		if now.Sub(w.seen) > analysisStale {
			delete(a.watches, key)
		}
	}
	n := len(a.watches)
	a.mu.Unlock()
	if n == 0 {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, statsTimeout)
	st, err := a.counters.Stats(sctx)
	cancel()
	if err != nil {
		return // the data plane is restarting: the next reading goes on
	}
	failed := false
	a.mu.Lock()
	for key, w := range a.watches {
		if w.failed != nil {
			continue
		}
		win, span := w.read(st, now)
		if v := analysis.Judge(win, w.spec.thresholds); v.Fail {
			w.failed, failed = &v, true
			a.logger.Info("built-in analysis failed the new revision", "deployment", key, "kind", v.Kind,
				"window", span, "verdict", v.Summary())
		}
	}
	a.mu.Unlock()
	if failed {
		a.poke()
	}
}

// read adds a reading to w's series and returns the window to judge and
// its length: both revisions over the series, or (across) the new one's
// series against the old revision's counts as first read across (a canary
// that reached 100% keeps its series for green).
func (w *watch) read(st lb.Stats, now time.Time) (analysis.Window, time.Duration) {
	if w.spec.across && w.before == nil {
		c := sumRevision(st, w.spec.old, w.spec.oldRevision)
		w.before = &c
	}
	w.series.Add(analysis.Point{At: now, Old: sum(st, w.spec.old), New: sum(st, w.spec.new)})
	win, span := w.series.Window()
	if w.before != nil {
		win.Old = *w.before
	}
	return win, span
}

// sum is the counts of target groups as the analysis reads them: every
// response sent, 5xx ones (the load balancer's own on a target's behalf
// included) as errors.
func sum(st lb.Stats, groups []string) analysis.Counts {
	var c lb.Counts
	for _, g := range groups {
		c = c.Add(st.TargetGroups[g].Total)
	}
	return countsOf(c)
}

// sumRevision is the counts of one revision's targets in target groups.
func sumRevision(st lb.Stats, groups []string, revision string) analysis.Counts {
	var c lb.Counts
	for _, g := range groups {
		c = c.Add(st.TargetGroups[g].Revisions[revision])
	}
	return countsOf(c)
}

func countsOf(c lb.Counts) analysis.Counts {
	return analysis.Counts{Requests: c.Requests, Errors: c.Status5xx,
		Latency: analysis.Histogram{Bounds: c.Latency.Bounds, Counts: c.Latency.Counts}}
}
