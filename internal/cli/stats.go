package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/server"
)

// metricsEndpoint is where deploy and rollback read the load balancer's
// counters: --metrics-url (SLIPWAY_METRICS_URL), else the --endpoint-url
// host on the port of `slipway server`'s default --metrics-addr, over plain
// HTTP as the metrics listener serves.
func (g *globals) metricsEndpoint() string {
	if g.metricsURL != "" {
		return g.metricsURL
	}
	_, port, _ := net.SplitHostPort(server.DefaultMetricsAddr)
	u, err := url.Parse(g.endpoint)
	if err != nil || u.Hostname() == "" {
		return "http://" + server.DefaultMetricsAddr
	}
	return "http://" + net.JoinHostPort(u.Hostname(), port)
}

// statsClient reads the load balancer's counters from Slipway's
// /slipway/lb/stats on the metrics endpoint (not an AWS API: when it does
// not answer, the figures are left out).
type statsClient struct {
	url  string
	http *http.Client
}

func newStatsClient(metricsEndpoint string) *statsClient {
	return &statsClient{url: strings.TrimRight(metricsEndpoint, "/") + "/slipway/lb/stats", http: &http.Client{Timeout: 2 * time.Second}}
}

func (c *statsClient) get(ctx context.Context) (lb.Stats, error) {
	var st lb.Stats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return st, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("%s: %s", c.url, resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}
