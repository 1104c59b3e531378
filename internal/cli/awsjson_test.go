package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/testutil"
	"github.com/slipway-dev/slipway/internal/testutil/awsmodel"
)

// Every field of the SDK shapes the CLI prints is named as its service
// model names the member.
func TestMemberNamesAreTheModels(t *testing.T) {
	for _, c := range []struct {
		service string
		names   memberNames
		roots   []any
	}{
		{"ecs", ecsMembers, []any{ecstypes.Service{}, ecstypes.Task{}, ecstypes.ContainerInstance{}, ecstypes.ServiceEvent{}}},
		{"elbv2", queryMembers, []any{elbtypes.LoadBalancer{}}},
		{"cloudformation", queryMembers, []any{cfntypes.Stack{}, cfntypes.StackEvent{}}},
	} {
		m := awsmodel.MustLoad(t, c.service)
		seen := map[reflect.Type]bool{}
		for _, root := range c.roots {
			checkNames(t, m, c.names, reflect.TypeOf(root), seen)
		}
	}
}

func checkNames(t *testing.T, m *awsmodel.Model, names memberNames, typ reflect.Type, seen map[reflect.Type]bool) {
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || typ == timeType || seen[typ] {
		return
	}
	seen[typ] = true
	shape := m.Shapes[typ.Name()]
	if shape == nil || shape.Type != "structure" {
		return // a shape newer than this model
	}
	wire := map[string]string{} // lower-cased name -> the model's
	for name := range shape.Members {
		wire[strings.ToLower(name)] = name
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, known := wire[strings.ToLower(f.Name)]
		if !known {
			continue // a member newer than this model
		}
		if names(f.Name) != name {
			t.Errorf("%s.%s prints as %q, the model names it %q", typ.Name(), f.Name, names(f.Name), name)
		}
		checkNames(t, m, names, f.Type, seen)
	}
}

func TestAWSJSONLeavesOutWhatWasNotSent(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC)
	got := awsJSON(ecstypes.Service{ServiceName: aws.String("web"), DesiredCount: 2, CreatedAt: &at,
		LoadBalancers: []ecstypes.LoadBalancer{}, Deployments: []ecstypes.Deployment{{RolloutState: ecstypes.DeploymentRolloutStateCompleted}}}, ecsMembers)
	b, _ := json.Marshal(got)
	want := fmt.Sprintf(`{"createdAt":%q,"deployments":[{"desiredCount":0,"failedTasks":0,"pendingCount":0,"rolloutState":"COMPLETED","runningCount":0}],`+
		`"desiredCount":2,"enableECSManagedTags":false,"enableExecuteCommand":false,"loadBalancers":[],"pendingCount":0,"runningCount":0,"serviceName":"web"}`,
		at.Local().Format(cliTimeFormat))
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

// awsCLI finds the AWS CLI of a major version ("1." or "2."): v1 here has
// the newer service models (so it prints every member), v2 the ISO 8601
// times the slipway CLI prints too. It skips without them, except in CI.
func awsCLI(t *testing.T, major string) string {
	t.Helper()
	candidates := []string{"/usr/bin/aws", "/usr/local/bin/aws"}
	if p, err := exec.LookPath("aws"); err == nil {
		candidates = append([]string{p}, candidates...)
	}
	for _, p := range candidates {
		out, err := exec.Command(p, "--version").CombinedOutput()
		if err == nil && strings.HasPrefix(string(out), "aws-cli/"+major) {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("the AWS CLI %sx is required in CI", major)
	}
	t.Skipf("no AWS CLI %sx", major)
	return ""
}

// runAWS runs the AWS CLI against url and decodes its JSON.
func runAWS(t *testing.T, cli, url string, args ...string) any {
	t.Helper()
	cmd := exec.Command(cli, append([]string{"--endpoint-url", url, "--output", "json", "--region", "us-east-1"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=slipway", "AWS_SECRET_ACCESS_KEY=slipway", "AWS_PAGER=",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

// keyPaths lists every member path of a decoded JSON value with its JSON
// type ("services[].createdAt string"), skipping the paths under skip.
func keyPaths(v any, prefix string, skip string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := prefix + "." + k
			if k == skip {
				continue
			}
			out[p+" "+jsonType(e)] = true
			keyPaths(e, p, skip, out)
		}
	case []any:
		for _, e := range x {
			keyPaths(e, prefix+"[]", skip, out)
		}
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "list"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// sameKeys compares our member paths with those the AWS CLI v1 prints
// (newer models: names only, its times are the wire's) and their JSON
// types with v2's where both print the member.
func sameKeys(t *testing.T, what string, ours, v1, v2 any) {
	t.Helper()
	a, b, c := map[string]bool{}, map[string]bool{}, map[string]bool{}
	keyPaths(ours, "", "slipwayAutoscaling", a)
	keyPaths(v1, "", "", b)
	keyPaths(v2, "", "", c)
	names := func(m map[string]bool) map[string]string {
		out := map[string]string{}
		for k := range m {
			path, typ, _ := strings.Cut(k, " ")
			out[path] = typ
		}
		return out
	}
	an, bn, cn := names(a), names(b), names(c)
	var extra, missing, types []string
	for p, typ := range an {
		if _, ok := bn[p]; !ok {
			extra = append(extra, p)
		}
		if typ2, ok := cn[p]; ok && typ2 != typ {
			types = append(types, fmt.Sprintf("%s %s (the AWS CLI v2: %s)", p, typ, typ2))
		}
	}
	for p := range bn {
		if _, ok := an[p]; !ok {
			missing = append(missing, p)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	sort.Strings(types)
	if len(extra)+len(missing)+len(types) > 0 || len(a) == 0 {
		t.Errorf("%s: not as the AWS CLI prints it:\nonly slipway's: %v\nonly the AWS CLI's: %v\ntypes: %v", what, extra, missing, types)
	}
}

func decodeOut(t *testing.T, out string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return v
}

// TestOutputJSONIsTheAWSCLIs runs each listing command with --output json
// beside the AWS CLI command that answers the same, on the same server,
// and compares every member path and its JSON type.
func TestOutputJSONIsTheAWSCLIs(t *testing.T) {
	v1, v2 := awsCLI(t, "1."), awsCLI(t, "2.")
	f := newFixture(t, true)
	url := f.srv.URL()
	both := func(args ...string) (any, any) {
		t.Helper()
		a, b := runAWS(t, v1, url, args...), runAWS(t, v2, url, args...)
		for _, v := range []any{a, b} {
			if m, ok := v.(map[string]any); ok {
				delete(m, "failures")
			}
		}
		return a, b
	}
	g := &globals{endpoint: url, region: "us-east-1"}
	cfn, err := g.cfnClient(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	body := "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: app, RetentionInDays: 3}\n" +
		"Outputs:\n  Group:\n    Value: !Ref Logs\n"
	if _, err := cfn.CreateStack(t.Context(), &awscfn.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(body),
		Tags: []cfntypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		d, err := cfn.DescribeStacks(t.Context(), &awscfn.DescribeStacksInput{StackName: aws.String("app")})
		if err != nil {
			return false, err.Error()
		}
		return d.Stacks[0].StackStatus == cfntypes.StackStatusCreateComplete, string(d.Stacks[0].StackStatus)
	})

	out, _, code := f.run("services", "--output", "json")
	if code != 0 {
		t.Fatalf("services: exit %d", code)
	}
	a, b := both("ecs", "describe-services", "--cluster", "default", "--services", "talk")
	sameKeys(t, "services", decodeOut(t, out), a, b)

	out, _, code = f.run("events", "talk", "--output", "json")
	if code != 0 {
		t.Fatalf("events: exit %d", code)
	}
	a, b = both("ecs", "describe-services", "--cluster", "default", "--services", "talk", "--query", "{events: services[0].events}")
	sameKeys(t, "events", decodeOut(t, out), a, b)

	out, _, code = f.run("tasks", "--output", "json")
	ours := decodeOut(t, out)
	var arns []string
	for _, task := range ours.(map[string]any)["tasks"].([]any) {
		arns = append(arns, task.(map[string]any)["taskArn"].(string))
	}
	if code != 0 || len(arns) == 0 {
		t.Fatalf("tasks: exit %d, %d tasks", code, len(arns))
	}
	a, b = both(append([]string{"ecs", "describe-tasks", "--cluster", "default", "--tasks"}, arns...)...)
	sameKeys(t, "tasks", ours, a, b)

	out, _, code = f.run("instances", "--output", "json")
	ours = decodeOut(t, out)
	var ids []string
	for _, ci := range ours.(map[string]any)["containerInstances"].([]any) {
		ids = append(ids, ci.(map[string]any)["containerInstanceArn"].(string))
	}
	if code != 0 || len(ids) == 0 {
		t.Fatalf("instances: exit %d", code)
	}
	a, b = both(append([]string{"ecs", "describe-container-instances", "--cluster", "default", "--container-instances"}, ids...)...)
	sameKeys(t, "instances", ours, a, b)

	out, _, code = f.run("load-balancers", "--output", "json")
	if code != 0 {
		t.Fatalf("load-balancers: exit %d", code)
	}
	a, b = both("elbv2", "describe-load-balancers")
	sameKeys(t, "load balancers", decodeOut(t, out), a, b)

	out, _, code = f.run("stacks", "--output", "json")
	if code != 0 {
		t.Fatalf("stacks: exit %d", code)
	}
	a, b = both("cloudformation", "describe-stacks")
	sameKeys(t, "stacks", decodeOut(t, out), a, b)

	out, _, code = f.run("stack-events", "app", "--output", "json")
	if code != 0 {
		t.Fatalf("stack-events: exit %d", code)
	}
	a, b = both("cloudformation", "describe-stack-events", "--stack-name", "app")
	sameKeys(t, "stack events", decodeOut(t, out), a, b)
}
