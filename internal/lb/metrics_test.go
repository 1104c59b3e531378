package lb

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestPrometheusMetrics(t *testing.T) {
	be := startBackend(t, "web:7", nil)
	reg := prometheus.NewRegistry()
	d := newDP(t, Options{Registerer: reg})
	port := freePort(t)
	apply(t, d, Config{Version: 3, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	c := client()
	for i := 0; i < 3; i++ {
		get(t, c, lbURL(port, "/"))
	}
	expected := `
# HELP slipway_lb_applied_version Applied routing config version.
# TYPE slipway_lb_applied_version gauge
slipway_lb_applied_version 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(expected), "slipway_lb_applied_version"); err != nil {
		t.Error(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, mf := range mfs {
		found[mf.GetName()] = true
		if mf.GetName() == "slipway_lb_requests_total" {
			for _, m := range mf.Metric {
				labels := map[string]string{}
				for _, l := range m.Label {
					labels[l.GetName()] = l.GetValue()
				}
				if labels["code_class"] == "2xx" && (m.Counter.GetValue() != 3 || labels["revision"] != "web:7") {
					t.Errorf("2xx counter: %v %v", m.Counter.GetValue(), labels)
				}
			}
		}
	}
	for _, name := range []string{"slipway_lb_requests_total", "slipway_lb_request_duration_seconds", "slipway_lb_active_connections", "slipway_lb_target_health", "slipway_lb_elb_errors_total"} {
		if !found[name] {
			t.Errorf("metric %s missing", name)
		}
	}
}
