package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestNLBMetricsFromRealConnections relays TCP connections through a
// network load balancer served by the data plane process and reads its
// AWS/NetworkELB metrics back through CloudWatch's API.
func TestNLBMetricsFromRealConnections(t *testing.T) {
	s := start(t, Config{TimeScale: 60}) // the recorder samples every second
	target := testutil.ServeTCP(t, func(c *net.TCPConn) { defer c.Close(); io.Copy(c, c) })
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	elbc := elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds})
	ctx := context.Background()
	tg, err := elbc.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("tcp"), Protocol: elbtypes.ProtocolEnumTcp,
		Port: aws.Int32(80), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp,
		HealthCheckIntervalSeconds: aws.Int32(5), HealthCheckTimeoutSeconds: aws.Int32(2), HealthyThresholdCount: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	lbOut, err := elbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("edge"), Type: elbtypes.LoadBalancerTypeEnumNetwork,
		Subnets: []string{"subnet-a"}})
	if err != nil {
		t.Fatal(err)
	}
	port := int32(testutil.FreePort(t))
	tgARN, lbARN := *tg.TargetGroups[0].TargetGroupArn, *lbOut.LoadBalancers[0].LoadBalancerArn
	if _, err := elbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbARN), Protocol: elbtypes.ProtocolEnumTcp,
		Port: aws.Int32(port), DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := elbc.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(tgARN),
		Targets: []elbtypes.TargetDescription{{Id: aws.String("127.0.0.1"), Port: aws.Int32(int32(target))}}}); err != nil {
		t.Fatal(err)
	}
	echo := func() error {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(int(port)), 2*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "hello"); err != nil {
			return err
		}
		c.(*net.TCPConn).CloseWrite()
		b, err := io.ReadAll(c)
		if err == nil && string(b) != "hello" {
			err = fmt.Errorf("echoed %q", b)
		}
		return err
	}
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		if err := echo(); err != nil {
			return false, err.Error()
		}
		return true, ""
	})
	for range 5 {
		if err := echo(); err != nil {
			t.Fatal(err)
		}
	}
	cwc := cw.New(cw.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds,
		HTTPClient: testutil.SDKHTTPClient()})
	now := time.Now()
	sum := func(name string, dims ...cwtypes.Dimension) float64 {
		out, err := cwc.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("AWS/NetworkELB"), MetricName: aws.String(name),
			Dimensions: dims, StartTime: aws.Time(now.Add(-30 * time.Minute)), EndTime: aws.Time(now.Add(30 * time.Minute)), Period: aws.Int32(3600),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum}})
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, d := range out.Datapoints {
			total += *d.Sum
		}
		return total
	}
	lbd := cwtypes.Dimension{Name: aws.String("LoadBalancer"), Value: aws.String(lbARN[len("arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/"):])}
	tgd := cwtypes.Dimension{Name: aws.String("TargetGroup"), Value: aws.String(tgARN[len("arn:aws:elasticloadbalancing:us-east-1:000000000000:"):])}
	// At least the six connections after the target was healthy (earlier
	// attempts may have been relayed too), ten bytes each.
	testutil.Eventually(t, 15*time.Second, func() (bool, string) {
		flows, bytes, healthy := sum("NewFlowCount", lbd), sum("ProcessedBytes", lbd), sum("HealthyHostCount", lbd, tgd)
		return flows >= 6 && bytes == 10*flows && healthy > 0, fmt.Sprintf("NewFlowCount %v, ProcessedBytes %v, HealthyHostCount %v", flows, bytes, healthy)
	})
}
