package main

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/bench/internal/cpuload"
)

// operation is one benchmarked API call; worker is the client's index.
type operation struct {
	name string
	call func(ctx context.Context, c *awsecs.Client, worker, seq int) error
}

// loadOptions bound a run: it ends after duration or when requests calls
// were made (whichever comes first; 0 means no bound of that kind). With
// rate 0 each client sends its next request as soon as the last one was
// answered (closed loop: the server's saturation throughput, and latency
// that is mostly queueing). With a rate, the clients together send that
// many requests per second on a fixed schedule, and latency counts from the
// scheduled time, so a slow answer also delays the requests queued behind it.
type loadOptions struct {
	clients  int
	duration time.Duration
	requests int
	warmup   time.Duration
	rate     float64
}

// newClient returns an SDK ECS client with a connection of its own, so 50
// clients are 50 keep-alive connections as 50 separate programs would be.
// It retries only connection errors, once and at once, counting them in
// retries: Go's HTTP client sometimes closes a connection under a response
// it is reading when its request writer loses a race (aws-sdk-go-v2 #2737;
// the SDK retries these by default). Any answer from the server, errors
// included, is final.
func newClient(url string, retries *atomic.Int64) *awsecs.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 4
	return awsecs.New(awsecs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(benchKeyID, benchSecret, ""),
		HTTPClient:   &http.Client{Transport: transport},
		Retryer: countingRetryer{Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 2
			o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		}), retries: retries},
	})
}

// countingRetryer counts the retries its Retryer grants.
type countingRetryer struct {
	aws.Retryer
	retries *atomic.Int64
}

func (r countingRetryer) IsErrorRetryable(err error) bool {
	ok := r.Retryer.IsErrorRetryable(err)
	if ok && r.retries != nil {
		r.retries.Add(1)
	}
	return ok
}

// runLoad runs op from o.clients goroutines, each with its own client, and
// records every call's latency. A warm-up phase runs first and is not
// recorded.
func runLoad(url string, op operation, o loadOptions) result {
	var retries atomic.Int64
	clients := make([]*awsecs.Client, o.clients)
	for i := range clients {
		clients[i] = newClient(url, &retries)
	}
	if o.warmup > 0 {
		_, _ = drive(clients, op, loadOptions{clients: o.clients, duration: o.warmup}, nil)
	}
	lat := make([][]time.Duration, o.clients)
	retries.Store(0)
	before := cpuload.Take()
	failed, firstErr := drive(clients, op, o, lat)
	after := cpuload.Take()
	r := summarize(op.name, o.clients, lat, after.Since(before))
	r.failed, r.firstErr, r.retried = failed, firstErr, retries.Load()
	r.foreignCPU = cpuload.ForeignShare(before, after)
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
	start := time.Now()
	for w, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				if (o.duration > 0 && time.Now().After(deadline)) || (o.requests > 0 && issued.Add(1) > int64(o.requests)) {
					return
				}
				t0 := time.Now()
				if o.rate > 0 {
					t0 = scheduled(start, o, w, seq)
					time.Sleep(time.Until(t0))
				}
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

// scheduled is when worker w sends its request seq at the given total rate:
// each worker every clients/rate seconds, the workers evenly staggered.
func scheduled(start time.Time, o loadOptions, w, seq int) time.Time {
	interval := time.Duration(float64(o.clients) / o.rate * float64(time.Second))
	offset := interval * time.Duration(w) / time.Duration(o.clients)
	return start.Add(offset + interval*time.Duration(seq))
}
