package cloudformation

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// nestedTemplates are the engine's test templates (internal/cfn/stack/
// testdata/nested): parent.yaml nests child.yaml, whose log group is
// STACK-app, and outputs its ARN as ChildArn. It returns the child's
// file:// URL and the parent's path.
func nestedTemplates(t *testing.T) (childURL, parentPath string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "cfn", "stack", "testdata", "nested"))
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.Join(dir, "child.yaml"), filepath.Join(dir, "parent.yaml")
}

func (a *testAPI) retention(t *testing.T, name string) int {
	t.Helper()
	out, err := a.logs.DescribeLogGroups(context.Background(), &logsops.DescribeLogGroupsInput{LogGroupNamePrefix: name})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range out.LogGroups {
		if g.LogGroupName == name && g.RetentionInDays != nil {
			return *g.RetentionInDays
		}
	}
	t.Fatalf("no log group %s with a retention: %+v", name, out)
	return 0
}

// TestNestedStackSDK: with aws-sdk-go-v2, a parent whose child template is
// a file:// URL is created, updated (the child with it) and deleted; the
// child shows in DescribeStacks and ListStacks with ParentId and RootId, its
// output reaches the parent through Fn::GetAtt, a child that fails rolls the
// parent back, and the child cannot be deleted on its own.
func TestNestedStackSDK(t *testing.T) {
	a := newTestAPI(t)
	ctx := context.Background()
	c := cfn.New(cfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(a.url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""), HTTPClient: testutil.SDKHTTPClient()})
	url, parentPath := nestedTemplates(t)
	body, err := os.ReadFile(parentPath)
	if err != nil {
		t.Fatal(err)
	}
	param := func(k, v string) types.Parameter {
		return types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)}
	}
	wait := func(name string) types.Stack {
		t.Helper()
		var s types.Stack
		testutil.Eventually(t, 10*time.Second, func() (bool, string) {
			out, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)})
			if err != nil {
				return false, err.Error()
			}
			s = out.Stacks[0]
			return !strings.HasSuffix(string(s.StackStatus), "_IN_PROGRESS"), string(s.StackStatus)
		})
		return s
	}
	out, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(string(body)),
		Parameters: []types.Parameter{param("URL", url)}})
	if err != nil {
		t.Fatal(err)
	}
	parentID := aws.ToString(out.StackId)
	s := wait("app")
	arn := ""
	for _, o := range s.Outputs {
		if aws.ToString(o.OutputKey) == "ChildArn" {
			arn = aws.ToString(o.OutputValue)
		}
	}
	if s.StackStatus != types.StackStatusCreateComplete || !strings.Contains(arn, ":log-group:app-app") {
		t.Fatalf("parent %s %s outputs %+v", s.StackStatus, aws.ToString(s.StackStatusReason), s.Outputs)
	}
	res, err := c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("app"), LogicalResourceId: aws.String("Logs")})
	if err != nil {
		t.Fatal(err)
	}
	childID := aws.ToString(res.StackResourceDetail.PhysicalResourceId)
	child := wait(childID)
	if aws.ToString(child.ParentId) != parentID || aws.ToString(child.RootId) != parentID || !strings.HasPrefix(aws.ToString(child.StackName), "app-Logs-") {
		t.Errorf("child %s parent %s root %s", aws.ToString(child.StackName), aws.ToString(child.ParentId), aws.ToString(child.RootId))
	}
	list, err := c.ListStacks(ctx, &cfn.ListStacksInput{})
	if err != nil || len(list.StackSummaries) != 2 {
		t.Fatalf("list %+v %v", list, err)
	}
	for _, sum := range list.StackSummaries {
		if aws.ToString(sum.StackId) == childID && aws.ToString(sum.ParentId) != parentID {
			t.Errorf("child summary %+v", sum)
		}
	}
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String(childID)}); err == nil || !strings.Contains(err.Error(), "is a nested stack") {
		t.Errorf("delete of the child: %v", err)
	}

	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []types.Parameter{{ParameterKey: aws.String("URL"), UsePreviousValue: aws.Bool(true)}, param("Days", "30")}}); err != nil {
		t.Fatal(err)
	}
	if s := wait("app"); s.StackStatus != types.StackStatusUpdateComplete || a.retention(t, "app-app") != 30 {
		t.Errorf("after update: %s, retention %d", s.StackStatus, a.retention(t, "app-app"))
	}
	// Days 2 is refused by CloudWatch Logs: the child fails, the parent rolls back.
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []types.Parameter{{ParameterKey: aws.String("URL"), UsePreviousValue: aws.Bool(true)}, param("Days", "2")}}); err != nil {
		t.Fatal(err)
	}
	if s := wait("app"); s.StackStatus != types.StackStatusUpdateRollbackComplete || a.retention(t, "app-app") != 30 {
		t.Errorf("after failed update: %s, retention %d", s.StackStatus, a.retention(t, "app-app"))
	}
	evs, err := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs.StackEvents {
		found = found || aws.ToString(e.LogicalResourceId) == "Logs" && e.ResourceStatus == types.ResourceStatusUpdateFailed &&
			strings.HasPrefix(aws.ToString(e.ResourceStatusReason), "Embedded stack "+childID+" was not successfully updated.")
	}
	if !found {
		t.Errorf("no UPDATE_FAILED event of Logs with the embedded stack's reason")
	}

	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if s := wait(parentID); s.StackStatus != types.StackStatusDeleteComplete {
		t.Errorf("parent after delete: %s", s.StackStatus)
	}
	if s := wait(childID); s.StackStatus != types.StackStatusDeleteComplete {
		t.Errorf("child after delete: %s", s.StackStatus)
	}
}

// TestNestedStackCLI: the AWS CLI's create-stack, update-stack and
// delete-stack with their waiters on a parent with a file:// child
// template; the child's output reaches the parent, and a child that fails
// to create rolls the parent back.
func TestNestedStackCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		testutil.RequireInCI(t, "the aws CLI")
		t.Skip("aws CLI not on PATH")
	}
	a := newTestAPI(t)
	url, parent := nestedTemplates(t)
	run := func(args ...string) string {
		t.Helper()
		cmd := awsCommand(a.url, append([]string{"cloudformation"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws cloudformation %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("create-stack", "--stack-name", "app", "--template-body", "file://"+parent, "--parameters", "ParameterKey=URL,ParameterValue="+url)
	run("wait", "stack-create-complete", "--stack-name", "app")
	if v := run("describe-stacks", "--stack-name", "app", "--query", "Stacks[0].Outputs[?OutputKey=='ChildArn'].OutputValue", "--output", "text"); !strings.Contains(v, ":log-group:app-app") {
		t.Errorf("output %q", v)
	}
	run("update-stack", "--stack-name", "app", "--use-previous-template", "--parameters", "ParameterKey=URL,UsePreviousValue=true", "ParameterKey=Days,ParameterValue=14")
	run("wait", "stack-update-complete", "--stack-name", "app")
	if r := a.retention(t, "app-app"); r != 14 {
		t.Errorf("retention after update %d", r)
	}
	run("delete-stack", "--stack-name", "app")
	run("wait", "stack-delete-complete", "--stack-name", "app")
	if n := run("list-stacks", "--stack-status-filter", "DELETE_COMPLETE", "--query", "length(StackSummaries)", "--output", "text"); n != "2" {
		t.Errorf("deleted stacks %s, want the parent and its child", n)
	}

	run("create-stack", "--stack-name", "bad", "--template-body", "file://"+parent, "--parameters", "ParameterKey=URL,ParameterValue="+url, "ParameterKey=Days,ParameterValue=2")
	cmd := awsCommand(a.url, "cloudformation", "wait", "stack-create-complete", "--stack-name", "bad")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "ROLLBACK_COMPLETE") {
		t.Errorf("wait on a failing parent: %v %s", err, out)
	}
	reason := run("describe-stack-events", "--stack-name", "bad", "--query", "StackEvents[?LogicalResourceId=='Logs' && ResourceStatus=='CREATE_FAILED'].ResourceStatusReason", "--output", "text")
	if !strings.Contains(reason, "was not successfully created: The following resource(s) failed to create: [Group].") {
		t.Errorf("reason %q", reason)
	}
}

// awsCommand is the AWS CLI against the test server.
func awsCommand(url string, args ...string) *exec.Cmd {
	cmd := exec.Command("aws", append([]string{"--endpoint-url", url}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	return cmd
}
