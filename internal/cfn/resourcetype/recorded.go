package resourcetype

import (
	"fmt"
	"strconv"
	"strings"
)

// Context is what a recorded resource's ids and ARNs are made from.
type Context struct {
	Partition, Region, AccountID, URLSuffix string
	StackName, LogicalID                    string
}

// RecordedResource is what AWS would return for a recorded resource: its
// physical id (what Ref returns) and its Fn::GetAtt attributes.
type RecordedResource struct {
	PhysicalID string
	Attributes map[string]any
}

// recorder makes a recorded resource of one type. prev is the resource as
// recorded before an update that did not replace it (nil on create): its
// ids are kept, as AWS keeps them.
type recorder func(props map[string]any, ctx Context, prev *RecordedResource) *RecordedResource

var recorders = map[string]recorder{
	"AWS::EC2::VPC":                         recordVPC,
	"AWS::EC2::Subnet":                      recordSubnet,
	"AWS::EC2::InternetGateway":             idAttr("igw-", "InternetGatewayId"),
	"AWS::EC2::RouteTable":                  idAttr("rtb-", "RouteTableId"),
	"AWS::EC2::SubnetRouteTableAssociation": idAttr("rtbassoc-", "Id"),
	"AWS::EC2::SecurityGroupIngress":        idAttr("sgr-", "Id"),
	"AWS::EC2::VPCGatewayAttachment":        recordGatewayAttachment,
	"AWS::EC2::Route":                       recordRoute,
	"AWS::EC2::SecurityGroup":               recordSecurityGroup,
	"AWS::IAM::Role":                        recordRole,
	"AWS::IAM::Policy":                      recordPolicy,
	"AWS::IAM::InstanceProfile":             recordInstanceProfile,
	"AWS::ECR::Repository":                  recordRepository,
	"AWS::Route53::HostedZone":              recordHostedZone,
	"AWS::Route53::RecordSet":               recordRecordSet,
	"AWS::Route53::RecordSetGroup":          recordRecordSetGroup,
}

// Record makes the physical id and attributes AWS would give a resource of
// a recorded type with these (resolved) properties. On an update that does
// not replace the resource, pass the previous record: ids are kept and
// attributes that mirror properties follow the new values.
func (c *Catalog) Record(typ string, props map[string]any, ctx Context, prev *RecordedResource) (*RecordedResource, error) {
	t := c.types[typ]
	rec := recorders[typ]
	if t == nil || t.Kind != Recorded || rec == nil {
		return nil, fmt.Errorf("resourcetype: %s is not a recorded type", typ)
	}
	if err := t.CheckProperties(ctx.LogicalID, props); err != nil {
		return nil, err
	}
	r := rec(props, ctx, prev)
	// Attributes that mirror properties (every property of a VPC, a subnet
	// or a security group is one) take the properties' values.
	for _, attr := range t.Attributes {
		if _, set := r.Attributes[attr]; !set {
			if v, ok := props[attr]; ok {
				r.Attributes[attr] = v
			}
		}
	}
	return r, nil
}

// ec2ID is an EC2 resource id: a prefix and 17 hex digits.
func ec2ID(prefix string) string { return prefix + randomString("0123456789abcdef", 17) }

// keep returns prev's value of an attribute, or makes one.
func keep(prev *RecordedResource, attr string, make func() string) string {
	if prev != nil {
		if s, ok := prev.Attributes[attr].(string); ok && s != "" {
			return s
		}
	}
	return make()
}

func keepList(prev *RecordedResource, attr string, make func() []any) []any {
	if prev != nil {
		if l, ok := prev.Attributes[attr].([]any); ok && len(l) > 0 {
			return l
		}
	}
	return make()
}

func keepID(prev *RecordedResource, make func() string) string {
	if prev != nil && prev.PhysicalID != "" {
		return prev.PhysicalID
	}
	return make()
}

func str(props map[string]any, key string) string {
	switch v := props[key].(type) {
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func idAttr(prefix, attr string) recorder {
	return func(_ map[string]any, _ Context, prev *RecordedResource) *RecordedResource {
		id := keepID(prev, func() string { return ec2ID(prefix) })
		return &RecordedResource{PhysicalID: id, Attributes: map[string]any{attr: id}}
	}
}

func recordVPC(props map[string]any, _ Context, prev *RecordedResource) *RecordedResource {
	id := keepID(prev, func() string { return ec2ID("vpc-") })
	return &RecordedResource{PhysicalID: id, Attributes: map[string]any{
		"VpcId":                 id,
		"CidrBlock":             str(props, "CidrBlock"),
		"CidrBlockAssociations": keepList(prev, "CidrBlockAssociations", func() []any { return []any{ec2ID("vpc-cidr-assoc-")} }),
		"DefaultNetworkAcl":     keep(prev, "DefaultNetworkAcl", func() string { return ec2ID("acl-") }),
		"DefaultSecurityGroup":  keep(prev, "DefaultSecurityGroup", func() string { return ec2ID("sg-") }),
		"Ipv6CidrBlocks":        []any{},
	}}
}

func recordSubnet(props map[string]any, ctx Context, prev *RecordedResource) *RecordedResource {
	id := keepID(prev, func() string { return ec2ID("subnet-") })
	az := str(props, "AvailabilityZone")
	if az == "" {
		az = ctx.Region + "a"
	}
	return &RecordedResource{PhysicalID: id, Attributes: map[string]any{
		"SubnetId":                id,
		"AvailabilityZone":        az,
		"AvailabilityZoneId":      zoneID(ctx.Region, az),
		"CidrBlock":               str(props, "CidrBlock"),
		"VpcId":                   str(props, "VpcId"),
		"Ipv6CidrBlocks":          []any{},
		"NetworkAclAssociationId": keep(prev, "NetworkAclAssociationId", func() string { return ec2ID("aclassoc-") }),
		"BlockPublicAccessStates": map[string]any{"InternetGatewayBlockMode": "off"},
	}}
}

// zoneID is an availability zone's id as AWS names them: "use1-az1" for
// us-east-1a (AWS maps letters to ids per account; this mapping is fixed).
func zoneID(region, az string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 || !strings.HasPrefix(az, region) || len(az) != len(region)+1 {
		return ""
	}
	short := parts[0]
	for _, w := range []string{"north", "south", "east", "west", "central"} {
		parts[1] = strings.ReplaceAll(parts[1], w, w[:1])
	}
	short += parts[1] + parts[2]
	return short + "-az" + strconv.Itoa(int(az[len(az)-1]-'a')+1)
}

func recordGatewayAttachment(props map[string]any, _ Context, _ *RecordedResource) *RecordedResource {
	kind, gw := "igw", "IGW"
	if props["VpnGatewayId"] != nil {
		kind, gw = "vgw", "VGW"
	}
	return &RecordedResource{PhysicalID: gw + "|" + str(props, "VpcId"), Attributes: map[string]any{"AttachmentType": kind}}
}

func recordRoute(props map[string]any, _ Context, _ *RecordedResource) *RecordedResource {
	dest := str(props, "DestinationCidrBlock")
	if dest == "" {
		dest = str(props, "DestinationIpv6CidrBlock")
	}
	if dest == "" {
		dest = str(props, "DestinationPrefixListId")
	}
	return &RecordedResource{PhysicalID: str(props, "RouteTableId") + "|" + dest, Attributes: map[string]any{"CidrBlock": dest}}
}

// recordSecurityGroup follows EC2: Ref gives the group id when the group is
// in a VPC, its name otherwise (a default-VPC group).
func recordSecurityGroup(props map[string]any, ctx Context, prev *RecordedResource) *RecordedResource {
	groupID := keep(prev, "GroupId", func() string { return ec2ID("sg-") })
	name := str(props, "GroupName")
	if name == "" {
		name = keep(prev, "GroupName", func() string {
			return GeneratedName(NameRule{MaxLength: 255}, ctx.StackName, ctx.LogicalID, RandomSuffix(false))
		})
	}
	id := groupID
	if props["VpcId"] == nil {
		id = name
	}
	return &RecordedResource{PhysicalID: id, Attributes: map[string]any{
		"GroupId": groupID, "Id": groupID, "GroupName": name, "VpcId": str(props, "VpcId"),
	}}
}

// uniqueID is an IAM unique id: a four-letter prefix and 17 characters.
func uniqueID(prefix string) string { return prefix + randomString(upperAlnum, 17) }

// nameOf returns the resource's name property, or the name CloudFormation
// would generate (kept across updates).
func nameOf(rule NameRule, props map[string]any, ctx Context, prev *RecordedResource) string {
	if n := str(props, rule.Property); n != "" {
		return n
	}
	return keepID(prev, func() string {
		return GeneratedName(rule, ctx.StackName, ctx.LogicalID, RandomSuffix(rule.Lowercase))
	})
}

// iamPath is a role's or profile's path, "/" by default.
func iamPath(props map[string]any) string {
	if p := str(props, "Path"); p != "" {
		return p
	}
	return "/"
}

func recordRole(props map[string]any, ctx Context, prev *RecordedResource) *RecordedResource {
	name := nameOf(NameRule{Property: "RoleName", MaxLength: 64}, props, ctx, prev)
	return &RecordedResource{PhysicalID: name, Attributes: map[string]any{
		"Arn":    fmt.Sprintf("arn:%s:iam::%s:role%s%s", ctx.Partition, ctx.AccountID, iamPath(props), name),
		"RoleId": keep(prev, "RoleId", func() string { return uniqueID("AROA") }),
	}}
}

func recordPolicy(props map[string]any, ctx Context, prev *RecordedResource) *RecordedResource {
	id := keepID(prev, func() string {
		return GeneratedName(NameRule{MaxLength: 128}, ctx.StackName, ctx.LogicalID, RandomSuffix(false))
	})
	return &RecordedResource{PhysicalID: id, Attributes: map[string]any{"Id": id}}
}

func recordInstanceProfile(props map[string]any, ctx Context, prev *RecordedResource) *RecordedResource {
	name := nameOf(NameRule{Property: "InstanceProfileName", MaxLength: 128}, props, ctx, prev)
	return &RecordedResource{PhysicalID: name, Attributes: map[string]any{
		"Arn": fmt.Sprintf("arn:%s:iam::%s:instance-profile%s%s", ctx.Partition, ctx.AccountID, iamPath(props), name),
	}}
}

func recordRepository(props map[string]any, ctx Context, prev *RecordedResource) *RecordedResource {
	name := nameOf(NameRule{Property: "RepositoryName", MaxLength: 256, Lowercase: true}, props, ctx, prev)
	suffix := ctx.URLSuffix
	if suffix == "" {
		suffix = "amazonaws.com"
	}
	return &RecordedResource{PhysicalID: name, Attributes: map[string]any{
		"Arn":           fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", ctx.Partition, ctx.Region, ctx.AccountID, name),
		"RepositoryUri": fmt.Sprintf("%s.dkr.ecr.%s.%s/%s", ctx.AccountID, ctx.Region, suffix, name),
	}}
}

func recordHostedZone(_ map[string]any, _ Context, prev *RecordedResource) *RecordedResource {
	id := keepID(prev, func() string { return "Z" + randomString(upperAlnum, 20) })
	servers := keepList(prev, "NameServers", nameServers)
	return &RecordedResource{PhysicalID: id, Attributes: map[string]any{"Id": id, "NameServers": servers}}
}

// nameServers are four Route 53 delegation servers, one per top-level
// domain, numbered as Route 53 numbers them.
func nameServers() []any {
	out := make([]any, 0, 4)
	for i, tld := range []string{"com", "net", "org", "co.uk"} {
		n, _ := strconv.Atoi(randomString("0123456789", 3))
		out = append(out, fmt.Sprintf("ns-%d.awsdns-%02d.%s", n+512*i, n%64, tld))
	}
	return out
}

func recordRecordSet(props map[string]any, _ Context, _ *RecordedResource) *RecordedResource {
	name := str(props, "Name")
	return &RecordedResource{PhysicalID: name, Attributes: map[string]any{"Id": name}}
}

func recordRecordSetGroup(_ map[string]any, ctx Context, prev *RecordedResource) *RecordedResource {
	id := keepID(prev, func() string {
		return GeneratedName(NameRule{MaxLength: 255}, ctx.StackName, ctx.LogicalID, RandomSuffix(false))
	})
	return &RecordedResource{PhysicalID: id, Attributes: map[string]any{"Id": id}}
}
