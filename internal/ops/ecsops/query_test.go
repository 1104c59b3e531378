package ecsops

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

func TestInstanceQueryMatches(t *testing.T) {
	q := queryInstance{ci: model.ContainerInstance{
		EC2InstanceID: "i-abcd1234", AgentConnected: true,
		RegisteredAt: model.At(time.Date(2018, 6, 18, 22, 28, 28, 0, time.UTC)),
		VersionInfo:  model.VersionInfo{AgentVersion: "1.10.2"},
		Attributes: []model.Attribute{{Name: "ecs.instance-type", Value: "t2.small"},
			{Name: "ecs.availability-zone", Value: "us-east-1a"}, {Name: "stack"}},
	}, running: 2, groups: []string{"service:web", "batch"}}
	for expr, want := range map[string]bool{
		"attribute:ecs.instance-type == t2.small":                     true,
		"attribute:ecs.instance-type equals t2.medium":                false,
		"attribute:ecs.instance-type != t2.small":                     false,
		"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]": true,
		"attribute:ecs.availability-zone !in ['us-east-1a']":          false,
		"attribute:ecs.instance-type =~ t2.*":                         true,
		"attribute:ecs.instance-type matches t2":                      false,
		"attribute:ecs.instance-type !~ g2.*":                         true,
		"attribute:stack exists":                                      true,
		"attribute:color exists":                                      false,
		"attribute:color !exists":                                     true,
		"attribute:color not_exists && attribute:stack exists":        true,
		"attribute:color == red":                                      false,
		"attribute:color != red":                                      true,
		"agentConnected == true":                                      true,
		"agentConnected == false or runningTasksCount > 1":            true,
		"agentVersion < 1.9.0":                                        false,
		"agentVersion >= 1.10.2":                                      true,
		"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']":               true,
		"registeredAt < 2018-06-19":                                   true,
		"registeredAt >= 2018-06-18T22:28:28Z":                        true,
		"registeredAt > 2018-06-18T22:28:28+00:00":                    false,
		"runningTasksCount == 2":                                      true,
		"runningTasksCount <= 1":                                      false,
		"task:group == service:web":                                   true,
		"task:group != batch":                                         false,
		"not(task:group == database)":                                 true,
		"!(agentConnected == true) || (runningTasksCount == 0 and agentConnected == true)":            false,
		"attribute:ecs.instance-type == t2.small && (ec2InstanceId == i-x || agentVersion == 1.10.2)": true,
	} {
		query, err := parseInstanceQuery(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if got := query.match(q); got != want {
			t.Errorf("%s = %v, want %v", expr, got, want)
		}
	}
}

func TestInstanceQueryRefusesWhatECSDoesNotDocument(t *testing.T) {
	for _, expr := range []string{
		"", "color == red", "agentConnected > true", "runningTasksCount exists", "attribute:x ==",
		"attribute:x in a", "attribute:x in [a", "(agentConnected == true", "agentConnected == true)",
		"registeredAt < yesterday", "runningTasksCount > many", "attribute:x =~ (a", "attribute:x exists y",
		"agentConnected == true &&", "task:group > 2", "'attribute:x' exists",
	} {
		if _, err := parseInstanceQuery(expr); err == nil {
			t.Errorf("%q: accepted", expr)
		} else {
			wantAWSErr(t, err, CodeInvalidParameter)
		}
	}
	long := make([]byte, MaxQueryLength+1)
	for i := range long {
		long[i] = 'a'
	}
	if _, err := parseInstanceQuery(string(long)); err == nil {
		t.Error("an overlong filter was accepted")
	}
}
