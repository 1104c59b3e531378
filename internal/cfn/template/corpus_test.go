package template

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
)

// Every template of the corpus parses, passes the catalog checks and
// resolves with its defaults (and the parameters it has none for).
func TestCorpusParsesAndChecks(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*/*.yml")
	more, _ := filepath.Glob("testdata/corpus/*.*")
	files = append(files, more...)
	if len(files) < 4 {
		t.Fatalf("corpus has %d templates", len(files))
	}
	catalog := resourcetype.MustLoad()
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := Parse(body)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := tpl.Check(catalog); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// featureResolver stands for resources that all exist.
type featureResolver struct{}

func (featureResolver) Ref(id string) (any, bool) { return "phys-" + id, true }
func (featureResolver) GetAtt(id, attr string) (any, bool) {
	return "arn:" + id + ":" + attr, true
}

func featureEvaluator(t *testing.T, params map[string]string) *Evaluator {
	t.Helper()
	tpl, err := Parse(readTestdata(t, "corpus/features.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return mustEval(t, tpl, params)
}

func TestFeaturesShortForms(t *testing.T) {
	ev := featureEvaluator(t, map[string]string{"Image": "nginx:1.27"})
	if ev.Condition("IsProd") || !ev.Condition("IsDev") || ev.Condition("ManyTasks") || !ev.Condition("DevWithTwo") {
		t.Fatalf("conditions %v", ev.Conditions())
	}
	if ev.Active("ProdOnlyAlarm") {
		t.Fatal("the prod-only alarm exists in dev")
	}
	task, err := ev.Properties("Task", featureResolver{})
	if err != nil {
		t.Fatal(err)
	}
	c := task["ContainerDefinitions"].([]any)[0].(map[string]any)
	env := map[string]any{}
	for _, e := range c["Environment"].([]any) {
		m := e.(map[string]any)
		env[m["Name"].(string)] = m["Value"]
	}
	wantEqual(t, env, map[string]any{
		"LOG_GROUP": "phys-Logs", "LOG_ARN": "arn:Logs:Arn", "ZONE": "eu-central-1b",
		"SUBNETS": "subnet-1,subnet-2", "USERDATA": base64.StdEncoding.EncodeToString([]byte("echo hello")),
		"CIDRS": "10.0.0.0/24 10.0.1.0/24 10.0.2.0/24",
		"URL":   "https://eu-central-1.amazonaws.com/aws/123456789012",
	})
	wantEqual(t, c["PortMappings"], []any{map[string]any{"ContainerPort": "8080"}})
	wantEqual(t, c["Essential"], true)
	wantEqual(t, task["Cpu"], "256")
	md, err := ev.Resolve(ev.Template().Resources["Task"].Metadata, featureResolver{})
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, md, map[string]any{"Note": "literal ${NotAVariable} and eu-central-1"})

	logs, err := ev.Properties("Logs", featureResolver{})
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, logs, map[string]any{"LogGroupName": "/ecs/teststack/a", "RetentionInDays": json.Number("1")})
	cluster, _ := ev.Properties("Cluster", featureResolver{})
	wantEqual(t, cluster["Tags"], []any{map[string]any{"Key": "stack-id", "Value": testPseudo.StackID}})
	svc, _ := ev.Properties("Service", featureResolver{})
	wantEqual(t, svc["DesiredCount"], "2")

	outs, err := ev.Outputs(featureResolver{})
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, outs, []OutputValue{
		{Key: "ClusterArn", Value: "arn:Cluster:Arn", ExportName: "teststack:ClusterArn"},
		{Key: "Zones", Value: "eu-central-1a,eu-central-1b"},
		{Key: "Vpc", Value: "vpc-0123456789abcdef0", Description: "the VPC parameter"},
	})
	del, repl, err := ev.Policies("Logs")
	if err != nil || del != PolicyRetain || repl != PolicyRetain {
		t.Fatalf("policies %s %s %v", del, repl, err)
	}
	pv := ev.ParameterValues()
	if pv[len(pv)-1].Key != "Secret" || !pv[len(pv)-1].NoEcho || pv[0].Value != "dev" {
		t.Fatalf("parameter values %+v", pv)
	}
}

func TestFeaturesProd(t *testing.T) {
	ev := featureEvaluator(t, map[string]string{"Image": "nginx", "Env": "prod"})
	if !ev.Active("ProdOnlyAlarm") || !ev.Condition("ManyTasks") {
		t.Fatal("prod conditions")
	}
	alarm, err := ev.Properties("ProdOnlyAlarm", featureResolver{})
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, alarm["AlarmName"], "phys-Cluster-high")
	svc, _ := ev.Properties("Service", featureResolver{})
	wantEqual(t, svc["DesiredCount"], json.Number("5"))
	cluster, _ := ev.Properties("Cluster", featureResolver{})
	if tags := cluster["Tags"].([]any); len(tags) != 2 {
		t.Fatalf("tags %v", tags)
	}
	outs, _ := ev.Outputs(featureResolver{})
	if len(outs) != 4 || outs[1].Key != "AlarmName" {
		t.Fatalf("outputs %v", outs)
	}
	g, err := ev.Graph()
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, g.Levels(), [][]string{{"Cluster", "Logs"}, {"ProdOnlyAlarm", "Task"}, {"Service"}})
	wantEqual(t, g.DeletionLevels(), [][]string{{"ProdOnlyAlarm", "Service"}, {"Cluster", "Task"}, {"Logs"}})
}

func TestFeaturesParameterRules(t *testing.T) {
	tpl, err := Parse(readTestdata(t, "corpus/features.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{}, "Parameters: [Image] must have values"},
		{map[string]string{"Image": "x", "Nope": "1", "Zap": "2"}, "Parameters: [Nope, Zap] do not exist in the template"},
		{map[string]string{"Image": "x", "Env": "test"}, "Parameter 'Env' must be one of AllowedValues"},
		{map[string]string{"Image": "UPPER"}, "Parameter Image failed to satisfy constraint: must be an image reference in lower case"},
		{map[string]string{"Image": "x", "Count": "two"}, "Parameter 'Count' must be a number"},
		{map[string]string{"Image": "x", "Count": "0"}, "Parameter 'Count' must be a number not less than 1"},
		{map[string]string{"Image": "x", "Count": "11"}, "Parameter 'Count' must be a number not greater than 10"},
		{map[string]string{"Image": "x", "Ports": "80,http"}, "Parameter 'Ports' must be a number"},
		{map[string]string{"Image": "x", "Secret": "abc"}, "Parameter 'Secret' must contain at least 4 characters"},
		{map[string]string{"Image": "x", "Secret": strings.Repeat("a", 17)}, "Parameter 'Secret' must contain at most 16 characters"},
	} {
		_, err := NewEvaluator(tpl, Inputs{Parameters: tc.params, Pseudo: testPseudo})
		wantErr(t, err, ErrParameters, tc.want)
	}
	s := tpl.Summarize()
	if len(s.Parameters) != 8 || s.Parameters[0].ParameterKey != "Env" || *s.Parameters[0].DefaultValue != "dev" || !s.Parameters[7].NoEcho {
		t.Fatalf("summary parameters %+v", s.Parameters)
	}
	wantEqual(t, s.Parameters[0].AllowedValues, []string{"dev", "prod"})
	if s.Capabilities != nil || !strings.Contains(s.Metadata, "ParameterGroups") {
		t.Fatalf("summary %+v", s)
	}
	ids := tpl.ResourceIdentifierSummaries(resourcetype.MustLoad())
	wantEqual(t, ids[2], ResourceIdentifierSummary{ResourceType: "AWS::ECS::Service", LogicalResourceIds: []string{"Service"}, ResourceIdentifiers: []string{"ServiceArn", "Cluster"}})
	wantEqual(t, s.ResourceTypes, []string{"AWS::CloudWatch::Alarm", "AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::ECS::TaskDefinition", "AWS::Logs::LogGroup"})
}

func TestFeaturesLanguageExtensions(t *testing.T) {
	tpl, err := Parse(readTestdata(t, "corpus/features.json"))
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Format != FormatJSON {
		t.Fatalf("format %s", tpl.Format)
	}
	s := tpl.Summarize()
	wantEqual(t, s.Capabilities, []string{CapabilityAutoExpand})
	wantEqual(t, s.DeclaredTransforms, []string{TransformLanguageExtensions})
	ev := mustEval(t, tpl, nil)
	group, err := ev.Properties("Group", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, group, map[string]any{"LogGroupName": "tags-3", "RetentionInDays": json.Number("3")})
	del, _, err := ev.Policies("Group")
	if err != nil || del != PolicyRetain {
		t.Fatalf("deletion policy %q %v", del, err)
	}
	alarm, err := ev.Properties("Alarm", featureResolver{})
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, alarm["AlarmDescription"], `{"group":"phys-Group","tags":["a","b","c"]}`)
	wantEqual(t, alarm["EvaluationPeriods"], json.Number("1"))
	// In a change set, before the group exists, the JSON string is unknown.
	preview, err := ev.PreviewProperties("Alarm", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, preview["AlarmDescription"], KnownAfterApply)
	wantEqual(t, preview["AlarmName"], KnownAfterApply)
}
