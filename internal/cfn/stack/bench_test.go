package stack_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/cfn/providers"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// networkEngine is an engine with the ECS and ELB providers over a real
// store (desired state only: no data plane, no agent).
func networkEngine(b *testing.B) *stack.Engine {
	b.Helper()
	db, err := store.OpenBolt(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	st := state.New(db, model.Partition{Region: "eu-central-1", Account: "123456789012"}, nil)
	ecs := ecsops.New(st, nil, ecsops.Options{})
	elb := elbops.New(st, nil, nil)
	e := stack.New(stack.Options{Store: db, Region: "eu-central-1", Account: "123456789012", Providers: map[string]stack.Provider{
		"AWS::ECS::Cluster": providers.ECSClusters{Ops: ecs}, "AWS::ElasticLoadBalancingV2::LoadBalancer": providers.LoadBalancers{Ops: elb},
		"AWS::ElasticLoadBalancingV2::TargetGroup": providers.TargetGroups{Ops: elb}, "AWS::ElasticLoadBalancingV2::Listener": providers.Listeners{Ops: elb},
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done; db.Close() })
	return e
}

// settle polls until the stack's status is not in progress.
func settle(b *testing.B, e *stack.Engine, id string) string {
	for {
		ss, err := e.DescribeStacks(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if !strings.HasSuffix(ss[0].Status, "_IN_PROGRESS") {
			return ss[0].Status
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkCreateNetworkStack is CreateStack to CREATE_COMPLETE of seed
// 000's network stack (22 resources: the VPC's recorded ones, a load
// balancer, a target group, a listener, a cluster); each op deletes it after.
func BenchmarkCreateNetworkStack(b *testing.B) {
	body, err := os.ReadFile("../template/testdata/corpus/reflectoring/network.yml")
	if err != nil {
		b.Fatal(err)
	}
	e := networkEngine(b)
	var total time.Duration
	cpu := cpuTime()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		id, err := e.CreateStack(ctx, &stack.CreateInput{StackName: "reflectoring-network", TemplateBody: string(body),
			Capabilities: []string{"CAPABILITY_IAM"}})
		if err != nil {
			b.Fatal(err)
		}
		if s := settle(b, e, id); s != stack.StatusCreateComplete {
			b.Fatalf("status %s", s)
		}
		total += time.Since(start)
		if err := e.DeleteStack(ctx, &stack.DeleteInput{StackName: id}); err != nil {
			b.Fatal(err)
		}
		if s := settle(b, e, id); s != stack.StatusDeleteComplete {
			b.Fatalf("delete: %s", s)
		}
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-CREATE_COMPLETE")
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// wideTemplate has n security groups (recorded), each described by the
// parameter D.
func wideTemplate(n int) string {
	var sb strings.Builder
	sb.WriteString("Parameters:\n  D: {Type: String}\nResources:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  SG%d:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: !Sub '${D} %d', VpcId: vpc-1}\n", i, i)
	}
	return sb.String()
}

// reportP99 reports the wall-clock p99 and the process's CPU time per
// operation since cpuStart (which other processes' load does not inflate).
func reportP99(b *testing.B, ds []time.Duration, cpuStart time.Duration) {
	b.ReportMetric(float64((cpuTime()-cpuStart).Microseconds())/1000/float64(len(ds)), "cpu-ms/op")
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkValidateTemplate200 is ValidateTemplate of a 200-resource template.
func BenchmarkValidateTemplate200(b *testing.B) {
	body := wideTemplate(200)
	e := stack.New(stack.Options{})
	var ds []time.Duration
	cpu := cpuTime()
	for b.Loop() {
		start := time.Now()
		if _, err := e.ValidateTemplate(ctx, body, ""); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	reportP99(b, ds, cpu)
}

// BenchmarkCreateChangeSet200 is CreateChangeSet of an update that changes
// every resource of a 200-resource stack.
func BenchmarkCreateChangeSet200(b *testing.B) {
	body := wideTemplate(200)
	e := networkEngine(b)
	id, err := e.CreateStack(ctx, &stack.CreateInput{StackName: "wide", TemplateBody: body, Parameters: params("D", "one")})
	if err != nil {
		b.Fatal(err)
	}
	if s := settle(b, e, id); s != stack.StatusCreateComplete {
		b.Fatalf("status %s", s)
	}
	var ds []time.Duration
	cpu := cpuTime()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		cs, err := e.CreateChangeSet(ctx, &stack.ChangeSetInput{StackName: "wide", ChangeSetName: fmt.Sprintf("c%d", i),
			UsePreviousTemplate: true, Parameters: params("D", fmt.Sprint(i))})
		if err != nil || len(cs.Changes) != 200 {
			b.Fatalf("%v %v", err, cs)
		}
		ds = append(ds, time.Since(start))
		if err := e.DeleteChangeSet(ctx, "wide", cs.Name); err != nil {
			b.Fatal(err)
		}
	}
	reportP99(b, ds, cpu)
}
