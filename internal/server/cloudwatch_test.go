package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestALBMetricsFromRealTraffic sends requests through a real listener to
// a real target and reads the recorded AWS/ApplicationELB metrics back
// through CloudWatch's API (the SDK, RPC v2 CBOR, signed, through the
// Router): the counts match what was sent.
func TestALBMetricsFromRealTraffic(t *testing.T) {
	s := start(t, Config{TimeScale: 60}) // the recorder samples every second
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer target.Close()
	targetPort, _ := strconv.Atoi(target.URL[len("http://127.0.0.1:"):])
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	elbc := elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds})
	ctx := context.Background()
	tg, err := elbc.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("web"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(80), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp, HealthCheckPath: aws.String("/"),
		HealthCheckIntervalSeconds: aws.Int32(5), HealthCheckTimeoutSeconds: aws.Int32(2), HealthyThresholdCount: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	lbOut, err := elbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Subnets: []string{"subnet-a", "subnet-b"}})
	if err != nil {
		t.Fatal(err)
	}
	port := int32(testutil.FreePort(t))
	tgARN, lbARN := *tg.TargetGroups[0].TargetGroupArn, *lbOut.LoadBalancers[0].LoadBalancerArn
	if _, err := elbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbARN), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(port), DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := elbc.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(tgARN),
		Targets: []elbtypes.TargetDescription{{Id: aws.String("127.0.0.1"), Port: aws.Int32(int32(targetPort))}}}); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	testutil.Eventually(t, 20*time.Second, func() (bool, string) {
		resp, err := http.Get(url + "/")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
	sent := map[string]int{"/": 0, "/fail": 0}
	start := time.Now()
	for i := 0; i < 60; i++ {
		path := "/"
		if i%4 == 0 {
			path = "/fail"
		}
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		sent[path]++
	}
	cwc := cw.New(cw.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds,
		HTTPClient: testutil.SDKHTTPClient()})
	lbDim := lbARN[len("arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/"):]
	tgDim := tgARN[len("arn:aws:elasticloadbalancing:us-east-1:000000000000:"):]
	sum := func(name string, dims ...cwtypes.Dimension) (float64, float64) {
		out, err := cwc.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("AWS/ApplicationELB"), MetricName: aws.String(name),
			Dimensions: dims, StartTime: aws.Time(start.Add(-30 * time.Minute)), EndTime: aws.Time(start.Add(30 * time.Minute)), Period: aws.Int32(3600),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount}})
		if err != nil {
			t.Fatal(err)
		}
		var total, n float64
		for _, d := range out.Datapoints {
			total += *d.Sum
			n += *d.SampleCount
		}
		return total, n
	}
	lbd := cwtypes.Dimension{Name: aws.String("LoadBalancer"), Value: aws.String(lbDim)}
	tgd := cwtypes.Dimension{Name: aws.String("TargetGroup"), Value: aws.String(tgDim)}
	// The health checks and the first request before `start` are counted
	// too: one request through the listener, every probe outside it.
	testutil.Eventually(t, 15*time.Second, func() (bool, string) {
		req, _ := sum("RequestCount", lbd, tgd)
		ok2, _ := sum("HTTPCode_Target_2XX_Count", lbd, tgd)
		fail, _ := sum("HTTPCode_Target_5XX_Count", lbd, tgd)
		lbReq, _ := sum("RequestCount", lbd)
		_, latN := sum("TargetResponseTime", lbd, tgd)
		want := float64(sent["/"] + sent["/fail"])
		return req >= want && ok2 >= float64(sent["/"]) && fail == float64(sent["/fail"]) && lbReq == req && latN == req,
			fmt.Sprintf("RequestCount %v (LB %v), 2XX %v, 5XX %v, TargetResponseTime samples %v; sent %v", req, lbReq, ok2, fail, latN, sent)
	})
	if req, _ := sum("RequestCount", lbd, tgd); req > float64(sent["/"]+sent["/fail"]+20) {
		t.Errorf("RequestCount %v: more than the %d sent and the readiness probes", req, sent["/"]+sent["/fail"])
	}
	if healthy, n := sum("HealthyHostCount", lbd, tgd); n == 0 || healthy/n < 0.5 {
		t.Errorf("HealthyHostCount average %v over %v samples", healthy/n, n)
	}
	out, err := cwc.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("AWS/ApplicationELB"), MetricName: aws.String("RequestCount")})
	if err != nil || len(out.Metrics) != 2 {
		t.Errorf("ListMetrics RequestCount: %+v, %v", out, err)
	}
}

// TestECSMetricsFromARealTask runs a service whose one task burns a CPU
// under the process runtime, and reads AWS/ECS CPUUtilization and
// MemoryUtilization back: the task reserves 512 CPU units, so a busy CPU
// is 200%.
func TestECSMetricsFromARealTask(t *testing.T) {
	s := start(t, Config{TimeScale: 60, Runtime: "process"})
	ctx := context.Background()
	t.Cleanup(func() { _ = s.StopAllTasks(context.Background()) })
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	ecsc := ecs.New(ecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds, HTTPClient: testutil.SDKHTTPClient()})
	td, err := ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("burn"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("burn"), Image: aws.String("/bin/sh"), Essential: aws.Bool(true),
			Cpu: 512, Memory: aws.Int32(128), EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{"while :; do :; done"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ecsc.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("burn"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	dims := []cwtypes.Dimension{{Name: aws.String("ClusterName"), Value: aws.String("default")}, {Name: aws.String("ServiceName"), Value: aws.String("burn")}}
	cwc := cw.New(cw.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds, HTTPClient: testutil.SDKHTTPClient()})
	stat := func(name string, d []cwtypes.Dimension) (avg, n float64) {
		now := time.Now()
		out, err := cwc.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("AWS/ECS"), MetricName: aws.String(name),
			Dimensions: d, StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(10 * time.Minute)), Period: aws.Int32(1200),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticAverage, cwtypes.StatisticSampleCount}})
		if err != nil || len(out.Datapoints) == 0 {
			return 0, 0
		}
		return *out.Datapoints[0].Average, *out.Datapoints[0].SampleCount
	}
	testutil.Eventually(t, 60*time.Second, func() (bool, string) {
		cpu, n := stat("CPUUtilization", dims)
		mem, m := stat("MemoryUtilization", dims)
		rev, r := stat("CPUUtilization", append(dims, cwtypes.Dimension{Name: aws.String("TaskDefinition"), Value: aws.String("burn:1")}))
		// A busy CPU is 200%; under load from other tests (and the race
		// detector) the burner gets less, but never so little as an idle
		// task's, and never more than the machine's two CPUs' worth.
		return n >= 2 && cpu > 20 && cpu < 410 && m >= 2 && mem > 0 && mem < 100 && r >= 2 && rev > 20,
			fmt.Sprintf("CPUUtilization %.1f%% over %v samples (revision %.1f%%, %v), MemoryUtilization %.2f%% over %v", cpu, n, rev, r, mem, m)
	})
}
