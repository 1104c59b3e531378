package cli

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/lb"
)

// statsSample is the load balancer's counters for one service's target
// groups: per revision label ("talk:2"), and in total, which also holds the
// errors the load balancer answered without any target (503 when no target
// is healthy).
type statsSample struct {
	at        time.Time
	revisions map[string]lb.Counts
	total     lb.Counts
}

// sampleOf sums the counters of svc's target groups, the alternate ones of
// a traffic-shifting service included (a canary's green serves there); nil
// when none of them is served by a Slipway listener.
func sampleOf(st lb.Stats, svc types.Service) *statsSample {
	s := &statsSample{at: time.Now(), revisions: map[string]lb.Counts{}}
	found := false
	var groups []string
	for _, l := range svc.LoadBalancers {
		groups = append(groups, aws.ToString(l.TargetGroupArn))
		if ac := l.AdvancedConfiguration; ac != nil && ac.AlternateTargetGroupArn != nil {
			groups = append(groups, aws.ToString(ac.AlternateTargetGroupArn))
		}
	}
	for _, tg := range groups {
		g, ok := st.TargetGroups[tg]
		if !ok {
			continue
		}
		found = true
		s.total = s.total.Add(g.Total)
		for rev, c := range g.Revisions {
			s.revisions[rev] = s.revisions[rev].Add(c)
		}
	}
	if !found {
		return nil
	}
	return s
}

// revisionRequests is what one revision served during a deployment.
type revisionRequests struct {
	Revision string `json:"revision"`
	Served   uint64 `json:"served"`
	// Failed counts 5xx responses clients received: the target's own 5xx
	// and the load balancer's 502/503/504 for it (where a connection error
	// that could not be retried on another target ends up).
	Failed uint64 `json:"failed"`
	// ConnErrors counts failed connections to the revision's targets,
	// including those retried on another target that no client saw.
	ConnErrors uint64 `json:"targetConnectionErrors"`
}

// requestReport is the traffic of a deployment, measured at the load
// balancer between its start and its end.
type requestReport struct {
	Revisions []revisionRequests `json:"revisions"`
	// NoTarget counts 5xx the load balancer answered with no target to send
	// the request to (no healthy target), attributable to no revision.
	NoTarget uint64 `json:"failedWithoutTarget"`
}

// Failed is the total of failed requests.
func (r *requestReport) Failed() uint64 {
	n := r.NoTarget
	for _, v := range r.Revisions {
		n += v.Failed
	}
	return n
}

// Served is the total of responses.
func (r *requestReport) Served() uint64 {
	var n uint64
	for _, v := range r.Revisions {
		n += v.Served
	}
	return n
}

// delta is what happened between a (earlier) and b.
func (a *statsSample) delta(b *statsSample) *requestReport {
	r := &requestReport{}
	var attributed uint64
	for rev, c := range b.revisions {
		p := a.revisions[rev]
		name := rev
		if name == "" {
			name = "unlabelled targets"
		}
		v := revisionRequests{Revision: name, Served: sub(c.Requests, p.Requests), Failed: sub(c.Status5xx, p.Status5xx),
			ConnErrors: sub(c.TargetConnectionErrors, p.TargetConnectionErrors)}
		attributed += v.Failed
		if v.Served > 0 || v.Failed > 0 || v.ConnErrors > 0 {
			r.Revisions = append(r.Revisions, v)
		}
	}
	r.NoTarget = sub(sub(b.total.Status5xx, a.total.Status5xx), attributed)
	slices.SortFunc(r.Revisions, func(x, y revisionRequests) int { return compareRevisions(x.Revision, y.Revision) })
	return r
}

// sub is a-b, or 0 when counters went backwards (a restarted server).
func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// compareRevisions orders "family:N" labels by family, then numerically.
func compareRevisions(a, b string) int {
	fa, ra, _ := strings.Cut(a, ":")
	fb, rb, _ := strings.Cut(b, ":")
	if c := strings.Compare(fa, fb); c != 0 {
		return c
	}
	na, ea := strconv.Atoi(ra)
	nb, eb := strconv.Atoi(rb)
	if ea != nil || eb != nil {
		return strings.Compare(ra, rb)
	}
	return cmp.Compare(na, nb)
}

// String formats the report for the verdict line.
func (r *requestReport) String() string {
	var parts []string
	for _, v := range r.Revisions {
		p := fmt.Sprintf("%s %d served, %d failed", v.Revision, v.Served, v.Failed)
		if v.ConnErrors > 0 {
			// Retried on another target unless they show among the failed.
			p += fmt.Sprintf(" (%d target connection errors)", v.ConnErrors)
		}
		parts = append(parts, p)
	}
	if r.NoTarget > 0 {
		parts = append(parts, fmt.Sprintf("%d failed with no healthy target", r.NoTarget))
	}
	if len(parts) == 0 {
		return "no requests during the deployment"
	}
	return "requests " + strings.Join(parts, "; ") + " (failed = 5xx sent to clients, by targets or the load balancer)"
}

// revisionShare is a revision's share of the requests of the last second.
type revisionShare struct {
	Revision string  `json:"revision"`
	Share    float64 `json:"share"`
	PerSec   float64 `json:"perSecond"`
}

// trafficWindow keeps about a second of samples so the shown traffic split
// is steady enough to read at four redraws a second.
type trafficWindow struct {
	samples []*statsSample
}

const trafficSpan = time.Second

func (w *trafficWindow) add(s *statsSample) {
	if s == nil {
		w.samples = nil
		return
	}
	w.samples = append(w.samples, s)
	for len(w.samples) > 2 && s.at.Sub(w.samples[1].at) >= trafficSpan {
		w.samples = w.samples[1:]
	}
}

// shares returns each revision's share of the requests in the window; nil
// when there are no figures or no requests.
func (w *trafficWindow) shares() []revisionShare {
	if len(w.samples) < 2 {
		return nil
	}
	first, last := w.samples[0], w.samples[len(w.samples)-1]
	secs := last.at.Sub(first.at).Seconds()
	var total uint64
	var out []revisionShare
	for rev, c := range last.revisions {
		n := sub(c.Requests, first.revisions[rev].Requests)
		if n == 0 || rev == "" {
			continue
		}
		total += n
		out = append(out, revisionShare{Revision: rev, PerSec: float64(n) / secs})
	}
	if total == 0 {
		return nil
	}
	for i := range out {
		out[i].Share = out[i].PerSec * secs / float64(total)
	}
	slices.SortFunc(out, func(x, y revisionShare) int { return compareRevisions(x.Revision, y.Revision) })
	return out
}
