package main

import (
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/stats"
)

// connResult is the outcome of the connection-rate phase.
type connResult struct {
	perSec  float64
	p99     time.Duration // dial + first echoed bytes
	p50     time.Duration
	failed  int64
	samples int
}

const requestSize = 64

// connectLoop runs conc clients for d, each connecting, sending 64 bytes, reading
// them back and closing, again and again. A connection's "connect time" runs from
// the dial to the first echoed byte: the proxy has accepted, connected to the
// target and relayed both ways.
func connectLoop(addr string, conc int, d time.Duration) connResult {
	var done, failed atomic.Int64
	lat := make([][]time.Duration, conc)
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := make([]byte, requestSize)
			buf := make([]byte, requestSize)
			for time.Now().Before(stop) {
				t0 := time.Now()
				if err := oneConnection(addr, msg, buf); err != nil {
					failed.Add(1)
					continue
				}
				lat[i] = append(lat[i], time.Since(t0))
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := connResult{perSec: float64(done.Load()) / d.Seconds(), failed: failed.Load(), samples: len(all)}
	if len(all) > 0 {
		r.p99, r.p50 = stats.Percentile(all, 0.99), stats.Percentile(all, 0.50)
	}
	return r
}

func oneConnection(addr string, msg, buf []byte) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(msg); err != nil {
		return err
	}
	_, err = io.ReadFull(c, buf)
	return err
}

// throughput runs conns connections for d, each echoing 1 MiB at a time through
// the proxy (writing and reading at once), and returns the echoed megabytes (10^6)
// per second, counted once.
func throughput(addr string, conns int, d time.Duration) (float64, error) {
	var total atomic.Int64
	stop := time.Now().Add(d)
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			out := make([]byte, 1<<20)
			in := make([]byte, 1<<20)
			for time.Now().Before(stop) {
				c.SetDeadline(time.Now().Add(10 * time.Second))
				werr := make(chan error, 1)
				go func() { _, err := c.Write(out); werr <- err }()
				if _, err := io.ReadFull(c, in); err != nil {
					errs <- err
					return
				}
				if err := <-werr; err != nil {
					errs <- err
					return
				}
				total.Add(1 << 20)
			}
		}()
	}
	wg.Wait()
	close(errs)
	var err error
	for e := range errs {
		err = errors.Join(err, e)
	}
	return float64(total.Load()) / 1e6 / d.Seconds(), err
}

// ready waits until one byte is echoed through addr (the proxy's target is up).
func ready(addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := oneConnection(addr, []byte{1}, make([]byte, 1))
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
