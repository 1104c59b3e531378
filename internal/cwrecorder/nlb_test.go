package cwrecorder

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/metricstore"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/testutil"
)

const (
	nlbARN      = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/edge/2f7dc8efc522ab29"
	nlbListener = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/net/edge/2f7dc8efc522ab29/9683b2d02a6cabee"
	nlbTG       = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/edge-tcp/1b2d3e4f5a6b7c8d"
)

// TestNetworkLoadBalancerMetricsReachCloudWatch relays connections through
// a real layer-4 data plane and reads its AWS/NetworkELB metrics back
// through GetMetricStatistics.
func TestNetworkLoadBalancerMetricsReachCloudWatch(t *testing.T) {
	ctx := context.Background()
	plane := l4.New(l4.Options{Host: "127.0.0.1"})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- plane.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	port := testutil.FreePort(t)
	target := testutil.ServeTCP(t, func(c *net.TCPConn) { defer c.Close(); io.Copy(c, c) })
	err := plane.Apply(ctx, l4.Config{Version: 1,
		Listeners: []l4.Listener{{ARN: nlbListener, Port: port, Protocol: l4.ProtocolTCP, Forward: []lb.WeightedTargetGroup{{ARN: nlbTG, Weight: 1}}}},
		TargetGroups: []l4.TargetGroup{{ARN: nlbTG, Name: "edge-tcp", Protocol: l4.ProtocolTCP, DeregistrationDelay: time.Second,
			HealthCheck: l4.HealthCheck{Enabled: true, Interval: time.Second, Timeout: time.Second, HealthyThreshold: 2, UnhealthyThreshold: 2},
			Targets:     []lb.Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: target}}}}})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		ths := plane.TargetHealth(nlbTG)
		return len(ths) == 1 && ths[0].State == lb.StateHealthy, fmt.Sprint(ths)
	})

	ms, err := metricstore.Open(metricstore.Options{Path: filepath.Join(t.TempDir(), "m.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	topo := &fakeTopo{Topology{TargetGroupLoadBalancers: map[string][]string{nlbTG: {nlbARN}}}}
	r := New(Options{NetworkLoadBalancers: []NetworkLoadBalancer{plane}, Topology: topo, Sink: ms})
	t0 := time.Now()
	if err := r.Tick(ctx, t0); err != nil { // the baseline
		t.Fatal(err)
	}
	// Three connections of "hello\n" each way, closed; one left open; one the client resets.
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		fmt.Fprintln(c, "hello")
		if line, err := br.ReadString('\n'); err != nil || line != "hello\n" {
			t.Fatalf("echo: %q %v", line, err)
		}
		return c, br
	}
	for range 3 {
		c, br := dial()
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, br)
		c.Close()
	}
	open, _ := dial()
	defer open.Close()
	rst, _ := dial()
	rst.(*net.TCPConn).SetLinger(0)
	rst.Close()
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		st := plane.NetworkStats()
		g := st.TargetGroups[nlbTG].Total
		return g.Active == 1 && g.Flows == 5 && st.Listeners[nlbListener].ClientResets == 1, fmt.Sprintf("%+v %+v", g, st.Listeners)
	})
	if err := r.Tick(ctx, t0.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}

	cw := cwops.New(cwops.Options{Region: "us-east-1", Account: "000000000000", Metrics: ms})
	stat := func(name, statistic string, dims ...cwops.Dimension) float64 {
		t.Helper()
		start, end, period := t0.Add(-time.Hour).Truncate(time.Hour), t0.Add(time.Hour).Truncate(time.Hour), 7200
		out, err := cw.GetMetricStatistics(ctx, &cwops.GetMetricStatisticsInput{Namespace: "AWS/NetworkELB", MetricName: name,
			Dimensions: dims, StartTime: &start, EndTime: &end, Period: &period, Statistics: []string{statistic}})
		if err != nil || len(out.Datapoints) != 1 {
			t.Fatalf("%s %s: %+v %v", name, statistic, out, err)
		}
		d := out.Datapoints[0]
		for _, v := range []*float64{d.Sum, d.Maximum, d.Average, d.Minimum} {
			if v != nil {
				return *v
			}
		}
		return -1
	}
	lbd := cwops.Dimension{Name: "LoadBalancer", Value: "net/edge/2f7dc8efc522ab29"}
	tgd := cwops.Dimension{Name: "TargetGroup", Value: "targetgroup/edge-tcp/1b2d3e4f5a6b7c8d"}
	// The three closed connections moved 6 bytes each way; the two others'
	// bytes are counted when they end.
	for _, c := range []struct {
		name, stat string
		dims       []cwops.Dimension
		want       float64
	}{
		{"NewFlowCount", "Sum", []cwops.Dimension{lbd}, 5},
		{"ActiveFlowCount", "Maximum", []cwops.Dimension{lbd}, 1},
		{"ProcessedBytes", "Sum", []cwops.Dimension{lbd}, 3*12 + 12},
		{"TCP_Client_Reset_Count", "Sum", []cwops.Dimension{lbd}, 1},
		{"TCP_Target_Reset_Count", "Sum", []cwops.Dimension{lbd}, 0},
		{"TCP_ELB_Reset_Count", "Sum", []cwops.Dimension{lbd}, 0},
		{"HealthyHostCount", "Minimum", []cwops.Dimension{lbd, tgd}, 1},
		{"UnHealthyHostCount", "Maximum", []cwops.Dimension{lbd, tgd}, 0},
	} {
		if got := stat(c.name, c.stat, c.dims...); got != c.want {
			t.Errorf("%s %s = %v, want %v", c.name, c.stat, got, c.want)
		}
	}
}
