package autoscaling

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/store"
)

// FuzzOperations sends any body to any operation: the answer is 200 or a
// client error in the JSON 1.1 shape, never a server fault or a panic.
func FuzzOperations(f *testing.F) {
	db, err := store.OpenBolt(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	cw := cwops.New(cwops.Options{Region: "us-east-1", Account: "000000000000", Alarms: alarms.New(alarms.Options{Store: db})})
	h := New(aasops.New(aasops.Options{Region: "us-east-1", Account: "000000000000", Store: db, Alarms: cw,
		Services: services{"default/web": true}}), nil)
	var ops []string
	for name := range h.Ops {
		ops = append(ops, name)
	}
	sort.Strings(ops)
	seeds := []string{
		`{"ServiceNamespace":"ecs","ResourceId":"service/default/web","ScalableDimension":"ecs:service:DesiredCount","MinCapacity":1,"MaxCapacity":3}`,
		`{"PolicyName":"p","ServiceNamespace":"ecs","ResourceId":"service/default/web","ScalableDimension":"ecs:service:DesiredCount","PolicyType":"TargetTrackingScaling","TargetTrackingScalingPolicyConfiguration":{"TargetValue":50,"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"}}}`,
		`{"PolicyName":"s","ServiceNamespace":"ecs","ResourceId":"service/default/web","ScalableDimension":"ecs:service:DesiredCount","StepScalingPolicyConfiguration":{"AdjustmentType":"PercentChangeInCapacity","MinAdjustmentMagnitude":2,"StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":50}]}}`,
		`{"ServiceNamespace":"ecs","ResourceId":"service/default/web","ScalableDimension":"ecs:service:DesiredCount","ScheduledActionName":"a","Schedule":"cron(0 8 ? * MON-FRI *)","Timezone":"Asia/Tokyo","StartTime":1.8e9,"ScalableTargetAction":{"MinCapacity":2}}`,
		`{"ServiceNamespace":"ecs","MaxResults":1,"NextToken":"x"}`, `[]`, `{"ResourceARN":"arn:aws:application-autoscaling:us-east-1:0:scalable-target/0a","Tags":{"k":"v"}}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		name := ops[int(op)%len(ops)]
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", TargetPrefix+"."+name)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q: %d %s", name, body, w.Code, w.Body)
		}
		if w.Code != 200 && !strings.Contains(w.Body.String(), `"__type"`) {
			t.Fatalf("%s %q: %d without an error shape: %s", name, body, w.Code, w.Body)
		}
	})
}
