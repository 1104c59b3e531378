package lbsync

import (
	"testing"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
)

func TestAppendSlicesMergesEveryList(t *testing.T) {
	cfg := lb.Config{Version: 3, Listeners: []lb.Listener{{Port: 80}}}
	appendSlices(&cfg, lb.Config{Version: 9, Listeners: []lb.Listener{{Port: 81}}, TargetGroups: []lb.TargetGroup{{ARN: "tg"}},
		LoadBalancers: []lb.LoadBalancer{{ARN: "lb"}}})
	if cfg.Version != 3 || len(cfg.Listeners) != 2 || cfg.Listeners[1].Port != 81 || len(cfg.TargetGroups) != 1 || len(cfg.LoadBalancers) != 1 {
		t.Errorf("merged %+v", cfg)
	}
	var n l4.Config
	appendSlices(&n, l4.Config{Listeners: []l4.Listener{{Port: 53}}})
	if len(n.Listeners) != 1 {
		t.Errorf("merged %+v", n)
	}
}
