package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// load drives the listener at full speed and returns the requests answered per second.
type load interface {
	name() string
	measure(ctx context.Context, url string, d time.Duration) (float64, error)
}

func pickLoad(s settings) load {
	if _, err := exec.LookPath("wrk"); s.useWrk == "wrk" || s.useWrk == "auto" && err == nil {
		return wrkLoad{conns: s.conns}
	}
	return goLoad{conns: s.conns}
}

// wrkLoad runs wrk (-t2), as bench/lb.sh does.
type wrkLoad struct{ conns int }

func (wrkLoad) name() string { return "wrk -t2" }

var wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

func (w wrkLoad) measure(ctx context.Context, url string, d time.Duration) (float64, error) {
	out, err := exec.CommandContext(ctx, "wrk", "-t2", "-c"+strconv.Itoa(w.conns), "-d"+d.String(), url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("wrk: %v: %s", err, out)
	}
	m := wrkRate.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("wrk printed no rate: %s", out)
	}
	if strings.Contains(string(out), "Non-2xx") {
		fmt.Fprintf(os.Stderr, "wrk saw errors:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// goLoad is a closed-loop Go client, one keep-alive connection per worker.
type goLoad struct{ conns int }

func (goLoad) name() string { return "Go client" }

func (g goLoad) measure(ctx context.Context, url string, d time.Duration) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range g.conns {
		wg.Go(func() {
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				resp, err := c.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > int64(g.conns) {
		fmt.Fprintf(os.Stderr, "%d requests failed\n", n)
	}
	return float64(ok.Load()) / time.Since(start).Seconds(), nil
}
