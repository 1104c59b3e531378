package testutil

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Load sends GET requests to a URL at a steady rate, half of them over a
// fixed set of keep-alive connections and half each on a new connection,
// and counts every request that did not end in 200. Failure tests use it to
// show that a crash or a restart drops nothing.
type Load struct {
	url    string
	cancel context.CancelFunc
	wg     sync.WaitGroup

	sent, failed atomic.Int64

	mu       sync.Mutex // guards failures
	failures []string
}

// Load shape: workers per kind, each at rate/2/loadWorkers requests per second.
const (
	loadWorkers     = 16
	maxFailureNotes = 10
)

// StartLoad starts sending rate requests per second to url until Stop.
func StartLoad(url string, rate int) *Load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Load{url: url, cancel: cancel}
	keepAlive := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: loadWorkers, MaxConnsPerHost: loadWorkers, IdleConnTimeout: time.Minute}}
	fresh := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	interval := time.Second * 2 * loadWorkers / time.Duration(max(rate, 2))
	for i := range 2 * loadWorkers {
		client := keepAlive
		if i%2 == 1 {
			client = fresh
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			select { // spread the workers' phases over one interval
			case <-time.After(interval * time.Duration(i) / (2 * loadWorkers)):
			case <-ctx.Done():
				return
			}
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				l.one(client)
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
	return l
}

func (l *Load) one(c *http.Client) {
	l.sent.Add(1)
	start := time.Now()
	resp, err := c.Get(l.url)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	if err != nil {
		l.failed.Add(1)
		l.mu.Lock()
		if len(l.failures) < maxFailureNotes {
			l.failures = append(l.failures, fmt.Sprintf("%s at %s after %s: %v", l.url, start.Format("15:04:05.000"),
				time.Since(start).Round(time.Millisecond), err))
		}
		l.mu.Unlock()
	}
}

// Sent is the number of requests sent so far.
func (l *Load) Sent() int64 { return l.sent.Load() }

// LoadResult is what a Load counted.
type LoadResult struct {
	Sent, Failed int64
	Failures     []string // the first few failures
}

func (r LoadResult) String() string {
	return fmt.Sprintf("%d requests sent, %d failed %v", r.Sent, r.Failed, r.Failures)
}

// Stop ends the load, waits for the requests in flight and returns the counts.
func (l *Load) Stop() LoadResult {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return LoadResult{Sent: l.sent.Load(), Failed: l.failed.Load(), Failures: append([]string(nil), l.failures...)}
}
