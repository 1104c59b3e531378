package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// loadGen sends steady traffic to the demo's listener over a few keep-alive
// connections and counts, as a client sees it, what came back.
type loadGen struct {
	url    string
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	ok        uint64
	failed    uint64
	byVersion map[string]uint64
	// failedBy counts failures answered by a version (a 500 with the
	// service's body), so the canary's failures can be told apart.
	failedBy  map[string]uint64
	firstErrs []string
}

// loadResult is the load generator's count once stopped.
type loadResult struct {
	OK, Failed uint64
	ByVersion  map[string]uint64
	FailedBy   map[string]uint64
	FirstErrs  []string
}

// Total is every request sent.
func (r loadResult) Total() uint64 { return r.OK + r.Failed }

// startLoad sends rate requests a second over conns connections until stop.
// Each connection waits for its answer before the next request, so a slow
// server slows the load instead of piling it up.
func startLoad(ctx context.Context, url string, rate, conns int) *loadGen {
	ctx, cancel := context.WithCancel(ctx)
	l := &loadGen{url: url, cancel: cancel, byVersion: map[string]uint64{}, failedBy: map[string]uint64{}}
	every := time.Duration(conns) * time.Second / time.Duration(rate)
	for i := range conns {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			// Stagger the connections so requests are spread over the interval.
			time.Sleep(every * time.Duration(i) / time.Duration(conns))
			l.worker(ctx, every)
		}()
	}
	return l
}

func (l *loadGen) worker(ctx context.Context, every time.Duration) {
	tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		version, err := l.get(ctx, client)
		if ctx.Err() != nil {
			return // cut short by stop: not the server's failure
		}
		l.record(version, err)
	}
}

// get sends one request and returns the version that answered, also with
// the error of a 500 that the service itself sent.
func (l *loadGen) get(ctx context.Context, client *http.Client) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("reading the answer: %w", err)
	}
	var ans struct {
		Version string `json:"version"`
	}
	jsonErr := json.Unmarshal(body, &ans)
	if resp.StatusCode != http.StatusOK {
		return ans.Version, fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body[:min(len(body), 80)])))
	}
	if jsonErr != nil {
		return "", fmt.Errorf("unexpected answer %q: %w", body[:min(len(body), 80)], jsonErr)
	}
	return ans.Version, nil
}

func (l *loadGen) record(version string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed++
		if version != "" {
			l.failedBy[version]++
		}
		if len(l.firstErrs) < 3 {
			l.firstErrs = append(l.firstErrs, err.Error())
		}
		return
	}
	l.ok++
	l.byVersion[version]++
}

// snapshot returns the counts so far.
func (l *loadGen) snapshot() loadResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	return loadResult{OK: l.ok, Failed: l.failed, ByVersion: maps.Clone(l.byVersion), FailedBy: maps.Clone(l.failedBy),
		FirstErrs: append([]string(nil), l.firstErrs...)}
}

// since is what was counted after before, a snapshot of the same load.
func (r loadResult) since(before loadResult) loadResult {
	d := loadResult{OK: r.OK - before.OK, Failed: r.Failed - before.Failed, ByVersion: map[string]uint64{}, FailedBy: map[string]uint64{}}
	for v, n := range r.ByVersion {
		if n > before.ByVersion[v] {
			d.ByVersion[v] = n - before.ByVersion[v]
		}
	}
	for v, n := range r.FailedBy {
		if n > before.FailedBy[v] {
			d.FailedBy[v] = n - before.FailedBy[v]
		}
	}
	if len(r.FirstErrs) > len(before.FirstErrs) {
		d.FirstErrs = r.FirstErrs[len(before.FirstErrs):]
	}
	return d
}

// errNoAnswers reports load that is not being answered.
var errNoAnswers = errors.New("the load balancer does not answer the load")

// waitAnswered waits until n more requests were answered OK than now, so
// that each revision serves a share of the traffic before the next step.
func (l *loadGen) waitAnswered(ctx context.Context, n uint64, timeout time.Duration) error {
	want := l.snapshot().OK + n
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		r := l.snapshot()
		switch {
		case r.OK >= want:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("%w: %s", errNoAnswers, r)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// stop ends the load, waits for the connections to close and returns the
// counts.
func (l *loadGen) stop() loadResult {
	l.cancel()
	l.wg.Wait()
	return l.snapshot()
}

// String is the client's view for the summary.
func (r loadResult) String() string {
	versions := make([]string, 0, len(r.ByVersion))
	for v := range r.ByVersion {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	var parts []string
	for _, v := range versions {
		parts = append(parts, fmt.Sprintf("%s %d", v, r.ByVersion[v]))
	}
	s := fmt.Sprintf("%d requests, %d OK, %d failed; answered by %s", r.Total(), r.OK, r.Failed, strings.Join(parts, ", "))
	if len(r.FirstErrs) > 0 {
		s += "; first errors: " + strings.Join(r.FirstErrs, " | ")
	}
	return s
}
