package elbv2

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func parseTargets(f form) ([]model.TargetDescription, error) {
	var out []model.TargetDescription
	for _, t := range f.list("Targets") {
		port, err := t.intPtr("Port")
		if err != nil {
			return nil, err
		}
		d := model.TargetDescription{ID: t.str("Id"), AvailabilityZone: t.str("AvailabilityZone")}
		if port != nil {
			if *port < 1 || *port > 65535 {
				return nil, validation("Port '%d' must be between 1 and 65535", *port)
			}
			d.Port = *port
		}
		out = append(out, d)
	}
	return out, nil
}

func (h *Handler) registerTargets(ctx context.Context, f form) (any, error) {
	targets, err := parseTargets(f)
	if err != nil {
		return nil, err
	}
	arn := f.str("TargetGroupArn")
	return nil, h.st.Update(ctx, func(tx state.Tx) error { return tx.RegisterTargets(arn, targets) })
}

func (h *Handler) deregisterTargets(ctx context.Context, f form) (any, error) {
	targets, err := parseTargets(f)
	if err != nil {
		return nil, err
	}
	arn := f.str("TargetGroupArn")
	return nil, h.st.Update(ctx, func(tx state.Tx) error { return tx.DeregisterTargets(arn, targets) })
}

type targetHealthResult struct {
	TargetHealthDescriptions list[wireTargetHealthDescription]
}

// healthView joins the registrations in the store with what the data
// plane reports, which may lag behind the store by one routing version.
type healthView struct {
	tg         model.TargetGroup
	used       bool
	registered []model.TargetDescription
	live       map[string]lb.TargetHealth // by "id:port"
}

func (h *Handler) describeTargetHealth(ctx context.Context, f form) (any, error) {
	asked, err := parseTargets(f)
	if err != nil {
		return nil, err
	}
	var v healthView
	err = h.st.View(ctx, func(tx state.Tx) error {
		var err error
		if v.tg, err = tx.TargetGroup(f.str("TargetGroupArn")); err != nil {
			return err
		}
		if v.registered, err = tx.Targets(v.tg.ARN); err != nil {
			return err
		}
		users, err := tx.TargetGroupLoadBalancers()
		v.used = len(users[v.tg.ARN]) > 0
		return err
	})
	if err != nil {
		return nil, err
	}
	v.live = map[string]lb.TargetHealth{}
	if h.health != nil {
		for _, th := range h.health.TargetHealth(v.tg.ARN) {
			v.live[liveKey(th.Target.ID, th.Target.Port)] = th
		}
	}
	res := targetHealthResult{TargetHealthDescriptions: list[wireTargetHealthDescription]{Member: []wireTargetHealthDescription{}}}
	add := func(d wireTargetHealthDescription) {
		res.TargetHealthDescriptions.Member = append(res.TargetHealthDescriptions.Member, d)
	}
	if len(asked) == 0 {
		v.all(add)
	} else {
		for _, t := range asked {
			v.one(t, add)
		}
	}
	return res, nil
}

func liveKey(id string, port int) string { return fmt.Sprintf("%s:%d", id, port) }

// all reports every registered target, then targets still draining.
func (v healthView) all(add func(wireTargetHealthDescription)) {
	seen := map[string]bool{}
	for _, t := range v.registered {
		seen[t.Key()] = true
		add(v.registeredHealth(t))
	}
	for _, k := range slices.Sorted(maps.Keys(v.live)) {
		if th := v.live[k]; !seen[k] && th.State == lb.StateDraining {
			add(v.describe(model.TargetDescription{ID: th.Target.ID, Port: th.Target.Port}, th.State, th.Reason, th.Description))
		}
	}
}

// one reports an explicitly asked-for target. Without a port it matches
// every registration of the id.
func (v healthView) one(t model.TargetDescription, add func(wireTargetHealthDescription)) {
	found := false
	for _, r := range v.registered {
		if r.ID == t.ID && (t.Port == 0 || r.Port == t.Port) {
			add(v.registeredHealth(r))
			found = true
		}
	}
	if found {
		return
	}
	if t.Port == 0 {
		t.Port = v.tg.Port
	}
	if th, ok := v.live[liveKey(t.ID, t.Port)]; ok && th.State == lb.StateDraining {
		add(v.describe(t, th.State, th.Reason, th.Description))
		return
	}
	// ELB answers an unknown target with unused / Target.NotRegistered.
	add(v.describe(t, lb.StateUnused, lb.ReasonNotRegistered, "Target is not registered to the target group"))
}

func (v healthView) registeredHealth(t model.TargetDescription) wireTargetHealthDescription {
	if !v.used {
		// ELB: a group no listener or rule forwards to is not health checked.
		return v.describe(t, lb.StateUnused, lb.ReasonNotInUse, "Target group is not configured to receive traffic from the load balancer")
	}
	th, ok := v.live[liveKey(t.ID, t.Port)]
	if !ok || th.State == lb.StateDraining || th.Reason == lb.ReasonNotRegistered || th.Reason == lb.ReasonNotInUse {
		// The data plane has not applied this registration yet.
		return v.describe(t, lb.StateInitial, lb.ReasonRegistrationInProgress, "Target registration is in progress")
	}
	return v.describe(t, th.State, th.Reason, th.Description)
}

func (v healthView) describe(t model.TargetDescription, st, reason, desc string) wireTargetHealthDescription {
	port := v.tg.HealthCheck.Port
	if port == model.TrafficPort {
		port = strconv.Itoa(t.Port)
	}
	return wireTargetHealthDescription{
		Target:          wireTargetDescription{Id: t.ID, Port: t.Port, AvailabilityZone: t.AvailabilityZone},
		HealthCheckPort: port,
		TargetHealth:    wireTargetHealth{State: st, Reason: reason, Description: desc},
	}
}
