package cloudformation

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/cfn/providers"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// testAPI is the CloudFormation API over a real engine, store and
// CloudWatch Logs operations layer, on 127.0.0.1.
type testAPI struct {
	url  string
	e    *stack.Engine
	logs *logsops.Service
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ls, err := logstore.Open(t.TempDir(), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logs := logsops.New(ls, logsops.Options{Region: "us-east-1", Account: "123456789012"})
	e := stack.New(stack.Options{Store: db, Region: "us-east-1", Account: "123456789012",
		Providers: map[string]stack.Provider{"AWS::Logs::LogGroup": providers.LogGroups{Ops: logs}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	rt := awsproto.NewRouter(nil, nil, nil)
	rt.HandleQuery(awsproto.QueryAPI{Version: Version, Namespace: Namespace, SigningName: SigningName}, New(e, nil))
	srv := httptest.NewServer(rt)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		ls.Close()
		db.Close()
	})
	return &testAPI{url: srv.URL, e: e, logs: logs}
}

const cliTemplate = `AWSTemplateFormatVersion: '2010-09-09'
Description: Logs for a service.
Parameters:
  ServiceName: {Type: String}
  Days: {Type: Number, Default: 7, AllowedValues: [1, 3, 5, 7, 14, 30]}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: [ecs-tasks.amazonaws.com]}, Action: ['sts:AssumeRole']}]}
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Ref ServiceName
      RetentionInDays: !Ref Days
Outputs:
  RoleArn:
    Value: !GetAtt Role.Arn
    Export: {Name: !Sub '${AWS::StackName}:RoleArn'}
`

// TestAWSCLI drives the API with the real AWS CLI: validate-template (a
// body and a --template-url), create-stack and its waiter, update-stack
// --use-previous-template, a change set created, described, executed and
// waited for, deploy, and delete-stack. It is
// skipped when aws is not installed, except in CI (CI=true).
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		testutil.RequireInCI(t, "the aws CLI")
		t.Skip("aws CLI not on PATH")
	}
	a := newTestAPI(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "logs.yml")
	if err := os.WriteFile(file, []byte(cliTemplate), 0o600); err != nil {
		t.Fatal(err)
	}
	aws := func(args ...string) (string, error) {
		cmd := awsCommand(a.url, append([]string{"--output", "json", "cloudformation"}, args...)...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if d := time.Since(start); d > 3*time.Second {
			t.Logf("aws cloudformation %s took %s", args[0], d)
		}
		return string(out), err
	}
	run := func(args ...string) map[string]any {
		t.Helper()
		out, err := aws(args...)
		if err != nil {
			t.Fatalf("aws cloudformation %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		var v map[string]any
		if strings.TrimSpace(out) != "" && strings.HasPrefix(strings.TrimSpace(out), "{") {
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("aws cloudformation %s: %v\n%s", args[0], err, out)
			}
		}
		return v
	}
	describe := func(name string) map[string]any {
		t.Helper()
		return run("describe-stacks", "--stack-name", name)["Stacks"].([]any)[0].(map[string]any)
	}
	retention := func(name string) int {
		t.Helper()
		out, err := a.logs.DescribeLogGroups(context.Background(), &logsops.DescribeLogGroupsInput{LogGroupNamePrefix: name})
		if err != nil || len(out.LogGroups) != 1 || out.LogGroups[0].RetentionInDays == nil {
			t.Fatalf("log group %s: %+v %v", name, out, err)
		}
		return *out.LogGroups[0].RetentionInDays
	}

	v := run("validate-template", "--template-body", "file://"+file)
	if v["Description"] != "Logs for a service." || len(v["Parameters"].([]any)) != 2 || v["Capabilities"].([]any)[0] != "CAPABILITY_IAM" {
		t.Errorf("validate-template %v", v)
	}
	// --template-url is passed through by the CLI and read by the server.
	if v := run("validate-template", "--template-url", "file://"+file); v["Description"] != "Logs for a service." {
		t.Errorf("validate-template --template-url %v", v)
	}
	// Without CAPABILITY_IAM the IAM role is refused, as CloudFormation refuses it.
	if out, err := aws("create-stack", "--stack-name", "logs", "--template-body", "file://"+file,
		"--parameters", "ParameterKey=ServiceName,ParameterValue=talk"); err == nil || !strings.Contains(out, "InsufficientCapabilitiesException") ||
		!strings.Contains(out, "Requires capabilities : [CAPABILITY_IAM]") {
		t.Errorf("create without capabilities: %v %s", err, out)
	}
	id := run("create-stack", "--stack-name", "logs", "--template-body", "file://"+file, "--capabilities", "CAPABILITY_IAM",
		"--parameters", "ParameterKey=ServiceName,ParameterValue=talk", "--tags", "Key=team,Value=web")["StackId"].(string)
	run("wait", "stack-create-complete", "--stack-name", "logs")
	s := describe("logs")
	if s["StackId"] != id || s["StackStatus"] != "CREATE_COMPLETE" || s["Outputs"].([]any)[0].(map[string]any)["ExportName"] != "logs:RoleArn" ||
		s["Tags"].([]any)[0].(map[string]any)["Value"] != "web" {
		t.Errorf("stack %v", s)
	}
	if retention("talk") != 7 {
		t.Errorf("retention %d", retention("talk"))
	}

	run("update-stack", "--stack-name", "logs", "--use-previous-template", "--capabilities", "CAPABILITY_IAM",
		"--parameters", "ParameterKey=ServiceName,UsePreviousValue=true", "ParameterKey=Days,ParameterValue=14")
	run("wait", "stack-update-complete", "--stack-name", "logs")
	if retention("talk") != 14 || describe("logs")["StackStatus"] != "UPDATE_COMPLETE" {
		t.Errorf("after update: %d %v", retention("talk"), describe("logs")["StackStatus"])
	}
	if out, err := aws("update-stack", "--stack-name", "logs", "--use-previous-template", "--capabilities", "CAPABILITY_IAM",
		"--parameters", "ParameterKey=ServiceName,UsePreviousValue=true", "ParameterKey=Days,UsePreviousValue=true"); err == nil ||
		!strings.Contains(out, "No updates are to be performed.") {
		t.Errorf("no-op update: %v %s", err, out)
	}

	run("create-change-set", "--stack-name", "logs", "--change-set-name", "thirty", "--use-previous-template",
		"--capabilities", "CAPABILITY_IAM", "--parameters", "ParameterKey=ServiceName,UsePreviousValue=true", "ParameterKey=Days,ParameterValue=30")
	run("wait", "change-set-create-complete", "--stack-name", "logs", "--change-set-name", "thirty")
	cs := run("describe-change-set", "--stack-name", "logs", "--change-set-name", "thirty", "--include-property-values")
	changes := cs["Changes"].([]any)
	rc := changes[0].(map[string]any)["ResourceChange"].(map[string]any)
	detail := rc["Details"].([]any)[0].(map[string]any)
	target := detail["Target"].(map[string]any)
	if len(changes) != 1 || rc["Action"] != "Modify" || rc["LogicalResourceId"] != "LogGroup" || rc["Replacement"] != "False" ||
		target["Name"] != "RetentionInDays" || target["BeforeValue"] != "14" || target["AfterValue"] != "30" ||
		detail["ChangeSource"] != "ParameterReference" || detail["CausingEntity"] != "Days" {
		t.Errorf("change set %v", cs)
	}
	run("execute-change-set", "--stack-name", "logs", "--change-set-name", "thirty")
	run("wait", "stack-update-complete", "--stack-name", "logs")
	if retention("talk") != 30 {
		t.Errorf("after change set: %d", retention("talk"))
	}

	// deploy makes a CREATE change set for a new stack, and none when nothing changes.
	run("deploy", "--stack-name", "logs2", "--template-file", file, "--capabilities", "CAPABILITY_IAM",
		"--parameter-overrides", "ServiceName=other")
	if describe("logs2")["StackStatus"] != "CREATE_COMPLETE" || retention("other") != 7 {
		t.Errorf("deploy: %v", describe("logs2"))
	}
	// (An update through deploy is the same change set path as above; each
	// deploy waits at least 30 s, the CLI's fixed polling delay.)
	if out, err := aws("deploy", "--stack-name", "logs2", "--template-file", file, "--capabilities", "CAPABILITY_IAM",
		"--no-fail-on-empty-changeset"); err != nil || !strings.Contains(out, "No changes to deploy") {
		t.Errorf("empty deploy: %v %s", err, out)
	}

	evs := run("describe-stack-events", "--stack-name", "logs")["StackEvents"].([]any)
	if last := evs[0].(map[string]any); last["ResourceStatus"] != "UPDATE_COMPLETE" || last["LogicalResourceId"] != "logs" {
		t.Errorf("newest event %v", last)
	}
	res := run("list-stack-resources", "--stack-name", "logs")["StackResourceSummaries"].([]any)
	if len(res) != 2 {
		t.Errorf("resources %v", res)
	}
	one := run("describe-stack-resource", "--stack-name", "logs", "--logical-resource-id", "LogGroup")["StackResourceDetail"].(map[string]any)
	if one["PhysicalResourceId"] != "talk" || one["ResourceType"] != "AWS::Logs::LogGroup" {
		t.Errorf("resource %v", one)
	}
	if byPhys := run("describe-stack-resources", "--physical-resource-id", "talk")["StackResources"].([]any); len(byPhys) != 1 {
		t.Errorf("by physical id %v", byPhys)
	}
	if body := run("get-template", "--stack-name", "logs")["TemplateBody"]; body != cliTemplate {
		t.Errorf("template %q", body)
	}
	if sum := run("get-template-summary", "--stack-name", "logs"); len(sum["ResourceTypes"].([]any)) != 2 {
		t.Errorf("summary %v", sum)
	}
	if x := run("list-exports")["Exports"].([]any); len(x) != 2 {
		t.Errorf("exports %v", x)
	}
	if out, err := aws("describe-stacks", "--stack-name", "missing"); err == nil || !strings.Contains(out, "ValidationError") ||
		!strings.Contains(out, "Stack with id missing does not exist") {
		t.Errorf("missing stack: %v %s", err, out)
	}

	// Retention changed outside the stack is drift.
	one14 := 14
	if err := a.logs.PutRetentionPolicy(context.Background(), &logsops.PutRetentionPolicyInput{LogGroupName: "talk", RetentionInDays: &one14}); err != nil {
		t.Fatal(err)
	}
	detection := run("detect-stack-drift", "--stack-name", "logs")["StackDriftDetectionId"].(string)
	st := run("describe-stack-drift-detection-status", "--stack-drift-detection-id", detection)
	if st["DetectionStatus"] != "DETECTION_COMPLETE" || st["StackDriftStatus"] != "DRIFTED" || st["DriftedStackResourceCount"] != 1.0 {
		t.Errorf("drift status %v", st)
	}
	drifts := run("describe-stack-resource-drifts", "--stack-name", "logs", "--stack-resource-drift-status-filters", "MODIFIED")["StackResourceDrifts"].([]any)
	if len(drifts) != 1 || drifts[0].(map[string]any)["PropertyDifferences"].([]any)[0].(map[string]any)["ActualValue"] != "14" {
		t.Errorf("resource drifts %v", drifts)
	}
	if s := describe("logs")["DriftInformation"].(map[string]any); s["StackDriftStatus"] != "DRIFTED" {
		t.Errorf("stack drift information %v", s)
	}

	run("delete-stack", "--stack-name", "logs2")
	run("delete-stack", "--stack-name", "logs")
	run("wait", "stack-delete-complete", "--stack-name", "logs")
	run("wait", "stack-delete-complete", "--stack-name", "logs2")
	if all := run("list-stacks", "--stack-status-filter", "DELETE_COMPLETE")["StackSummaries"].([]any); len(all) != 2 {
		t.Errorf("deleted stacks %v", all)
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		out, _ := a.logs.DescribeLogGroups(context.Background(), &logsops.DescribeLogGroupsInput{})
		return len(out.LogGroups) == 0, "log groups left"
	})
}
