package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// deregistrationLatency measures, n times, the time from sending an ELBv2
// DeregisterTargets request until the data plane no longer routes new
// requests to the target (the target shows as draining or gone in the data
// plane's own table, which the proxy reads for every request).
func (e *env) deregistrationLatency(ctx context.Context, n int) ([]time.Duration, error) {
	tg, err := e.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("dereg"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(80), VpcId: aws.String("vpc-local"), TargetType: elbtypes.TargetTypeEnumIp})
	if err != nil {
		return nil, err
	}
	arn := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	if err := e.listen(ctx, arn); err != nil {
		return nil, err
	}
	backend, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer backend.Close()
	target := []elbtypes.TargetDescription{{Id: aws.String("127.0.0.1"), Port: aws.Int32(int32(backend.Addr().(*net.TCPAddr).Port))}}
	var out []time.Duration
	for range n {
		if _, err := e.elb.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: target}); err != nil {
			return nil, err
		}
		if err := e.waitRouted(arn, true); err != nil {
			return nil, err
		}
		start := time.Now()
		if _, err := e.elb.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: target}); err != nil {
			return nil, err
		}
		if err := e.waitRouted(arn, false); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}

// waitRouted waits until the data plane routes (or stops routing) to the
// target group's single target.
func (e *env) waitRouted(tg string, want bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		routed := false
		for _, h := range e.srv.DataPlane().TargetHealth(tg) {
			if h.State != "draining" && h.State != "unused" {
				routed = true
			}
		}
		if routed == want {
			return nil
		}
		time.Sleep(20 * time.Microsecond)
	}
	return fmt.Errorf("target routed=%v not reached", want)
}
