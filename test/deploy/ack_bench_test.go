package deploy

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// BenchmarkWeightChangeToAck measures what a traffic shift waits for: from
// the commit that re-weights a listener's forward action (as the
// controller's pass writes it) to the data plane (the separate `slipway
// __lb` process, over lblink) acknowledging routing that contains it. It
// reports the median and the 99th percentile beside the mean, and the same
// of its two parts: the commit (fsync included) and commit to acknowledgement.
func BenchmarkWeightChangeToAck(b *testing.B) {
	ctx := context.Background()
	shim, shimEnv := testutil.ShimCommand()
	srv, err := server.Start(ctx, server.Config{APIAddr: "127.0.0.1:0", DataDir: b.TempDir(), LBHost: "127.0.0.1",
		ShimCommand: shim, ShimEnv: shimEnv, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.StopDataPlane(sctx)
		srv.Close()
	})
	c := elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
	var tgs []string
	for _, name := range []string{"blue", "green"} {
		out, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp,
			Port: aws.Int32(8080), VpcId: aws.String("vpc-local")})
		if err != nil {
			b.Fatal(err)
		}
		tgs = append(tgs, aws.ToString(out.TargetGroups[0].TargetGroupArn))
	}
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("bench"), Subnets: []string{"subnet-a"}})
	if err != nil {
		b.Fatal(err)
	}
	port := testutil.FreePort(b)
	l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(int32(port)),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgs[0])}}})
	if err != nil {
		b.Fatal(err)
	}
	listener := aws.ToString(l.Listeners[0].ListenerArn)
	plane := srv.DataPlane()
	waitApplied := func(after uint64) {
		deadline := time.Now().Add(10 * time.Second)
		for plane.AppliedVersion() <= after {
			if time.Now().After(deadline) {
				b.Fatal("the data plane did not acknowledge the change within 10 s")
			}
			time.Sleep(20 * time.Microsecond)
		}
	}
	// lat is each change's whole wait; commits and applies split it at the
	// store commit's return (fsync included) to see where a tail comes from.
	lat := make([]time.Duration, 0, b.N)
	commits := make([]time.Duration, 0, b.N)
	applies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		green := 1 + i%99
		before := plane.AppliedVersion()
		start := time.Now()
		err := srv.State().Update(ctx, func(tx state.Tx) error {
			ls, err := tx.Listener(listener)
			if err != nil {
				return err
			}
			ls.DefaultActions[0].TargetGroupARN = ""
			ls.DefaultActions[0].Forward = &model.ForwardConfig{TargetGroups: []model.WeightedTargetGroup{
				{ARN: tgs[0], Weight: new(100 - green)}, {ARN: tgs[1], Weight: new(green)}}}
			return tx.PutListener(ls)
		})
		if err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		waitApplied(before)
		done := time.Now()
		lat = append(lat, done.Sub(start))
		commits = append(commits, committed.Sub(start))
		applies = append(applies, done.Sub(committed))
	}
	b.StopTimer()
	for _, m := range []struct {
		name string
		d    []time.Duration
	}{{"", lat}, {"commit-", commits}, {"apply-", applies}} {
		slices.Sort(m.d)
		b.ReportMetric(float64(m.d[len(m.d)/2].Microseconds())/1000, m.name+"p50-ms")
		b.ReportMetric(float64(m.d[len(m.d)*99/100].Microseconds())/1000, m.name+"p99-ms")
	}
}
