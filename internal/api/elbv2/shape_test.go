package elbv2

import (
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/testutil"
	"github.com/slipway-dev/slipway/internal/testutil/awsmodel"
)

// elbStep is one call of the ELB shape scenario: the action, its form
// (values "$OP:path" are taken from an earlier answer, "$CERT" is a
// certificate file), and the elements ELB always sends (paths below the
// result element, "member" for each element of a list).
type elbStep struct {
	action   string
	form     []string // name, value, name, value...
	always   []string
	wantCode string
}

// Elements ELB always sends, shape by shape (the API reference's response
// syntax and the documented examples).
var (
	lbAlways = []string{"LoadBalancerArn", "DNSName", "CanonicalHostedZoneId", "CreatedTime", "LoadBalancerName",
		"Scheme", "VpcId", "State.Code", "Type", "AvailabilityZones.member.ZoneName", "AvailabilityZones.member.SubnetId",
		"IpAddressType"}
	tgAlways = []string{"TargetGroupArn", "TargetGroupName", "Protocol", "Port", "VpcId", "HealthCheckProtocol",
		"HealthCheckPort", "HealthCheckEnabled", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds",
		"HealthyThresholdCount", "UnhealthyThresholdCount", "LoadBalancerArns", "TargetType", "IpAddressType"}
	httpTGAlways  = append([]string{"HealthCheckPath", "Matcher.HttpCode", "ProtocolVersion"}, tgAlways...)
	forwardAlways = []string{"Type", "TargetGroupArn", "ForwardConfig.TargetGroups.member.TargetGroupArn",
		"ForwardConfig.TargetGroups.member.Weight", "ForwardConfig.TargetGroupStickinessConfig.Enabled"}
	listenerAlways = append([]string{"ListenerArn", "LoadBalancerArn", "Port", "Protocol"}, underXML("DefaultActions.member", forwardAlways)...)
	ruleAlways     = append([]string{"RuleArn", "Priority", "IsDefault", "Conditions", "Actions"}, underXML("Actions.member", forwardAlways)...)
)

func underXML(prefix string, paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, prefix+"."+p)
	}
	return out
}

var elbScenario = []elbStep{
	{action: "CreateTargetGroup", form: []string{"Name", "web", "Protocol", "HTTP", "Port", "8080", "VpcId", "vpc-1"},
		always: underXML("TargetGroups.member", httpTGAlways)},
	{action: "CreateTargetGroup", form: []string{"Name", "tcp", "Protocol", "TCP", "Port", "9000", "VpcId", "vpc-1"},
		always: underXML("TargetGroups.member", tgAlways)},
	{action: "CreateLoadBalancer", form: []string{"Name", "web", "Subnets.member.1", "subnet-a", "Subnets.member.2", "subnet-b",
		"SecurityGroups.member.1", "sg-1", "Tags.member.1.Key", "team", "Tags.member.1.Value", "a"},
		always: append(underXML("LoadBalancers.member", lbAlways), "LoadBalancers.member.SecurityGroups.member")},
	{action: "DescribeLoadBalancers", form: []string{"Names.member.1", "web"}, always: underXML("LoadBalancers.member", lbAlways)},
	{action: "DescribeLoadBalancerAttributes", form: []string{"LoadBalancerArn", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn"},
		always: []string{"Attributes.member.Key", "Attributes.member.Value"}},
	{action: "ModifyLoadBalancerAttributes", form: []string{"LoadBalancerArn", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn",
		"Attributes.member.1.Key", "deletion_protection.enabled", "Attributes.member.1.Value", "false"},
		always: []string{"Attributes.member.Key", "Attributes.member.Value"}},
	{action: "DescribeTargetGroups", form: []string{"Names.member.1", "web"}, always: underXML("TargetGroups.member", httpTGAlways)},
	{action: "ModifyTargetGroup", form: []string{"TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn", "HealthCheckPath", "/health"},
		always: underXML("TargetGroups.member", httpTGAlways)},
	{action: "DescribeTargetGroupAttributes", form: []string{"TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn"},
		always: []string{"Attributes.member.Key", "Attributes.member.Value"}},
	{action: "ModifyTargetGroupAttributes", form: []string{"TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn",
		"Attributes.member.1.Key", "deregistration_delay.timeout_seconds", "Attributes.member.1.Value", "5"},
		always: []string{"Attributes.member.Key", "Attributes.member.Value"}},
	{action: "RegisterTargets", form: []string{"TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn",
		"Targets.member.1.Id", "i-1", "Targets.member.2.Id", "i-2", "Targets.member.2.Port", "8081"}},
	{action: "DescribeTargetHealth", form: []string{"TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn"},
		always: []string{"TargetHealthDescriptions.member.Target.Id", "TargetHealthDescriptions.member.Target.Port",
			"TargetHealthDescriptions.member.HealthCheckPort", "TargetHealthDescriptions.member.TargetHealth.State",
			"TargetHealthDescriptions.member.TargetHealth.Reason", "TargetHealthDescriptions.member.TargetHealth.Description"}},
	{action: "CreateListener", form: []string{"LoadBalancerArn", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn",
		"Protocol", "HTTP", "Port", "8000", "DefaultActions.member.1.Type", "forward",
		"DefaultActions.member.1.TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn"},
		always: underXML("Listeners.member", listenerAlways)},
	{action: "DescribeListeners", form: []string{"LoadBalancerArn", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn"},
		always: underXML("Listeners.member", listenerAlways)},
	{action: "ModifyListener", form: []string{"ListenerArn", "$CreateListener:Listeners.member.ListenerArn", "Port", "8001"},
		always: underXML("Listeners.member", listenerAlways)},
	{action: "DescribeListenerAttributes", form: []string{"ListenerArn", "$CreateListener:Listeners.member.ListenerArn"},
		always: []string{"Attributes.member.Key", "Attributes.member.Value"}},
	{action: "ModifyListenerAttributes", form: []string{"ListenerArn", "$CreateListener:Listeners.member.ListenerArn",
		"Attributes.member.1.Key", "routing.http.response.server.enabled", "Attributes.member.1.Value", "true"},
		always: []string{"Attributes.member.Key", "Attributes.member.Value"}},
	{action: "CreateRule", form: []string{"ListenerArn", "$CreateListener:Listeners.member.ListenerArn", "Priority", "10",
		"Conditions.member.1.Field", "path-pattern", "Conditions.member.1.Values.member.1", "/img/*",
		"Actions.member.1.Type", "forward", "Actions.member.1.TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn"},
		always: append(underXML("Rules.member", ruleAlways), "Rules.member.Conditions.member.Field",
			"Rules.member.Conditions.member.Values.member", "Rules.member.Conditions.member.PathPatternConfig.Values.member")},
	{action: "ModifyRule", form: []string{"RuleArn", "$CreateRule:Rules.member.RuleArn",
		"Conditions.member.1.Field", "host-header", "Conditions.member.1.HostHeaderConfig.Values.member.1", "example.com"},
		always: append(underXML("Rules.member", ruleAlways), "Rules.member.Conditions.member.Values.member",
			"Rules.member.Conditions.member.HostHeaderConfig.Values.member")},
	{action: "SetRulePriorities", form: []string{"RulePriorities.member.1.RuleArn", "$CreateRule:Rules.member.RuleArn",
		"RulePriorities.member.1.Priority", "20"}, always: underXML("Rules.member", ruleAlways)},
	{action: "DescribeRules", form: []string{"ListenerArn", "$CreateListener:Listeners.member.ListenerArn"},
		always: underXML("Rules.member", ruleAlways)},
	{action: "DeleteRule", form: []string{"RuleArn", "$CreateRule:Rules.member.RuleArn"}},
	{action: "CreateListener", form: []string{"LoadBalancerArn", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn",
		"Protocol", "HTTPS", "Port", "8443", "Certificates.member.1.CertificateArn", "$CERT", "DefaultActions.member.1.Type", "forward",
		"DefaultActions.member.1.TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn"},
		always: append(underXML("Listeners.member", listenerAlways), "Listeners.member.SslPolicy", "Listeners.member.Certificates.member.CertificateArn")},
	{action: "AddListenerCertificates", form: []string{"ListenerArn", "$CreateListener#2:Listeners.member.ListenerArn",
		"Certificates.member.1.CertificateArn", "$CERT2"}, always: []string{"Certificates.member.CertificateArn"}},
	{action: "DescribeListenerCertificates", form: []string{"ListenerArn", "$CreateListener#2:Listeners.member.ListenerArn"},
		always: []string{"Certificates.member.CertificateArn", "Certificates.member.IsDefault"}},
	{action: "RemoveListenerCertificates", form: []string{"ListenerArn", "$CreateListener#2:Listeners.member.ListenerArn",
		"Certificates.member.1.CertificateArn", "$CERT2"}},
	{action: "DescribeSSLPolicies", form: []string{"Names.member.1", "ELBSecurityPolicy-2016-08"},
		always: []string{"SslPolicies.member.Name", "SslPolicies.member.SslProtocols.member", "SslPolicies.member.Ciphers.member.Name",
			"SslPolicies.member.Ciphers.member.Priority", "SslPolicies.member.SupportedLoadBalancerTypes.member"}},
	{action: "DescribeAccountLimits", always: []string{"Limits.member.Name", "Limits.member.Max"}},
	{action: "SetSecurityGroups", form: []string{"LoadBalancerArn", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn",
		"SecurityGroups.member.1", "sg-2"}, always: []string{"SecurityGroupIds.member"}},
	{action: "SetSubnets", form: []string{"LoadBalancerArn", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn",
		"Subnets.member.1", "subnet-a", "Subnets.member.2", "subnet-c"},
		always: []string{"AvailabilityZones.member.ZoneName", "AvailabilityZones.member.SubnetId", "IpAddressType"}},
	{action: "SetIpAddressType", form: []string{"LoadBalancerArn", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn",
		"IpAddressType", "dualstack"}, always: []string{"IpAddressType"}},
	{action: "AddTags", form: []string{"ResourceArns.member.1", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn",
		"Tags.member.1.Key", "k", "Tags.member.1.Value", "v"}},
	{action: "DescribeTags", form: []string{"ResourceArns.member.1", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn"},
		always: []string{"TagDescriptions.member.ResourceArn", "TagDescriptions.member.Tags.member.Key", "TagDescriptions.member.Tags.member.Value"}},
	{action: "RemoveTags", form: []string{"ResourceArns.member.1", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn", "TagKeys.member.1", "k"}},
	{action: "DeregisterTargets", form: []string{"TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn", "Targets.member.1.Id", "i-1"}},
	{action: "DeleteTargetGroup", form: []string{"TargetGroupArn", "$CreateTargetGroup:TargetGroups.member.TargetGroupArn"}, wantCode: "ResourceInUse"},
	{action: "DeleteListener", form: []string{"ListenerArn", "$CreateListener:Listeners.member.ListenerArn"}},
	{action: "DeleteLoadBalancer", form: []string{"LoadBalancerArn", "$CreateLoadBalancer:LoadBalancers.member.LoadBalancerArn"}},
}

func TestEveryServedActionAnswersInELBShape(t *testing.T) {
	awsmodel.MustLoad(t, "elbv2")
	a := newTestAPI(t)
	dir := t.TempDir()
	certs := map[string]string{"$CERT": "file://" + writeCert(t, dir, "one"), "$CERT2": "file://" + writeCert(t, dir, "two")}
	answers := map[string][]*awsmodel.Node{} // by action, in order
	called := map[string]bool{}
	for _, step := range elbScenario {
		form := url.Values{"Action": {step.action}, "Version": {Version}}
		for i := 0; i+1 < len(step.form); i += 2 {
			v := step.form[i+1]
			if c, ok := certs[v]; ok {
				v = c
			} else if ref, ok := strings.CutPrefix(v, "$"); ok {
				op, path, _ := strings.Cut(ref, ":")
				op, nth, _ := strings.Cut(op, "#")
				i := 0
				if nth != "" {
					i = int(nth[0] - '1')
				}
				if i >= len(answers[op]) {
					t.Fatalf("%s: no answer #%d to %s", step.action, i+1, op)
				}
				found := answers[op][i].Find(path)
				if len(found) == 0 {
					t.Fatalf("%s: no %s in the answer to %s", step.action, path, op)
				}
				v = found[0].Text
			}
			form.Set(step.form[i], v)
		}
		called[step.action] = true
		status, body := postForm(t, a.url, form)
		if step.wantCode != "" {
			if status != 400 || !strings.Contains(body, "<Code>"+step.wantCode+"</Code>") {
				t.Errorf("%s: %d %s, want %s", step.action, status, body, step.wantCode)
			}
			continue
		}
		if status != 200 {
			t.Fatalf("%s %v: %d %s", step.action, form, status, body)
		}
		root, err := awsmodel.ParseXML([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		result := root.Child(step.action + "Result")
		if result == nil {
			result = &awsmodel.Node{}
		}
		answers[step.action] = append(answers[step.action], result)
		for _, path := range step.always {
			if len(result.Find(path)) == 0 {
				t.Errorf("%s: the answer has no %s, which ELB always sends: %s", step.action, path, body)
			}
		}
	}
	var missing []string
	for name := range New(elbops.New(nil, nil, nil), nil).ops {
		if !called[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("served actions without a step in elbScenario: %v", missing)
	}
}

// postForm posts a Query request and returns the status and body.
func postForm(t *testing.T, base string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", testutil.DummyAuthorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
