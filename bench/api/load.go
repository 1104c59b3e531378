package main

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
)

// operation is one benchmarked API call; worker is the client's index.
type operation struct {
	name string
	call func(ctx context.Context, c *awsecs.Client, worker, seq int) error
}

// loadOptions bound a run: it ends after duration or when requests calls
// were made (whichever comes first; 0 means no bound of that kind).
type loadOptions struct {
	clients  int
	duration time.Duration
	requests int
	warmup   time.Duration
}

// newClient returns an SDK ECS client with a connection of its own, so 50
// clients are 50 keep-alive connections as 50 separate programs would be.
func newClient(url string) *awsecs.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 4
	return awsecs.New(awsecs.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(benchKeyID, benchSecret, ""),
		HTTPClient:       &http.Client{Transport: transport},
		RetryMaxAttempts: 1, // a retry would hide a failure and skew latency
	})
}

// runLoad runs op from o.clients goroutines, each with its own client, and
// records every call's latency. A warm-up phase runs first and is not
// recorded.
func runLoad(url string, op operation, o loadOptions) result {
	clients := make([]*awsecs.Client, o.clients)
	for i := range clients {
		clients[i] = newClient(url)
	}
	if o.warmup > 0 {
		_, _ = drive(clients, op, loadOptions{clients: o.clients, duration: o.warmup}, nil)
	}
	lat := make([][]time.Duration, o.clients)
	start := time.Now()
	failed, firstErr := drive(clients, op, o, lat)
	r := summarize(op.name, o.clients, lat, time.Since(start))
	r.failed, r.firstErr = failed, firstErr
	return r
}

// drive runs the clients until the bounds are reached and returns the
// number of failed calls and the first failure; latencies of successful
// calls go to lat[worker] when lat is not nil.
func drive(clients []*awsecs.Client, op operation, o loadOptions, lat [][]time.Duration) (int64, error) {
	ctx := context.Background()
	deadline := time.Now().Add(o.duration)
	var issued, failed atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	for w, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				if (o.duration > 0 && time.Now().After(deadline)) || (o.requests > 0 && issued.Add(1) > int64(o.requests)) {
					return
				}
				t0 := time.Now()
				err := op.call(ctx, c, w, seq)
				d := time.Since(t0)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, &err)
					continue
				}
				if lat != nil {
					lat[w] = append(lat[w], d)
				}
			}
		}()
	}
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		return failed.Load(), *p
	}
	return failed.Load(), nil
}
