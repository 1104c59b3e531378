package cli

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// TestStacksAndStackEvents creates a stack with the SDK, follows its events
// with `slipway stack-events -f` to the end and lists it with `slipway
// stacks`.
func TestStacksAndStackEvents(t *testing.T) {
	srv := startEmbedded(t, "")
	g := &globals{endpoint: srv.URL(), region: "us-east-1"}
	c, err := g.cfnClient(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	body := "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: app, RetentionInDays: 3}\n" +
		"  Role:\n    Type: AWS::IAM::Role\n    Properties: {AssumeRolePolicyDocument: {}}\n"
	if _, err := c.CreateStack(t.Context(), &awscfn.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(body),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}}); err != nil {
		t.Fatal(err)
	}
	out, _, code := runCLI(t, "--endpoint-url", srv.URL(), "stack-events", "app", "-f")
	if code != 0 || !strings.Contains(out, "Logs") || !strings.Contains(out, "AWS::Logs::LogGroup") ||
		!strings.HasSuffix(out, "stack app: CREATE_COMPLETE\n") {
		t.Errorf("stack-events -f:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.Contains(lines[1], "CREATE_IN_PROGRESS") || !strings.Contains(lines[1], "User Initiated") {
		t.Errorf("first event %q", lines[1])
	}
	out, _, code = runCLI(t, "--endpoint-url", srv.URL(), "stacks")
	if code != 0 || !strings.Contains(out, "app") || !strings.Contains(out, "CREATE_COMPLETE") {
		t.Errorf("stacks:\n%s", out)
	}
	_, stderr, code := runCLI(t, "--endpoint-url", srv.URL(), "stack-events", "nope")
	if code == 0 || !strings.Contains(stderr, "ValidationError: Stack with id nope does not exist") {
		t.Errorf("missing stack: %d %s", code, stderr)
	}
	// The SDK reads every shape the API sends.
	d, err := c.DescribeStacks(t.Context(), &awscfn.DescribeStacksInput{StackName: aws.String("app")})
	if err != nil || d.Stacks[0].StackStatus != cfntypes.StackStatusCreateComplete || d.Stacks[0].CreationTime == nil {
		t.Fatalf("describe %+v %v", d, err)
	}
	r, err := c.DescribeStackResource(t.Context(), &awscfn.DescribeStackResourceInput{StackName: aws.String("app"), LogicalResourceId: aws.String("Logs")})
	if err != nil || aws.ToString(r.StackResourceDetail.PhysicalResourceId) != "app" {
		t.Fatalf("resource %+v %v", r, err)
	}
	sum, err := c.GetTemplateSummary(t.Context(), &awscfn.GetTemplateSummaryInput{StackName: aws.String("app")})
	if err != nil || len(sum.ResourceTypes) != 2 || sum.Capabilities[0] != cfntypes.CapabilityCapabilityIam {
		t.Fatalf("summary %+v %v", sum, err)
	}
}

// TestStackNameOfID: `slipway stacks` names a nested stack's parent from
// its ParentId.
func TestStackNameOfID(t *testing.T) {
	if n := stackNameOfID("arn:aws:cloudformation:us-east-1:123456789012:stack/web/0da261a0-9e99-11e7-8210-503ac9e74cc5"); n != "web" {
		t.Errorf("name %q", n)
	}
	if n := stackNameOfID(""); n != "" {
		t.Errorf("name of no id %q", n)
	}
}
