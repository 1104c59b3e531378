package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/bench/internal/stats"
)

// sample is one write: when it was due and how long it took from then.
type sample struct {
	due     time.Time
	latency time.Duration
	err     error
}

// writer sends durable writes unrelated to the scaled service
// (RegisterTaskDefinition of a family of its own) at a fixed total rate
// from several clients. Latency counts from each request's scheduled time,
// so a write that waits behind a long transaction also delays the ones
// queued behind it, as users would see it.
type writer struct {
	mu      sync.Mutex // protects samples and end
	samples []sample
	end     time.Time // writes due from then on are not sent; zero: none yet
	wg      sync.WaitGroup
}

// stop ends the writes due from now on and waits for the clients: writes
// due before are still sent and answered, however late, since leaving them
// out would hide the slowest.
func (w *writer) stop() {
	w.mu.Lock()
	w.end = time.Now()
	w.mu.Unlock()
	w.wg.Wait()
}

func (w *writer) stopped(due time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.end.IsZero() && !due.Before(w.end)
}

func startWriter(ctx context.Context, e *env, clients int, rate float64) *writer {
	w := &writer{}
	interval := time.Duration(float64(time.Second) * float64(clients) / rate)
	start := time.Now()
	for i := range clients {
		c := e.client()
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			// Clients are staggered so that together they send evenly.
			due := start.Add(time.Duration(i) * interval / time.Duration(clients))
			for n := 0; ; n++ {
				for time.Now().Before(due) && !w.stopped(due) {
					time.Sleep(min(time.Until(due), 10*time.Millisecond))
				}
				if w.stopped(due) {
					return
				}
				err := registerOther(ctx, c, i, n)
				w.mu.Lock()
				w.samples = append(w.samples, sample{due: due, latency: time.Since(due), err: err})
				w.mu.Unlock()
				due = due.Add(interval)
			}
		}()
	}
	return w
}

func registerOther(ctx context.Context, c *awsecs.Client, client, n int) error {
	_, err := c.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String(fmt.Sprintf("other-%d", client)),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app"),
			Environment: []types.KeyValuePair{{Name: aws.String("N"), Value: aws.String(fmt.Sprint(n))}}}},
	})
	return err
}

// window is the writes due between from and to.
type window struct {
	name     string
	from, to time.Time
}

// figures summarises the writes due within a window.
type figures struct {
	writes, failed int
	firstErr       error
	p50, p99, max  time.Duration
}

func (w *writer) figures(win window) figures {
	w.mu.Lock()
	defer w.mu.Unlock()
	var f figures
	var lat []time.Duration
	for _, s := range w.samples {
		if s.due.Before(win.from) || !s.due.Before(win.to) {
			continue
		}
		if s.err != nil {
			f.failed++
			if f.firstErr == nil {
				f.firstErr = s.err
			}
			continue
		}
		lat = append(lat, s.latency)
	}
	slices.Sort(lat)
	f.writes = len(lat)
	if len(lat) > 0 {
		f.p50, f.p99, f.max = stats.Percentile(lat, 0.50), stats.Percentile(lat, 0.99), lat[len(lat)-1]
	}
	return f
}
