package model

import "testing"

func TestCircuitBreakerThreshold(t *testing.T) {
	count := &DeploymentCircuitBreaker{ThresholdConfiguration: &ThresholdConfiguration{Type: ThresholdCount, Value: 7}}
	unbounded := &DeploymentCircuitBreaker{ThresholdConfiguration: &ThresholdConfiguration{Type: ThresholdUnboundedPercent, Value: 50}}
	cases := []struct {
		cb      *DeploymentCircuitBreaker
		desired int
		want    int
	}{
		{nil, 1, 3}, {nil, 4, 3}, {nil, 10, 5}, {nil, 11, 6}, {nil, 1000, 200},
		{count, 1000, 7}, {unbounded, 1000, 500}, {unbounded, 1, 1},
	}
	for _, c := range cases {
		if got := c.cb.Threshold(c.desired); got != c.want {
			t.Errorf("Threshold(%v, %d) = %d, want %d", c.cb, c.desired, got, c.want)
		}
	}
	no := false
	if (&DeploymentCircuitBreaker{ResetOnHealthyTask: &no}).ResetsOnHealthyTask() || !(*DeploymentCircuitBreaker)(nil).ResetsOnHealthyTask() {
		t.Error("resetOnHealthyTask defaults to true and can be turned off")
	}
}
