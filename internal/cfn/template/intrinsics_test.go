package template

import (
	"encoding/json"
	"testing"
)

// exprTemplate is a template whose output X is the expression under test.
const exprTemplate = `
Parameters:
  Env: {Type: String, Default: dev}
  Nums: {Type: List<Number>, Default: "1,2,3"}
  Empty: {Type: CommaDelimitedList, Default: ""}
  Attr: {Type: String, Default: Arn}
Mappings:
  M:
    dev: {Size: small, Zones: [a, b]}
    "80": {Port: http}
Conditions:
  IsDev: !Equals [!Ref Env, dev]
Resources:
  R: {Type: AWS::ECS::Cluster}
Outputs:
  X:
    Value: %s
`

func evalExpr(t *testing.T, expr string, r Resolver) (any, error) {
	t.Helper()
	tpl, err := Parse([]byte(sprintf(exprTemplate, expr)))
	if err != nil {
		return nil, err
	}
	ev, err := NewEvaluator(tpl, Inputs{Pseudo: testPseudo, Exports: exportMap{"net:Vpc": "vpc-1"}})
	if err != nil {
		return nil, err
	}
	return ev.Resolve(tpl.Outputs["X"].Value, r)
}

func TestIntrinsicFunctions(t *testing.T) {
	res := mapResolver{refs: map[string]any{"R": "cluster-r"}, atts: map[string]any{"R.Arn": "arn:r"}}
	for _, tc := range []struct {
		expr string
		want any
	}{
		{`!Ref Env`, "dev"},
		{`!Ref Nums`, []any{"1", "2", "3"}},
		{`!Ref Empty`, []any{}},
		{`!Ref R`, "cluster-r"},
		{`!GetAtt R.Arn`, "arn:r"},
		{`{"Fn::GetAtt": ["R", {"Ref": "Attr"}]}`, "arn:r"},
		{`!Sub "${R}/${R.Arn}/${Env}/${AWS::AccountId}"`, "cluster-r/arn:r/dev/123456789012"},
		{`!Sub ["${A}-${B}", {A: !Ref Env, B: 8080}]`, "dev-8080"},
		{`!Sub "${!Env} ${ Env } $${Env} ${unclosed"`, "${Env} dev $dev ${unclosed"},
		{`!Sub ["${Env}", {Env: shadowed}]`, "shadowed"},
		{`!Join ["", [a, 1, true]]`, "a1true"},
		{`!Join [",", !Ref Nums]`, "1,2,3"},
		{`!Join ["-", [a, !If [IsDev, !Ref AWS::NoValue, b], c]]`, "a-c"},
		{`!Select ["1", !Ref Nums]`, "2"},
		{`!Select [0, !Split [",", "x,y"]]`, "x"},
		{`!Split ["|", "a||b"]`, []any{"a", "", "b"}},
		{`!If [IsDev, yes, no]`, "yes"},
		{`!FindInMap [M, !Ref Env, Size]`, "small"},
		{`!FindInMap [M, 80, Port]`, "http"},
		{`!FindInMap [M, dev, Zones]`, []any{"a", "b"}},
		{`!ImportValue "net:Vpc"`, "vpc-1"},
		{`!GetAZs ""`, []any{"eu-central-1a", "eu-central-1b", "eu-central-1c"}},
		{`!GetAZs us-east-1`, []any{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{`!Base64 "a"`, "YQ=="},
		{`!Cidr ["192.168.0.0/24", 2, 6]`, []any{"192.168.0.0/26", "192.168.0.64/26"}},
		{`!Cidr ["10.1.2.3/16", "1", "8"]`, []any{"10.1.0.0/24"}},
		{`!Cidr ["2001:db8::/56", 2, 64]`, []any{"2001:db8::/64", "2001:db8:0:1::/64"}},
		{`!Ref AWS::NotificationARNs`, []any{}},
		{`!Ref AWS::NoValue`, nil},
		{`{"Fn::Equals": [80, "80"]}`, true},
		{`{"Key": {"Ref": "AWS::NoValue"}, "Keep": 1}`, map[string]any{"Keep": json.Number("1")}},
	} {
		got, err := evalExpr(t, tc.expr, res)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if !equalJSON(got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.expr, got, tc.want)
		}
	}
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestIntrinsicFunctionErrors(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		class error
		want  string
	}{
		{`!Select [5, !Ref Nums]`, ErrTemplate, "Template error: Fn::Select  cannot select nonexistent value at index 5"},
		{`!Select [x, !Ref Nums]`, ErrTemplate, "Fn::Select requires an integer index"},
		{`!Join [",", "notalist"]`, ErrTemplate, "Template error: every Fn::Join object requires two parameters"},
		{`!Join [",", [[nested]]]`, ErrTemplate, "Template error: every Fn::Join object requires two parameters"},
		{`!Split [",", [a]]`, ErrTemplate, "Template error: every Fn::Split argument must be a string"},
		{`!FindInMap [M, prod, Size]`, ErrTemplate, "Template error: Unable to get mapping for M::prod::Size"},
		{`!ImportValue "net:Nope"`, ErrImport, "No export named net:Nope found."},
		{`!Sub ["${A}", {A: [1, 2]}]`, ErrTemplate, "Template error: variable A in Fn::Sub expression does not resolve to a string"},
		{`!Sub [1, 2]`, ErrTemplate, "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments."},
		{`!Cidr ["10.0.0.0/30", 8, 1]`, ErrTemplate, "Fn::Cidr: 10.0.0.0/30 holds only 2 subnets of /31, not 8"},
		{`!Cidr ["10.0.0.0/16", 300, 8]`, ErrTemplate, "Template error: every Fn::Cidr object requires three parameters"},
		{`!GetAtt R`, ErrTemplate, "Template error: every Fn::GetAtt object requires two non-empty parameters"},
		{`!Ref [a]`, ErrTemplate, "Template error: every Ref object must have a single String value."},
		{`!If [IsDev, a]`, ErrTemplate, "Template error: Fn::If requires a list argument with three elements"},
		{`{"Fn::Bogus": 1}`, ErrTemplate, "Template error: Encountered unsupported function: Fn::Bogus"},
	} {
		_, err := evalExpr(t, tc.expr, mapResolver{})
		wantErr(t, err, tc.class, tc.want)
	}
}

// A resource that exists only under a condition cannot be referred to by
// one that always exists, when the condition is false: CloudFormation refuses
// the stack with "Unresolved resource dependencies".
func TestReferenceToInactiveResource(t *testing.T) {
	tpl := mustParse(t, `
Parameters:
  Deploy: {Type: String, Default: "false"}
Conditions:
  On: !Equals [!Ref Deploy, "true"]
Resources:
  Analytics: {Type: AWS::ECS::Cluster, Condition: On}
  Always:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Ref Analytics
  Guarded:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !If [On, !Ref Analytics, none]
`)
	_, err := NewEvaluator(tpl, Inputs{Pseudo: testPseudo})
	wantErr(t, err, ErrFormat, "Template format error: Unresolved resource dependencies [Analytics] in the Resources block of the template")
	ev := mustEval(t, tpl, map[string]string{"Deploy": "true"})
	g, err := ev.Graph()
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, g.Levels(), [][]string{{"Analytics"}, {"Always", "Guarded"}})
}

// Without the language extensions the conditions' Fn::If pruning still
// keeps the graph to the branch taken.
func TestGraphFollowsChosenBranch(t *testing.T) {
	tpl := mustParse(t, `
Parameters:
  UseA: {Type: String, Default: "no"}
Conditions:
  A: !Equals [!Ref UseA, "yes"]
Resources:
  First: {Type: AWS::ECS::Cluster}
  Second: {Type: AWS::ECS::Cluster}
  User:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !If [A, !Ref First, !Ref Second]
`)
	g, _ := mustEval(t, tpl, nil).Graph()
	wantEqual(t, g.Deps["User"], []string{"Second"})
	static, _ := tpl.StaticGraph()
	wantEqual(t, static.Deps["User"], []string{"First", "Second"})
}

type ssmMap map[string]string

func (s ssmMap) SSMParameter(name string) (string, bool) { v, ok := s[name]; return v, ok }

func TestSSMParameters(t *testing.T) {
	tpl := mustParse(t, `
Parameters:
  Image: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/image}
  Zones: {Type: "AWS::SSM::Parameter::Value<List<String>>", Default: /app/zones}
Resources:
  R: {Type: AWS::ECS::Cluster, Properties: {ClusterName: !Ref Image, Tags: !Ref Zones}}
`)
	_, err := NewEvaluator(tpl, Inputs{Pseudo: testPseudo})
	wantErr(t, err, ErrParameters, "Unable to fetch parameters [/app/image] from parameter store for this account.")
	ev, err := NewEvaluator(tpl, Inputs{Pseudo: testPseudo, SSM: ssmMap{"/app/image": "nginx:1", "/app/zones": "a,b"}})
	if err != nil {
		t.Fatal(err)
	}
	props, _ := ev.Properties("R", nil)
	wantEqual(t, props, map[string]any{"ClusterName": "nginx:1", "Tags": []any{"a", "b"}})
	pv := ev.ParameterValues()
	if pv[0].Value != "/app/image" || pv[0].ResolvedValue != "nginx:1" {
		t.Fatalf("parameter value %+v", pv[0])
	}
}

func TestCapabilities(t *testing.T) {
	tpl := mustParse(t, `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties: {RoleName: app, AssumeRolePolicyDocument: {}}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties: {Roles: [!Ref Role]}
`)
	s := tpl.Summarize()
	wantEqual(t, s.Capabilities, []string{CapabilityNamedIAM})
	wantEqual(t, s.CapabilitiesReason, "The following resource(s) require capabilities: [AWS::IAM::InstanceProfile, AWS::IAM::Role]")
	err := RequireCapabilities(s.Capabilities, []string{CapabilityIAM})
	wantErr(t, err, ErrCapabilities, "Requires capabilities : [CAPABILITY_NAMED_IAM]")
	if e, _ := asAWS(err); e.Code != CodeInsufficientCapabilities {
		t.Fatalf("code %s", e.Code)
	}
	if err := RequireCapabilities([]string{CapabilityIAM}, []string{CapabilityNamedIAM}); err != nil {
		t.Fatal(err)
	}
	if err := RequireCapabilities(nil, nil); err != nil {
		t.Fatal(err)
	}
}
