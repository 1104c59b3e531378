package elbops

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

var ctx = context.Background()

func newService(t *testing.T) (*Service, *store.Bolt) {
	t.Helper()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(state.New(db, model.Partition{Region: "us-east-1", Account: "123456789012"}, nil), nil, nil), db
}

func ptr[T any](v T) *T { return &v }

func wantErr(t *testing.T, err error, code string, sentinel error) {
	t.Helper()
	e, ok := err.(*awserr.Error) // the operations return *awserr.Error itself, not wrapped
	if !ok || e.Code != code || e.Status != http.StatusBadRequest || !e.Sender {
		t.Fatalf("got %T %v, want *awserr.Error %s (400)", err, err, code)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Fatalf("%v does not wrap %v", err, sentinel)
	}
}

type stack struct{ lb, tg, listener string }

// setUp creates what CloudFormation would: a load balancer, a target group
// and an HTTP listener forwarding to it.
func setUp(t *testing.T, s *Service) stack {
	t.Helper()
	lbs, err := s.CreateLoadBalancer(ctx, &CreateLoadBalancerInput{Name: "web", Subnets: []string{"subnet-a", "subnet-b"}})
	if err != nil {
		t.Fatal(err)
	}
	if st := lbs.LoadBalancers[0].State.Code; st != model.ALBStateProvisioning {
		t.Fatalf("new load balancer is %q, want provisioning", st)
	}
	tgs, err := s.CreateTargetGroup(ctx, &CreateTargetGroupInput{Name: "web", Protocol: "HTTP", Port: ptr(8080), VpcID: "vpc-1"})
	if err != nil {
		t.Fatal(err)
	}
	st := stack{lb: lbs.LoadBalancers[0].ARN, tg: tgs.TargetGroups[0].ARN}
	ls, err := s.CreateListener(ctx, &CreateListenerInput{LoadBalancerARN: st.lb, Port: ptr(8000), Protocol: ptr("HTTP"),
		DefaultActions: []Action{{Type: model.ActionForward, TargetGroupARN: st.tg}}})
	if err != nil {
		t.Fatal(err)
	}
	st.listener = ls.Listeners[0].ARN
	return st
}

// TestInProcessCallersSeeELBErrorsAndSentinels: what CloudFormation sees of
// a missing or busy resource is ELB's code and words, and errors.Is still
// finds the state sentinel.
func TestInProcessCallersSeeELBErrorsAndSentinels(t *testing.T) {
	s, _ := newService(t)
	st := setUp(t, s)
	_, err := s.DescribeLoadBalancers(ctx, &DescribeLoadBalancersInput{LoadBalancerARNs: []string{st.lb + "0"}})
	wantErr(t, err, CodeLoadBalancerNotFound, state.ErrLoadBalancerNotFound)
	_, err = s.ModifyListener(ctx, &ModifyListenerInput{ListenerARN: st.listener + "0", Port: ptr(8001)})
	wantErr(t, err, CodeListenerNotFound, state.ErrListenerNotFound)
	err = s.DeleteTargetGroup(ctx, &DeleteTargetGroupInput{TargetGroupARN: st.tg})
	wantErr(t, err, CodeResourceInUse, state.ErrTargetGroupInUse)
	if e, _ := awserr.As(err); e.Message != "Target group '"+st.tg+"' is currently in use by a listener or a rule" {
		t.Fatalf("in use: %q", e.Message)
	}
	_, err = s.CreateLoadBalancer(ctx, &CreateLoadBalancerInput{Name: "web", Subnets: []string{"subnet-c"}})
	wantErr(t, err, CodeDuplicateLoadBalancer, nil)
	_, err = s.CreateLoadBalancer(ctx, &CreateLoadBalancerInput{Name: "x", Subnets: []string{"a"}, SubnetMappings: []SubnetMapping{{SubnetID: "b"}}})
	wantErr(t, err, CodeValidationError, nil)
	// Idempotent create: the same settings answer the existing one, now active.
	again, err := s.CreateLoadBalancer(ctx, &CreateLoadBalancerInput{Name: "web", Subnets: []string{"subnet-a", "subnet-b"}})
	if err != nil || again.LoadBalancers[0].ARN != st.lb {
		t.Fatalf("create again: %+v %v", again, err)
	}
	d, err := s.DescribeLoadBalancers(ctx, &DescribeLoadBalancersInput{})
	if err != nil || len(d.LoadBalancers) != 1 || d.LoadBalancers[0].State.Code != model.ALBStateActive {
		t.Fatalf("describe without a data plane: %+v %v", d, err)
	}
}

// TestNilListsLeaveMembersAndEmptyListsReplaceThem: in Modify inputs a nil
// list is "not given" and keeps what is stored; an empty, non-nil list is
// given and is validated as such.
func TestNilListsLeaveMembersAndEmptyListsReplaceThem(t *testing.T) {
	s, _ := newService(t)
	st := setUp(t, s)
	mod, err := s.ModifyListener(ctx, &ModifyListenerInput{ListenerARN: st.listener, Port: ptr(8001)})
	if err != nil || mod.Listeners[0].Port != 8001 || len(mod.Listeners[0].DefaultActions) != 1 ||
		mod.Listeners[0].DefaultActions[0].TargetGroupARN != st.tg {
		t.Fatalf("modify port: %+v %v", mod, err)
	}
	_, err = s.ModifyListener(ctx, &ModifyListenerInput{ListenerARN: st.listener, DefaultActions: []Action{}})
	wantErr(t, err, CodeValidationError, nil)

	rules, err := s.CreateRule(ctx, &CreateRuleInput{ListenerARN: st.listener, Priority: ptr(10),
		Conditions: []ConditionInput{{Field: "path-pattern", PathPatternConfig: &ValuesConfig{Values: []string{"/api/*"}}}},
		Actions:    []Action{{Type: model.ActionForward, TargetGroupARN: st.tg}}})
	if err != nil {
		t.Fatal(err)
	}
	r := rules.Rules[0]
	if r.Priority != "10" || r.IsDefault || r.Actions[0].Order != 1 {
		t.Fatalf("created rule: %+v", r)
	}
	fixed := []Action{{Type: model.ActionFixedResponse, FixedResponse: &model.FixedResponseConfig{StatusCode: "404"}}}
	mr, err := s.ModifyRule(ctx, &ModifyRuleInput{RuleARN: r.ARN, Actions: fixed})
	if err != nil || mr.Rules[0].Conditions[0].Values[0] != "/api/*" || mr.Rules[0].Actions[0].Type != model.ActionFixedResponse {
		t.Fatalf("modify actions only: %+v %v", mr, err)
	}
	_, err = s.ModifyRule(ctx, &ModifyRuleInput{RuleARN: r.ARN, Conditions: []ConditionInput{}})
	wantErr(t, err, CodeValidationError, nil)

	all, err := s.DescribeRules(ctx, &DescribeRulesInput{ListenerARN: st.listener})
	if err != nil || len(all.Rules) != 2 || all.Rules[1].Priority != RuleDefaultPriority || !all.Rules[1].IsDefault {
		t.Fatalf("describe rules: %+v %v", all, err)
	}
	_, err = s.ModifyRule(ctx, &ModifyRuleInput{RuleARN: all.Rules[1].ARN,
		Conditions: []ConditionInput{{Field: "host-header", Values: []string{"a"}}}})
	wantErr(t, err, CodeOperationNotPermitted, nil)
	err = s.DeleteRule(ctx, &DeleteRuleInput{RuleARN: all.Rules[1].ARN})
	wantErr(t, err, CodeOperationNotPermitted, nil)
}

// TestStoreFailureIsInternalFailure: a failure of the store is ELB's
// InternalFailure (500, not the sender's fault) and keeps its cause.
func TestStoreFailureIsInternalFailure(t *testing.T) {
	s, db := newService(t)
	db.Close()
	_, err := s.DescribeTargetGroups(ctx, &DescribeTargetGroupsInput{})
	e, ok := err.(*awserr.Error)
	if !ok || e.Code != CodeInternalFailure || e.Status != http.StatusInternalServerError || e.Sender || e.Cause == nil {
		t.Fatalf("got %#v", err)
	}
}

// TestPageBounds: Marker and PageSize are checked as ELB does.
func TestPageBounds(t *testing.T) {
	for _, p := range []Page{{PageSize: ptr(0)}, {PageSize: ptr(MaxPageSize + 1)}, {Marker: "%%%"}} {
		if _, _, err := p.params(); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	items := func() []string { return []string{"c", "a", "b", "a"} }
	pg, next, err := page(Page{PageSize: ptr(2)}, items(), func(s string) string { return s })
	if err != nil || len(pg) != 2 || pg[0] != "a" || pg[1] != "b" || next == "" {
		t.Fatalf("first page: %v %q %v", pg, next, err)
	}
	pg, next, err = page(Page{PageSize: ptr(2), Marker: next}, items(), func(s string) string { return s })
	if err != nil || len(pg) != 1 || pg[0] != "c" || next != "" {
		t.Fatalf("second page: %v %q %v", pg, next, err)
	}
}
