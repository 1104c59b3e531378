package resourcetype

import (
	"regexp"
	"strings"
	"testing"
)

var testCtx = Context{Partition: "aws", Region: "eu-central-1", AccountID: "123456789012", URLSuffix: "amazonaws.com", StackName: "reflectoring-network", LogicalID: "X"}

func record(t *testing.T, typ, logicalID string, props map[string]any, prev *RecordedResource) *RecordedResource {
	t.Helper()
	ctx := testCtx
	ctx.LogicalID = logicalID
	r, err := MustLoad().Record(typ, props, ctx, prev)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantMatch(t *testing.T, what string, v any, pattern string) {
	t.Helper()
	s, _ := v.(string)
	if !regexp.MustCompile("^" + pattern + "$").MatchString(s) {
		t.Errorf("%s = %q, want /%s/", what, s, pattern)
	}
}

func TestRecordedEC2IDs(t *testing.T) {
	vpc := record(t, "AWS::EC2::VPC", "VPC", map[string]any{"CidrBlock": "10.0.0.0/16"}, nil)
	wantMatch(t, "VPC id", vpc.PhysicalID, "vpc-[0-9a-f]{17}")
	wantMatch(t, "DefaultSecurityGroup", vpc.Attributes["DefaultSecurityGroup"], "sg-[0-9a-f]{17}")
	if vpc.Attributes["CidrBlock"] != "10.0.0.0/16" || vpc.Attributes["VpcId"] != vpc.PhysicalID {
		t.Errorf("vpc attributes %v", vpc.Attributes)
	}
	again := record(t, "AWS::EC2::VPC", "VPC", map[string]any{"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true}, vpc)
	if again.PhysicalID != vpc.PhysicalID || again.Attributes["DefaultNetworkAcl"] != vpc.Attributes["DefaultNetworkAcl"] || again.Attributes["EnableDnsHostnames"] != true {
		t.Errorf("update changed ids: %v → %v", vpc, again)
	}
	subnet := record(t, "AWS::EC2::Subnet", "PublicSubnetTwo", map[string]any{"VpcId": vpc.PhysicalID, "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "eu-central-1b"}, nil)
	wantMatch(t, "subnet id", subnet.PhysicalID, "subnet-[0-9a-f]{17}")
	if subnet.Attributes["AvailabilityZoneId"] != "euc1-az2" {
		t.Errorf("zone id %v", subnet.Attributes["AvailabilityZoneId"])
	}
	sg := record(t, "AWS::EC2::SecurityGroup", "ECSSecurityGroup", map[string]any{"GroupDescription": "d", "VpcId": vpc.PhysicalID}, nil)
	wantMatch(t, "sg", sg.PhysicalID, "sg-[0-9a-f]{17}")
	wantMatch(t, "generated group name", sg.Attributes["GroupName"], "reflectoring-network-ECSSecurityGroup-[A-Za-z0-9]{12}")
	att := record(t, "AWS::EC2::VPCGatewayAttachment", "GatewayAttachement", map[string]any{"VpcId": vpc.PhysicalID, "InternetGatewayId": "igw-1"}, nil)
	if att.PhysicalID != "IGW|"+vpc.PhysicalID || att.Attributes["AttachmentType"] != "igw" {
		t.Errorf("attachment %v", att)
	}
	route := record(t, "AWS::EC2::Route", "PublicRoute", map[string]any{"RouteTableId": "rtb-1", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}, nil)
	if route.PhysicalID != "rtb-1|0.0.0.0/0" {
		t.Errorf("route %v", route)
	}
}

func TestRecordedIAMAndECR(t *testing.T) {
	role := record(t, "AWS::IAM::Role", "ECSTaskExecutionRole", map[string]any{"AssumeRolePolicyDocument": map[string]any{}, "Path": "/"}, nil)
	if len(role.PhysicalID) > 64 {
		t.Errorf("role name %q longer than IAM allows", role.PhysicalID)
	}
	wantMatch(t, "role name", role.PhysicalID, "reflectoring-network-ECSTaskExecutionRole-[A-Za-z0-9]{12}|reflectoring-networ[a-z]*-ECSTaskExecution[A-Za-z]*-[A-Za-z0-9]{12}")
	wantMatch(t, "role arn", role.Attributes["Arn"], "arn:aws:iam::123456789012:role/"+regexp.QuoteMeta(role.PhysicalID))
	wantMatch(t, "role id", role.Attributes["RoleId"], "AROA[A-Z0-9]{17}")
	named := record(t, "AWS::IAM::Role", "R", map[string]any{"AssumeRolePolicyDocument": map[string]any{}, "RoleName": "app", "Path": "/svc/"}, nil)
	if named.Attributes["Arn"] != "arn:aws:iam::123456789012:role/svc/app" {
		t.Errorf("arn %v", named.Attributes["Arn"])
	}
	repo := record(t, "AWS::ECR::Repository", "Repo", map[string]any{}, nil)
	wantMatch(t, "repository", repo.PhysicalID, "reflectoring-network-repo-[a-z0-9]{12}")
	if repo.Attributes["RepositoryUri"] != "123456789012.dkr.ecr.eu-central-1.amazonaws.com/"+repo.PhysicalID {
		t.Errorf("uri %v", repo.Attributes["RepositoryUri"])
	}
	zone := record(t, "AWS::Route53::HostedZone", "Zone", map[string]any{"Name": "example.com."}, nil)
	wantMatch(t, "zone", zone.PhysicalID, "Z[A-Z0-9]{20}")
	if ns, _ := zone.Attributes["NameServers"].([]any); len(ns) != 4 || !strings.HasSuffix(ns[3].(string), ".co.uk") {
		t.Errorf("name servers %v", zone.Attributes["NameServers"])
	}
	if _, err := MustLoad().Record("AWS::ECS::Cluster", nil, testCtx, nil); err == nil {
		t.Error("a real type was recorded")
	}
	if _, err := MustLoad().Record("AWS::IAM::Role", map[string]any{}, testCtx, nil); err == nil {
		t.Error("a role without its required AssumeRolePolicyDocument was recorded")
	}
}

func TestGeneratedName(t *testing.T) {
	tg := GeneratedName(NameRule{Property: "Name", MaxLength: 32}, "reflectoring-service", "TargetGroup", "AbCdEfGhIjKl")
	if tg != "reflector-TargetGro-AbCdEfGhIjKl" || len(tg) > 32 {
		t.Errorf("target group name %q", tg)
	}
	short := GeneratedName(NameRule{MaxLength: 32}, "s", "LoadBalancerWithALongName", "AbCdEfGhIjKl")
	if short != "s-LoadBalancerWithA-AbCdEfGhIjKl" {
		t.Errorf("name %q", short)
	}
	if n := GeneratedName(NameRule{MaxLength: 255}, "net", "ECSCluster", "AbCdEfGhIjKl"); n != "net-ECSCluster-AbCdEfGhIjKl" {
		t.Errorf("name %q", n)
	}
	if s := RandomSuffix(true); len(s) != 12 || strings.ToLower(s) != s {
		t.Errorf("suffix %q", s)
	}
}
