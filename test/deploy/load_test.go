package deploy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// load sends a steady stream of GET /talk at a fixed rate over a fixed set
// of keep-alive connections, plus a stream of one-second GET /slow
// requests, and counts every request that did not end in 200.
type load struct {
	url    string
	cancel context.CancelFunc
	wg     sync.WaitGroup

	sent, failed         atomic.Int64
	slowSent, slowFailed atomic.Int64

	mu       sync.Mutex // protects failures
	failures []string
}

const (
	loadRate        = 200 // requests per second
	loadConns       = 32  // keep-alive connections for the steady stream
	slowStreams     = 4   // concurrent one-second requests
	slowDuration    = time.Second
	maxFailureNotes = 10
)

func startLoad(url string) *load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{url: url, cancel: cancel}
	steady := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: loadConns, MaxConnsPerHost: loadConns, IdleConnTimeout: time.Minute}}
	slow := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: slowStreams}}
	interval := time.Second * loadConns / loadRate
	for i := range loadConns {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			time.Sleep(interval * time.Duration(i) / loadConns) // spread the workers' phases
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				l.one(steady, "/talk", &l.sent, &l.failed)
			}
		}()
	}
	for range slowStreams {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for ctx.Err() == nil {
				l.one(slow, fmt.Sprintf("/slow?d=%s", slowDuration), &l.slowSent, &l.slowFailed)
			}
		}()
	}
	return l
}

func (l *load) one(c *http.Client, path string, sent, failed *atomic.Int64) {
	sent.Add(1)
	start := time.Now()
	resp, err := c.Get(l.url + path)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	if err != nil {
		failed.Add(1)
		l.mu.Lock()
		if len(l.failures) < maxFailureNotes {
			l.failures = append(l.failures, fmt.Sprintf("%s after %s: %v", path, time.Since(start).Round(time.Millisecond), err))
		}
		l.mu.Unlock()
	}
}

// stop ends the load, waits for in-flight requests, reports the counts and
// fails the test on any failed request.
func (l *load) stop(t *testing.T) {
	t.Helper()
	l.cancel()
	l.wg.Wait()
	t.Logf("load: %d requests sent (%d failed), %d one-second requests sent (%d cut off or failed)",
		l.sent.Load(), l.failed.Load(), l.slowSent.Load(), l.slowFailed.Load())
	if l.failed.Load() > 0 || l.slowFailed.Load() > 0 {
		t.Errorf("requests failed during the deployment: %v", l.failures)
	}
	if l.sent.Load() == 0 || l.slowSent.Load() == 0 {
		t.Error("no load was sent")
	}
}
