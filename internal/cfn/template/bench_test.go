package template

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
)

// template200 is a 200-resource template shaped like a real service stack
// repeated 40 times: a log group, a task definition, a target group, a
// listener rule and a service, wired with Ref, Fn::GetAtt, Fn::Sub,
// Fn::Join, Fn::If, Fn::FindInMap and Fn::ImportValue.
func template200() []byte {
	var b strings.Builder
	b.WriteString(`AWSTemplateFormatVersion: "2010-09-09"
Description: 40 services behind one listener
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod], Default: prod}
  Image: {Type: String, Default: "registry.local/app:v1"}
  Network: {Type: String, Default: net}
Mappings:
  Sizes:
    dev: {Cpu: "256", Memory: "512", Count: 1}
    prod: {Cpu: "1024", Memory: "2048", Count: 3}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
`)
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, `  Logs%[1]d:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/ecs/${AWS::StackName}/svc%[1]d"
      RetentionInDays: !If [IsProd, 30, 1]
  Task%[1]d:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: !Sub "${AWS::StackName}-svc%[1]d"
      Cpu: !FindInMap [Sizes, !Ref Env, Cpu]
      Memory: !FindInMap [Sizes, !Ref Env, Memory]
      NetworkMode: awsvpc
      ContainerDefinitions:
        - Name: app
          Image: !Ref Image
          PortMappings: [{ContainerPort: 8080}]
          Environment:
            - {Name: SERVICE, Value: !Join ["-", [svc, "%[1]d", !Ref Env]]}
            - {Name: LOG_ARN, Value: !GetAtt Logs%[1]d.Arn}
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: !Ref Logs%[1]d
              awslogs-region: !Ref AWS::Region
              awslogs-stream-prefix: app
  Target%[1]d:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 8080
      Protocol: HTTP
      TargetType: ip
      HealthCheckPath: /health
      VpcId: !ImportValue {"Fn::Sub": "${Network}:VpcId"}
  Rule%[1]d:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !ImportValue {"Fn::Sub": "${Network}:Listener"}
      Priority: %[2]d
      Conditions: [{Field: path-pattern, Values: ["/svc%[1]d/*"]}]
      Actions: [{Type: forward, TargetGroupArn: !Ref Target%[1]d}]
  Service%[1]d:
    Type: AWS::ECS::Service
    DependsOn: Rule%[1]d
    Properties:
      ServiceName: !Sub "svc%[1]d-${Env}"
      Cluster: !ImportValue {"Fn::Sub": "${Network}:ClusterName"}
      TaskDefinition: !Ref Task%[1]d
      DesiredCount: !FindInMap [Sizes, !Ref Env, Count]
      LoadBalancers: [{ContainerName: app, ContainerPort: 8080, TargetGroupArn: !Ref Target%[1]d}]
`, i, i+1)
	}
	return []byte(b.String())
}

var benchExports = exportMap{"net:VpcId": "vpc-1", "net:Listener": "arn:listener", "net:ClusterName": "cluster"}

// percentiles reports the p50 and p99 of the measured durations, and the
// process's CPU time per operation (which other processes' load on a shared
// machine does not inflate, as it does the wall-clock percentiles).
func percentiles(b *testing.B, d []time.Duration, cpuStart time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64((cpuTime()-cpuStart).Microseconds())/float64(len(d)), "cpu-µs/op")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// template200JSON is template200 in JSON.
func template200JSON(b *testing.B) []byte {
	doc, err := decode(template200())
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(doc.root)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkValidateTemplate200 is what ValidateTemplate does with a
// 200-resource template: parse, check formats, references and cycles, check
// types and attributes against the catalog, summarise.
func BenchmarkValidateTemplate200(b *testing.B) { benchValidate(b, template200()) }

// BenchmarkValidateTemplate200JSON is the same template in JSON.
func BenchmarkValidateTemplate200JSON(b *testing.B) { benchValidate(b, template200JSON(b)) }

func benchValidate(b *testing.B, body []byte) {
	catalog := resourcetype.MustLoad()
	d := make([]time.Duration, 0, b.N)
	cpu := cpuTime()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		tpl, err := Parse(body)
		if err != nil {
			b.Fatal(err)
		}
		if err := tpl.Check(catalog); err != nil {
			b.Fatal(err)
		}
		_ = tpl.Summarize()
		d = append(d, time.Since(start))
	}
	percentiles(b, d, cpu)
}

// BenchmarkResolve200 is the template work of a CreateChangeSet or a
// CreateStack on a parsed 200-resource template: bind parameters, evaluate
// conditions, order the resources, and resolve every resource's properties.
func BenchmarkResolve200(b *testing.B) {
	tpl, err := Parse(template200())
	if err != nil {
		b.Fatal(err)
	}
	d := make([]time.Duration, 0, b.N)
	cpu := cpuTime()
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		ev, err := NewEvaluator(tpl, Inputs{Pseudo: testPseudo, Exports: benchExports})
		if err != nil {
			b.Fatal(err)
		}
		g, err := ev.Graph()
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range g.CreationOrder() {
			if _, err := ev.Properties(id, allResolver{}); err != nil {
				b.Fatal(err)
			}
		}
		d = append(d, time.Since(start))
	}
	percentiles(b, d, cpu)
}

// The benchmark's template is valid and as large as it says.
func TestTemplate200(t *testing.T) {
	tpl, err := Parse(template200())
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Resources) != 200 {
		t.Fatalf("%d resources", len(tpl.Resources))
	}
	if err := tpl.Check(resourcetype.MustLoad()); err != nil {
		t.Fatal(err)
	}
	ev, err := NewEvaluator(tpl, Inputs{Pseudo: testPseudo, Exports: benchExports})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := ev.Graph()
	if n := len(g.Levels()); n != 3 {
		t.Fatalf("%d levels", n)
	}
}
