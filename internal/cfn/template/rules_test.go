package template

import "testing"

func TestRules(t *testing.T) {
	tpl := mustParse(t, `
Parameters:
  Env: {Type: String, Default: test}
  Size: {Type: String, Default: small}
  Zones: {Type: CommaDelimitedList, Default: "a,b"}
Rules:
  ProdIsLarge:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: !Contains [[large, xlarge], !Ref Size]
        AssertDescription: For production, Size must be large or xlarge
  KnownZones:
    Assertions:
      - Assert: {"Fn::EachMemberIn": [!Ref Zones, [a, b, c]]}
      - Assert: !Not [{"Fn::EachMemberEquals": [!Ref Zones, z]}]
Resources:
  C: {Type: AWS::ECS::Cluster}
`)
	mustEval(t, tpl, nil)
	mustEval(t, tpl, map[string]string{"Env": "prod", "Size": "large"})
	_, err := NewEvaluator(tpl, Inputs{Parameters: map[string]string{"Env": "prod"}, Pseudo: testPseudo})
	wantErr(t, err, ErrParameters, "For production, Size must be large or xlarge")
	_, err = NewEvaluator(tpl, Inputs{Parameters: map[string]string{"Zones": "a,d"}, Pseudo: testPseudo})
	wantErr(t, err, ErrParameters, "Assertion of rule KnownZones failed")

	_, err = Parse([]byte(`
Rules:
  R:
    Assertions:
      - Assert: {"Fn::EachMemberIn": [{"Fn::ValueOfAll": ["AWS::EC2::Subnet::Id", VpcId]}, [vpc-1]]}
Resources:
  C: {Type: AWS::ECS::Cluster}
`))
	wantErr(t, err, ErrFormat, "Rules function Fn::ValueOfAll is not supported by Slipway")
}
