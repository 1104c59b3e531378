package elbv2

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestAWSCLI drives the API with the real AWS CLI. It is skipped when aws
// is not installed, except in CI (CI=true), where it must run.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is required in CI")
		}
		t.Skip("aws CLI not on PATH")
	}
	a := newTestAPI(t)
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"--endpoint-url", a.url, "--output", "json", "elbv2"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws elbv2 %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		var v map[string]any
		if len(out) > 0 {
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("aws elbv2 %s: %v\n%s", args[0], err, out)
			}
		}
		return v
	}
	first := func(v map[string]any, list, field string) string {
		return v[list].([]any)[0].(map[string]any)[field].(string)
	}
	tg := first(run("create-target-group", "--name", "talk", "--protocol", "HTTP", "--port", "8080",
		"--vpc-id", "vpc-1", "--health-check-path", "/health"), "TargetGroups", "TargetGroupArn")
	lbARN := first(run("create-load-balancer", "--name", "web", "--subnets", "subnet-a", "subnet-b"), "LoadBalancers", "LoadBalancerArn")
	listener := first(run("create-listener", "--load-balancer-arn", lbARN, "--protocol", "HTTP", "--port", "8000",
		"--default-actions", "Type=forward,TargetGroupArn="+tg), "Listeners", "ListenerArn")
	run("create-rule", "--listener-arn", listener, "--priority", "10",
		"--conditions", `[{"Field":"path-pattern","PathPatternConfig":{"Values":["/api/*"]}}]`,
		"--actions", `[{"Type":"forward","ForwardConfig":{"TargetGroups":[{"TargetGroupArn":"`+tg+`","Weight":3}]}}]`)
	run("register-targets", "--target-group-arn", tg, "--targets", "Id=i-1", "Id=i-2,Port=8081")
	run("modify-target-group-attributes", "--target-group-arn", tg, "--attributes", "Key=deregistration_delay.timeout_seconds,Value=10")
	health := run("describe-target-health", "--target-group-arn", tg)["TargetHealthDescriptions"].([]any)
	if len(health) != 2 {
		t.Fatalf("health = %v", health)
	}
	rules := run("describe-rules", "--listener-arn", listener)["Rules"].([]any)
	if len(rules) != 2 || rules[1].(map[string]any)["Priority"] != "default" {
		t.Fatalf("rules = %v", rules)
	}
	attrs := run("describe-target-group-attributes", "--target-group-arn", tg)["Attributes"].([]any)
	found := false
	for _, a := range attrs {
		m := a.(map[string]any)
		found = found || m["Key"] == "deregistration_delay.timeout_seconds" && m["Value"] == "10"
	}
	if !found {
		t.Fatalf("attributes = %v", attrs)
	}
	// Errors come back with ELB's code, which the CLI prints.
	cmd := exec.Command("aws", "--endpoint-url", a.url, "elbv2", "describe-target-groups", "--names", "missing")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "TargetGroupNotFound") {
		t.Fatalf("describe missing: %v %s", err, out)
	}
	run("delete-listener", "--listener-arn", listener)
	run("delete-load-balancer", "--load-balancer-arn", lbARN)
	run("delete-target-group", "--target-group-arn", tg)
}
