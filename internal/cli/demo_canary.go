package cli

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
)

// The canary act's settings. At demoTimeScale a minute of alarm period or
// bake time lasts a second, so the alarm judges each second's 5xx count.
const (
	demoTimeScale       = 60
	demoCanaryPercent   = 10
	demoCanaryErrorRate = "0.5"
	demoCanaryVersion   = "v4"
	// demoCanaryBakeMinutes is the canary's bake (20 s here): the longest the
	// demo waits for the alarm before the canary would move on to 100%.
	demoCanaryBakeMinutes = 20
	demoAlarm             = "talk-green-5xx"
	// demoShiftPoll is how often the demo reads the production rule's weights
	// to time the canary's detection.
	demoShiftPoll = 20 * time.Millisecond
)

// canaryResult is what the canary act measured.
type canaryResult struct {
	outcome outcome
	// shiftedAt and backAt are when the production rule first sent green a
	// share and when it sent green nothing again; zero when not seen.
	shiftedAt, backAt time.Time
	load              loadResult // the client's counts during the act
}

// detection is the time the canary's green carried production traffic.
func (r canaryResult) detection() time.Duration {
	if r.shiftedAt.IsZero() || r.backAt.IsZero() {
		return 0
	}
	return r.backAt.Sub(r.shiftedAt)
}

// failBound is the most requests the failing canary may fail: its share of
// the load, answering 500 at its error rate, over the detection time and
// one second more for the alarm's period and the polls.
func (r canaryResult) failBound() float64 {
	return demoRate * demoCanaryPercent / 100.0 * 0.5 * (r.detection().Seconds() + 1)
}

// canary switches the service to CANARY with a deployment alarm and deploys
// a v4 that answers half its requests with 500: the alarm fails it back.
func (d *demo) canary(ctx context.Context) (canaryResult, error) {
	var res canaryResult
	if err := d.createAlarm(ctx); err != nil {
		return res, d.api.explain(err)
	}
	_, err := d.c.ecs.UpdateService(ctx, &awsecs.UpdateServiceInput{Cluster: aws.String(d.api.cluster), Service: aws.String("talk"),
		DeploymentConfiguration: &types.DeploymentConfiguration{Strategy: types.DeploymentStrategyCanary,
			CanaryConfiguration: &types.CanaryConfiguration{CanaryPercent: aws.Float64(demoCanaryPercent), CanaryBakeTimeInMinutes: aws.Int32(demoCanaryBakeMinutes)},
			Alarms:              &types.DeploymentAlarms{AlarmNames: []string{demoAlarm}, Enable: true, Rollback: true}}})
	if err != nil {
		return res, fmt.Errorf("switching service talk to the CANARY strategy: %w", d.api.explain(err))
	}
	d.step("service talk now deploys by CANARY: %d%% of production traffic to talk-green, baked %d min (%d s at --time-scale %d); alarm %s (a 5xx from talk-green in a minute) rolls back",
		demoCanaryPercent, demoCanaryBakeMinutes, demoCanaryBakeMinutes*60/demoTimeScale, demoTimeScale, demoAlarm)
	before := d.load.snapshot()
	w := d.watchShift(ctx)
	res.outcome, err = d.deploy(ctx, "a v4 canary that answers half its requests with 500",
		"TALK_VERSION="+demoCanaryVersion, "TALK_ERROR_RATE="+demoCanaryErrorRate)
	res.shiftedAt, res.backAt = w.stop()
	res.load = d.load.snapshot().since(before)
	return res, err
}

// createAlarm creates the deployment alarm: the green target group's
// HTTPCode_Target_5XX_Count, as Slipway's load balancer records it.
func (d *demo) createAlarm(ctx context.Context) error {
	cfg, err := d.api.awsConfig(ctx)
	if err != nil {
		return err
	}
	_, err = cloudwatch.NewFromConfig(cfg).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(demoAlarm),
		Namespace: aws.String("AWS/ApplicationELB"), MetricName: aws.String("HTTPCode_Target_5XX_Count"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("LoadBalancer"), Value: aws.String(elbDimension(d.lb.lb))},
			{Name: aws.String("TargetGroup"), Value: aws.String(elbDimension(d.lb.altTG))}},
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, TreatMissingData: aws.String("notBreaching")})
	if err != nil {
		return fmt.Errorf("creating alarm %s: %w", demoAlarm, err)
	}
	return nil
}

// elbDimension is the CloudWatch dimension value of a load balancer or
// target group ARN (app/NAME/ID, targetgroup/NAME/ID).
func elbDimension(arn string) string {
	if i := strings.Index(arn, ":loadbalancer/"); i >= 0 {
		return arn[i+len(":loadbalancer/"):]
	}
	return arn[strings.LastIndex(arn, ":")+1:]
}

// shiftWatch reads the production rule's weights until stopped, noting
// when green first got a share and when it had none again.
type shiftWatch struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// shiftedAt and backAt are written by the watching goroutine only and
	// read after wg.Wait.
	shiftedAt, backAt time.Time
}

func (d *demo) watchShift(ctx context.Context) *shiftWatch {
	ctx, cancel := context.WithCancel(ctx)
	w := &shiftWatch{cancel: cancel}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		tick := time.NewTicker(demoShiftPoll)
		defer tick.Stop()
		for w.backAt.IsZero() {
			if weight, ok := d.greenWeight(ctx); ok {
				now := time.Now()
				switch {
				case weight > 0 && w.shiftedAt.IsZero():
					w.shiftedAt = now
				case weight == 0 && !w.shiftedAt.IsZero():
					w.backAt = now
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// stop ends the watch and returns what it saw.
func (w *shiftWatch) stop() (shiftedAt, backAt time.Time) {
	w.cancel()
	w.wg.Wait()
	return w.shiftedAt, w.backAt
}

// greenWeight is talk-green's weight in the production rule's forward action.
func (d *demo) greenWeight(ctx context.Context) (int32, bool) {
	out, err := d.c.elb.DescribeRules(ctx, &elb.DescribeRulesInput{RuleArns: []string{d.lb.prodRule}})
	if err != nil || len(out.Rules) != 1 {
		return 0, false
	}
	for _, a := range out.Rules[0].Actions {
		if a.ForwardConfig == nil {
			continue
		}
		for _, g := range a.ForwardConfig.TargetGroups {
			if aws.ToString(g.TargetGroupArn) == d.lb.altTG {
				return aws.ToInt32(g.Weight), true
			}
		}
	}
	return 0, true
}
