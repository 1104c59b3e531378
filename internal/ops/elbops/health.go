package elbops

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

// DescribeTargetHealthInput is DescribeTargetHealth's input: the targets
// to describe, or none for every registered and draining target.
type DescribeTargetHealthInput struct {
	TargetGroupARN string
	Targets        []TargetDescription
}

// TargetHealth is a target's state (initial, healthy, unhealthy, unused,
// draining, unavailable) and, unless healthy, ELB's reason code and words.
type TargetHealth struct {
	State       string
	Reason      string
	Description string
}

// TargetHealthDescription is one target's health.
type TargetHealthDescription struct {
	Target          model.TargetDescription
	HealthCheckPort string
	TargetHealth    TargetHealth
}

// DescribeTargetHealthOutput is DescribeTargetHealth's output.
type DescribeTargetHealthOutput struct {
	TargetHealthDescriptions []TargetHealthDescription
}

// healthView joins the registrations in the store with what the data
// plane reports, which may lag behind the store by one routing version.
type healthView struct {
	tg         model.TargetGroup
	used       bool
	registered []model.TargetDescription
	live       map[string]lb.TargetHealth // by "id:port"
}

// DescribeTargetHealth describes the health of a target group's targets.
func (s *Service) DescribeTargetHealth(ctx context.Context, in *DescribeTargetHealthInput) (*DescribeTargetHealthOutput, error) {
	asked, err := toTargets(in.Targets)
	if err != nil {
		return nil, err
	}
	var v healthView
	err = s.st.View(ctx, func(tx state.Tx) error {
		var err error
		if v.tg, err = tx.TargetGroup(in.TargetGroupARN); err != nil {
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
		return nil, fail(err)
	}
	v.live = map[string]lb.TargetHealth{}
	if s.health != nil {
		for _, th := range s.health.TargetHealth(v.tg.ARN) {
			v.live[liveKey(th.Target.ID, th.Target.Port)] = th
		}
	}
	out := &DescribeTargetHealthOutput{TargetHealthDescriptions: []TargetHealthDescription{}}
	add := func(d TargetHealthDescription) {
		out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, d)
	}
	if len(asked) == 0 {
		v.all(add)
	} else {
		for _, t := range asked {
			v.one(t, add)
		}
	}
	return out, nil
}

func liveKey(id string, port int) string { return fmt.Sprintf("%s:%d", id, port) }

// all reports every registered target, then targets still draining.
func (v healthView) all(add func(TargetHealthDescription)) {
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
func (v healthView) one(t model.TargetDescription, add func(TargetHealthDescription)) {
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

func (v healthView) registeredHealth(t model.TargetDescription) TargetHealthDescription {
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

func (v healthView) describe(t model.TargetDescription, st, reason, desc string) TargetHealthDescription {
	port := v.tg.HealthCheck.Port
	if port == model.TrafficPort {
		port = strconv.Itoa(t.Port)
	}
	return TargetHealthDescription{Target: t, HealthCheckPort: port, TargetHealth: TargetHealth{State: st, Reason: reason, Description: desc}}
}
