package template

import (
	"encoding/json"
	"errors"
	"testing"
)

// The network and service stacks of seed 000's article, evaluated as the
// engine will: network first, its exports feeding the service stack.
func TestReflectoringNetworkStack(t *testing.T) {
	tpl, err := Parse(readTestdata(t, "corpus/reflectoring/network.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Resources) != 19 || len(tpl.Outputs) != 9 {
		t.Fatalf("%d resources, %d outputs", len(tpl.Resources), len(tpl.Outputs))
	}
	s := tpl.Summarize()
	wantEqual(t, s.Capabilities, []string{CapabilityIAM})
	wantEqual(t, s.CapabilitiesReason, "The following resource(s) require capabilities: [AWS::IAM::Role]")
	ev := mustEval(t, tpl, nil)
	g, err := ev.Graph()
	if err != nil {
		t.Fatal(err)
	}
	levels := g.Levels()
	wantEqual(t, levels[0], []string{"ECSCluster", "ECSRole", "ECSTaskExecutionRole", "InternetGateway", "VPC"})
	pos := map[string]int{}
	for i, id := range g.CreationOrder() {
		pos[id] = i
	}
	for _, edge := range [][2]string{{"PublicRoute", "GatewayAttachement"}, {"PublicLoadBalancerListener", "PublicLoadBalancer"}, {"PublicSubnetOne", "VPC"}} {
		if pos[edge[0]] < pos[edge[1]] {
			t.Errorf("%s is created before %s", edge[0], edge[1])
		}
	}
	del := g.DeletionOrder()
	if del[len(del)-1] != "VPC" && del[len(del)-1] != "InternetGateway" && del[len(del)-1] != "ECSCluster" {
		t.Errorf("deletion ends with %s", del[len(del)-1])
	}

	props, err := ev.Properties("PublicSubnetTwo", mapResolver{refs: map[string]any{"VPC": "vpc-0123456789abcdef0"}})
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, props, map[string]any{
		"AvailabilityZone": "eu-central-1b", "VpcId": "vpc-0123456789abcdef0",
		"CidrBlock": "10.0.2.0/24", "MapPublicIpOnLaunch": true,
	})
	_, err = ev.Properties("PublicRoute", mapResolver{refs: map[string]any{"InternetGateway": "igw-1"}})
	var u *UnresolvedError
	if !errors.As(err, &u) || !errors.Is(err, ErrUnresolved) {
		t.Fatalf("err %v", err)
	}
	if len(u.Resources) != 1 || u.Resources[0] != "PublicRouteTable" {
		t.Fatalf("unresolved %v", u.Resources)
	}
}

func networkResolver() mapResolver {
	return mapResolver{
		refs: map[string]any{
			"ECSCluster": "reflectoring-network-ECSCluster-AbCdEfGh1234", "VPC": "vpc-0a1",
			"PublicLoadBalancerListener": "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/refle-Publi-1/50dc6c495c0c9188/f2f7dc8efc522ab2",
			"PublicSubnetOne":            "subnet-01", "PublicSubnetTwo": "subnet-02", "ECSSecurityGroup": "sg-0e1",
		},
		atts: map[string]any{
			"PublicLoadBalancer.DNSName": "refle-Publi-1.eu-central-1.elb.amazonaws.com",
			"ECSRole.Arn":                "arn:aws:iam::123456789012:role/reflectoring-network-ECSRole-1",
			"ECSTaskExecutionRole.Arn":   "arn:aws:iam::123456789012:role/reflectoring-network-ECSTaskExecutionRole-1",
		},
	}
}

func TestReflectoringServiceStackWithNetworkExports(t *testing.T) {
	network := mustParse(t, string(readTestdata(t, "corpus/reflectoring/network.yml")))
	nev, err := NewEvaluator(network, Inputs{Pseudo: Pseudo{StackName: "reflectoring-network", Region: "eu-central-1"}})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := nev.Outputs(networkResolver())
	if err != nil {
		t.Fatal(err)
	}
	exports := exportMap{}
	for _, o := range outs {
		exports[o.ExportName] = o.Value
	}
	if exports["reflectoring-network:ExternalUrl"] != "http://refle-Publi-1.eu-central-1.elb.amazonaws.com" {
		t.Fatalf("exports %v", exports)
	}

	service := mustParse(t, string(readTestdata(t, "corpus/reflectoring/service.yml")))
	params := map[string]string{
		"StackName": "reflectoring-network", "ServiceName": "reflectoring-hello-world",
		"ImageUrl": "docker.io/reflectoring/aws-hello-world:latest", "ContainerPort": "8080",
		"HealthCheckPath": "/hello", "HealthCheckIntervalSeconds": "90",
	}
	_, err = NewEvaluator(service, Inputs{Pseudo: testPseudo})
	wantErr(t, err, ErrParameters, "Parameters: [ImageUrl, ServiceName, StackName] must have values")
	ev, err := NewEvaluator(service, Inputs{Parameters: params, Pseudo: testPseudo, Exports: exports})
	if err != nil {
		t.Fatal(err)
	}
	td, err := ev.Properties("TaskDefinition", mapResolver{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(td)
	want := `{"ContainerDefinitions":[{"Cpu":"256","Image":"docker.io/reflectoring/aws-hello-world:latest","LogConfiguration":{"LogDriver":"awslogs","Options":{"awslogs-group":"reflectoring-hello-world","awslogs-region":"eu-central-1","awslogs-stream-prefix":"reflectoring-hello-world"}},"Memory":"512","Name":"reflectoring-hello-world","PortMappings":[{"ContainerPort":"8080"}]}],"Cpu":"256","ExecutionRoleArn":"arn:aws:iam::123456789012:role/reflectoring-network-ECSTaskExecutionRole-1","Family":"reflectoring-hello-world","Memory":"512","NetworkMode":"awsvpc","RequiresCompatibilities":["FARGATE"]}`
	if string(got) != want {
		t.Fatalf("TaskDefinition properties\n got %s\nwant %s", got, want)
	}
	g, err := ev.Graph()
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, g.Levels(), [][]string{{"LogGroup", "TargetGroup", "TaskDefinition"}, {"LoadBalancerRule"}, {"Service"}})

	// A change set before anything exists: the service's task definition
	// and target group are known only after apply.
	svc, err := ev.PreviewProperties("Service", mapResolver{})
	if err != nil {
		t.Fatal(err)
	}
	if svc["TaskDefinition"] != KnownAfterApply || svc["Cluster"] != "reflectoring-network-ECSCluster-AbCdEfGh1234" || svc["DesiredCount"] != "2" {
		t.Fatalf("preview %v", svc)
	}
}
