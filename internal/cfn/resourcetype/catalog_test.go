package resourcetype

import (
	"errors"
	"os/exec"
	"testing"

	"github.com/slipway-dev/slipway/internal/cfn/template"
	"github.com/slipway-dev/slipway/internal/testutil"
)

var (
	_ template.TypeCatalog       = (*Catalog)(nil)
	_ template.IdentifierCatalog = (*Catalog)(nil)
)

// The embedded table is what generate.py makes from the registry schemas
// cfn-lint ships: the schemas are the source of truth.
func TestTableMatchesRegistrySchemas(t *testing.T) {
	if err := exec.Command("python3", "-c", "import cfnlint").Run(); err != nil {
		testutil.RequireInCI(t, "python3 with cfn-lint")
	}
	out, err := exec.Command("python3", "generate.py", "--check").CombinedOutput()
	if err != nil {
		t.Fatalf("generate.py --check: %v\n%s", err, out)
	}
}

// Issue 10 lists the types Slipway runs and records; the table has exactly
// those (and nested stacks), and the task set types of EXTERNAL services.
func TestTableHasIssueTypes(t *testing.T) {
	c := MustLoad()
	want := map[string]Kind{
		"AWS::ECS::Cluster": Real, "AWS::ECS::TaskDefinition": Real, "AWS::ECS::Service": Real,
		"AWS::ECS::TaskSet": Real, "AWS::ECS::PrimaryTaskSet": Real,
		"AWS::ElasticLoadBalancingV2::LoadBalancer": Real, "AWS::ElasticLoadBalancingV2::TargetGroup": Real,
		"AWS::ElasticLoadBalancingV2::Listener": Real, "AWS::ElasticLoadBalancingV2::ListenerRule": Real,
		"AWS::Logs::LogGroup": Real, "AWS::CloudWatch::Alarm": Real,
		"AWS::ApplicationAutoScaling::ScalableTarget": Real, "AWS::ApplicationAutoScaling::ScalingPolicy": Real,
		"AWS::EC2::VPC": Recorded, "AWS::EC2::Subnet": Recorded, "AWS::EC2::InternetGateway": Recorded,
		"AWS::EC2::VPCGatewayAttachment": Recorded, "AWS::EC2::RouteTable": Recorded, "AWS::EC2::Route": Recorded,
		"AWS::EC2::SubnetRouteTableAssociation": Recorded, "AWS::EC2::SecurityGroup": Recorded,
		"AWS::EC2::SecurityGroupIngress": Recorded, "AWS::IAM::Role": Recorded, "AWS::IAM::Policy": Recorded,
		"AWS::IAM::InstanceProfile": Recorded, "AWS::ECR::Repository": Recorded,
		"AWS::Route53::HostedZone": Recorded, "AWS::Route53::RecordSet": Recorded,
		"AWS::Route53::RecordSetGroup": Recorded, "AWS::CloudFormation::Stack": Nested,
	}
	if got := len(c.Names()); got != len(want) {
		t.Errorf("table has %d types, want %d", got, len(want))
	}
	for name, kind := range want {
		typ := c.Lookup(name)
		if typ == nil || typ.Kind != kind {
			t.Errorf("%s: %+v, want kind %s", name, typ, kind)
			continue
		}
		if kind == Recorded && recorders[name] == nil {
			t.Errorf("%s has no recorder", name)
		}
	}
	if c.Known("AWS::S3::Bucket") {
		t.Error("AWS::S3::Bucket is known")
	}
}

// Facts from the CloudFormation resource reference that the engine relies on.
func TestUpdateBehaviours(t *testing.T) {
	c := MustLoad()
	for _, tc := range []struct {
		typ, prop string
		want      Update
	}{
		{"AWS::ECS::Service", "DesiredCount", NoInterruption},
		{"AWS::ECS::Service", "TaskDefinition", NoInterruption},
		{"AWS::ECS::Service", "ServiceName", Replacement},
		{"AWS::ECS::Service", "Cluster", Replacement},
		{"AWS::ECS::Service", "LaunchType", Conditional},
		{"AWS::ECS::TaskDefinition", "ContainerDefinitions", Replacement},
		{"AWS::ECS::TaskDefinition", "Tags", NoInterruption},
		{"AWS::ElasticLoadBalancingV2::TargetGroup", "HealthCheckPath", NoInterruption},
		{"AWS::ElasticLoadBalancingV2::TargetGroup", "Port", Replacement},
		{"AWS::ElasticLoadBalancingV2::ListenerRule", "ListenerArn", Replacement},
		{"AWS::ElasticLoadBalancingV2::ListenerRule", "Priority", NoInterruption},
		{"AWS::Logs::LogGroup", "RetentionInDays", NoInterruption},
		{"AWS::EC2::VPC", "CidrBlock", Replacement},
		{"AWS::EC2::VPC", "InstanceTenancy", Conditional},
		{"AWS::IAM::Role", "RoleName", Replacement},
		{"AWS::ECS::Service", "NoSuchProperty", Replacement},
	} {
		if got := c.Lookup(tc.typ).UpdateOf(tc.prop); got != tc.want {
			t.Errorf("%s.%s: %s, want %s", tc.typ, tc.prop, got, tc.want)
		}
	}
}

func TestAttributesAndRefs(t *testing.T) {
	c := MustLoad()
	for _, tc := range []struct {
		typ, attr string
		want      bool
	}{
		{"AWS::ElasticLoadBalancingV2::LoadBalancer", "DNSName", true},
		{"AWS::ElasticLoadBalancingV2::LoadBalancer", "CanonicalHostedZoneID", true},
		{"AWS::ElasticLoadBalancingV2::LoadBalancer", "SecurityGroups", true},
		{"AWS::ECS::Service", "Name", true},
		{"AWS::ECS::Service", "DesiredCount", false},
		{"AWS::ECS::Cluster", "Arn", true},
		{"AWS::IAM::Role", "Arn", true},
		{"AWS::ECR::Repository", "RepositoryUri", true},
		{"AWS::EC2::VPC", "CidrBlock", true},
		{"AWS::EC2::VPC", "DefaultSecurityGroup", true},
		{"AWS::CloudFormation::Stack", "Outputs.VpcId", true},
		{"AWS::CloudFormation::Stack", "Outputs.", false},
		{"AWS::Nope::Nope", "Arn", false},
	} {
		if got := c.HasAttribute(tc.typ, tc.attr); got != tc.want {
			t.Errorf("HasAttribute(%s, %s) = %v", tc.typ, tc.attr, got)
		}
	}
	if ref := c.Lookup("AWS::ECS::Service").Ref; ref != "ServiceArn" {
		t.Errorf("ECS service Ref is %s", ref)
	}
	req := c.Lookup("AWS::ElasticLoadBalancingV2::Listener").RequiredProperties()
	if len(req) != 2 || req[0] != "DefaultActions" || req[1] != "LoadBalancerArn" {
		t.Errorf("listener required %v", req)
	}
}

func TestCheckProperties(t *testing.T) {
	typ := MustLoad().Lookup("AWS::ElasticLoadBalancingV2::Listener")
	err := typ.CheckProperties("PublicListener", map[string]any{"Port": 80, "Bogus": 1})
	var pe *PropertiesError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPropertiesInvalid) {
		t.Fatalf("err %v", err)
	}
	want := "Properties validation failed for resource PublicListener with message: #: required key [DefaultActions] not found, #: required key [LoadBalancerArn] not found, #: extraneous key [Bogus] is not permitted"
	if err.Error() != want {
		t.Fatalf("got  %s\nwant %s", err, want)
	}
}

// A template that uses a type Slipway does not accept is refused as
// CloudFormation refuses unknown types.
func TestTemplateCheckWithCatalog(t *testing.T) {
	c := MustLoad()
	tpl, err := template.Parse([]byte(`{"Resources":{"B":{"Type":"AWS::S3::Bucket"},"Q":{"Type":"AWS::SQS::Queue"},"C":{"Type":"AWS::ECS::Cluster"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	err = tpl.Check(c)
	if err == nil || err.Error() != "ValidationError: Template format error: Unrecognized resource types: [AWS::S3::Bucket, AWS::SQS::Queue]" {
		t.Fatalf("err %v", err)
	}
	tpl, err = template.Parse([]byte(`{"Resources":{"C":{"Type":"AWS::ECS::Cluster"}},"Outputs":{"O":{"Value":{"Fn::GetAtt":["C","Nope"]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := tpl.Check(c); err == nil || err.Error() != "ValidationError: Template error: resource C does not support attribute type Nope in Fn::GetAtt" {
		t.Fatalf("err %v", err)
	}
}

func TestChangeSetWords(t *testing.T) {
	for u, want := range map[Update][2]string{
		Replacement: {"Always", "True"}, Conditional: {"Conditionally", "Conditional"},
		NoInterruption: {"Never", "False"}, SomeInterruption: {"Never", "False"},
	} {
		if got := [2]string{u.RequiresRecreation(), u.Replacement()}; got != want {
			t.Errorf("%s: %v, want %v", u, got, want)
		}
	}
}
