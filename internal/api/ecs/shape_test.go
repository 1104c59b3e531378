package ecs

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/testutil/awsmodel"
)

// shapeStep is one call of the shape scenario: the operation, its body
// (fmt verbs filled from earlier answers by args), the members ECS always
// sends in its answer (awsmodel.Lookup paths), and, for operations whose
// success needs what this server cannot reach here (a running agent, a
// paused hook), the exception it answers instead.
type shapeStep struct {
	op       string
	body     string
	args     []string // Lookup paths into the earlier answers: "OP:path"
	always   []string
	wantCode string
}

// Fields ECS always sends, shape by shape (checked against ECS's
// documented examples and the API reference's response syntax).
var (
	clusterAlways = []string{"clusterArn", "clusterName", "status", "registeredContainerInstancesCount",
		"runningTasksCount", "pendingTasksCount", "activeServicesCount", "statistics", "tags", "settings"}
	taskDefAlways = []string{"taskDefinitionArn", "family", "revision", "status", "containerDefinitions", "volumes",
		"placementConstraints", "compatibilities", "requiresAttributes", "registeredAt", "networkMode",
		"containerDefinitions[].name", "containerDefinitions[].image", "containerDefinitions[].cpu",
		"containerDefinitions[].portMappings", "containerDefinitions[].essential", "containerDefinitions[].environment",
		"containerDefinitions[].mountPoints", "containerDefinitions[].volumesFrom",
		"containerDefinitions[].portMappings[].containerPort", "containerDefinitions[].portMappings[].hostPort",
		"containerDefinitions[].portMappings[].protocol"}
	serviceAlways = []string{"serviceArn", "serviceName", "clusterArn", "loadBalancers", "serviceRegistries", "status",
		"desiredCount", "runningCount", "pendingCount", "launchType", "taskDefinition", "deploymentConfiguration",
		"deploymentConfiguration.maximumPercent", "deploymentConfiguration.minimumHealthyPercent",
		"deploymentConfiguration.deploymentCircuitBreaker", "deploymentController.type",
		"deployments", "events", "createdAt", "placementConstraints", "placementStrategy", "schedulingStrategy",
		"enableECSManagedTags", "propagateTags", "enableExecuteCommand", "createdBy", "availabilityZoneRebalancing",
		"deployments[].id", "deployments[].status", "deployments[].taskDefinition", "deployments[].desiredCount",
		"deployments[].pendingCount", "deployments[].runningCount", "deployments[].failedTasks",
		"deployments[].createdAt", "deployments[].updatedAt", "deployments[].launchType", "deployments[].rolloutState",
		"deployments[].rolloutStateReason"}
	taskAlways = []string{"taskArn", "clusterArn", "taskDefinitionArn", "containerInstanceArn", "attachments", "attributes",
		"availabilityZone", "containers", "cpu", "memory", "createdAt", "desiredStatus", "lastStatus", "launchType",
		"group", "overrides.containerOverrides", "overrides.containerOverrides[].name", "overrides.inferenceAcceleratorOverrides", "tags", "version",
		"enableExecuteCommand", "containers[].containerArn", "containers[].taskArn", "containers[].name",
		"containers[].image", "containers[].lastStatus", "containers[].networkInterfaces", "containers[].cpu"}
	instanceAlways = []string{"containerInstanceArn", "status", "agentConnected", "registeredResources", "remainingResources",
		"runningTasksCount", "pendingTasksCount", "versionInfo", "attributes", "registeredAt",
		"registeredResources[].name", "registeredResources[].type", "registeredResources[].integerValue",
		"registeredResources[].longValue", "registeredResources[].doubleValue"}
	capacityAlways = []string{"capacityProviderArn", "name", "status", "tags"}
	taskSetAlways  = []string{"id", "taskSetArn", "serviceArn", "clusterArn", "status", "taskDefinition", "computedDesiredCount",
		"pendingCount", "runningCount", "createdAt", "updatedAt", "launchType", "loadBalancers", "serviceRegistries",
		"scale.value", "scale.unit", "stabilityStatus", "stabilityStatusAt"}
)

func under(prefix string, paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, prefix+"."+p)
	}
	return out
}

const cpASG = "arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:a1b2c3d4-5678-90ab-cdef-11111EXAMPLE:autoScalingGroupName/asg"

// shapeScenario calls every operation the handler serves, each answer
// checked against the model (checkedAnswers) and for ECS's always-sent
// members.
var shapeScenario = []shapeStep{
	{op: "CreateCluster", body: `{"clusterName":"shapes","tags":[{"key":"team","value":"a"}]}`, always: under("cluster", clusterAlways)},
	{op: "PutAccountSetting", body: `{"name":"awsvpcTrunking","value":"enabled"}`,
		always: []string{"setting.name", "setting.value", "setting.principalArn", "setting.type"}},
	{op: "PutAccountSettingDefault", body: `{"name":"tagResourceAuthorization","value":"on"}`,
		always: []string{"setting.name", "setting.value", "setting.principalArn", "setting.type"}},
	{op: "ListAccountSettings", body: `{"effectiveSettings":true}`,
		always: []string{"settings", "settings[].name", "settings[].value", "settings[].principalArn", "settings[].type"}},
	{op: "DeleteAccountSetting", body: `{"name":"awsvpcTrunking"}`, always: []string{"setting.name", "setting.value"}},
	{op: "CreateCapacityProvider", body: `{"name":"cp1","autoScalingGroupProvider":{"autoScalingGroupArn":"` + cpASG + `"}}`,
		always: append(under("capacityProvider", capacityAlways), "capacityProvider.autoScalingGroupProvider.autoScalingGroupArn")},
	{op: "UpdateCapacityProvider", body: `{"name":"cp1","autoScalingGroupProvider":{"managedTerminationProtection":"DISABLED"}}`,
		always: under("capacityProvider", capacityAlways)},
	{op: "DescribeCapacityProviders", body: `{"capacityProviders":["cp1","FARGATE"],"include":["TAGS"]}`,
		always: append(under("capacityProviders[]", capacityAlways), "failures")},
	{op: "PutClusterCapacityProviders", body: `{"cluster":"shapes","capacityProviders":["FARGATE","cp1"],"defaultCapacityProviderStrategy":[{"capacityProvider":"cp1","weight":1}]}`,
		always: append(under("cluster", clusterAlways), "cluster.capacityProviders", "cluster.defaultCapacityProviderStrategy")},
	{op: "UpdateCluster", body: `{"cluster":"shapes","settings":[{"name":"containerInsights","value":"enabled"}]}`, always: under("cluster", clusterAlways)},
	{op: "UpdateClusterSettings", body: `{"cluster":"shapes","settings":[{"name":"containerInsights","value":"disabled"}]}`, always: under("cluster", clusterAlways)},
	{op: "ListClusters", body: `{}`, always: []string{"clusterArns"}},
	{op: "RegisterTaskDefinition", body: `{"family":"web","containerDefinitions":[{"name":"web","image":"nginx","memory":128,"portMappings":[{"containerPort":80}]}]}`,
		always: under("taskDefinition", taskDefAlways)},
	{op: "RegisterTaskDefinition", body: `{"family":"old","containerDefinitions":[{"name":"c","image":"busybox","memory":64}]}`,
		always: under("taskDefinition", taskDefAlways)},
	{op: "DescribeTaskDefinition", body: `{"taskDefinition":"web:1","include":["TAGS"]}`, always: append(under("taskDefinition", taskDefAlways), "tags")},
	{op: "ListTaskDefinitions", body: `{}`, always: []string{"taskDefinitionArns"}},
	{op: "ListTaskDefinitionFamilies", body: `{}`, always: []string{"families"}},
	{op: "DeregisterTaskDefinition", body: `{"taskDefinition":"old:1"}`, always: under("taskDefinition", taskDefAlways)},
	{op: "DeleteTaskDefinitions", body: `{"taskDefinitions":["old:1"]}`, always: []string{"taskDefinitions", "failures",
		"taskDefinitions[].status", "taskDefinitions[].deleteRequestedAt"}},
	{op: "CreateService", body: `{"cluster":"shapes","serviceName":"web","taskDefinition":"web","desiredCount":1,"launchType":"EC2"}`,
		always: under("service", serviceAlways)},
	{op: "UpdateService", body: `{"cluster":"shapes","service":"web","desiredCount":2}`, always: under("service", serviceAlways)},
	{op: "DescribeServices", body: `{"cluster":"shapes","services":["web","missing"],"include":["TAGS"]}`,
		always: append(under("services[]", serviceAlways), "failures[].arn", "failures[].reason", "services[].tags")},
	{op: "CreateService", body: `{"cluster":"shapes","serviceName":"ext","desiredCount":1,"launchType":"EC2","deploymentController":{"type":"EXTERNAL"}}`,
		always: under("service", []string{"serviceArn", "deploymentController.type", "taskSets", "serviceRegistries"})},
	{op: "CreateTaskSet", body: `{"cluster":"shapes","service":"ext","taskDefinition":"web","externalId":"x1"}`, always: under("taskSet", taskSetAlways)},
	{op: "UpdateTaskSet", body: `{"cluster":"shapes","service":"ext","taskSet":%q,"scale":{"value":50,"unit":"PERCENT"}}`,
		args: []string{"CreateTaskSet:taskSet.id"}, always: under("taskSet", taskSetAlways)},
	{op: "UpdateServicePrimaryTaskSet", body: `{"cluster":"shapes","service":"ext","primaryTaskSet":%q}`,
		args: []string{"CreateTaskSet:taskSet.id"}, always: under("taskSet", taskSetAlways)},
	{op: "DescribeTaskSets", body: `{"cluster":"shapes","service":"ext","include":["TAGS"]}`,
		always: append(under("taskSets[]", taskSetAlways), "failures")},
	{op: "DeleteTaskSet", body: `{"cluster":"shapes","service":"ext","taskSet":%q,"force":true}`,
		args: []string{"CreateTaskSet:taskSet.id"}, always: under("taskSet", taskSetAlways)},
	{op: "ListServices", body: `{"cluster":"shapes"}`, always: []string{"serviceArns"}},
	{op: "ListServiceDeployments", body: `{"cluster":"shapes","service":"web"}`,
		always: []string{"serviceDeployments", "serviceDeployments[].serviceDeploymentArn", "serviceDeployments[].serviceArn",
			"serviceDeployments[].clusterArn", "serviceDeployments[].createdAt", "serviceDeployments[].targetServiceRevisionArn",
			"serviceDeployments[].status"}},
	{op: "DescribeServiceDeployments", body: `{"serviceDeploymentArns":[%q]}`, args: []string{"ListServiceDeployments:serviceDeployments[].serviceDeploymentArn"},
		always: []string{"serviceDeployments[].serviceDeploymentArn", "serviceDeployments[].serviceArn", "serviceDeployments[].clusterArn",
			"serviceDeployments[].createdAt", "serviceDeployments[].status", "serviceDeployments[].targetServiceRevision.arn",
			"serviceDeployments[].deploymentConfiguration", "failures"}},
	{op: "DescribeServiceRevisions", body: `{"serviceRevisionArns":[%q]}`, args: []string{"ListServiceDeployments:serviceDeployments[].targetServiceRevisionArn"},
		always: []string{"serviceRevisions[].serviceRevisionArn", "serviceRevisions[].serviceArn", "serviceRevisions[].clusterArn",
			"serviceRevisions[].taskDefinition", "serviceRevisions[].createdAt", "serviceRevisions[].launchType",
			"serviceRevisions[].guardDutyEnabled", "serviceRevisions[].containerImages", "failures"}},
	{op: "ContinueServiceDeployment", body: `{"serviceDeploymentArn":%q,"hookId":"ecs-pause-0"}`,
		args: []string{"ListServiceDeployments:serviceDeployments[].serviceDeploymentArn"}, wantCode: "InvalidParameterException"},
	{op: "StopServiceDeployment", body: `{"serviceDeploymentArn":%q,"stopType":"ROLLBACK"}`,
		args: []string{"ListServiceDeployments:serviceDeployments[].serviceDeploymentArn"}, always: []string{"serviceDeploymentArn"}},
	{op: "RunTask", body: `{"cluster":"shapes","taskDefinition":"web","count":1,"startedBy":"shape-test"}`,
		always: append(under("tasks[]", taskAlways), "failures")},
	{op: "ListTasks", body: `{"cluster":"shapes"}`, always: []string{"taskArns"}},
	{op: "DescribeTasks", body: `{"cluster":"shapes","tasks":[%q,"0123456789abcdef0123456789abcdef"],"include":["TAGS"]}`,
		args: []string{"RunTask:tasks[].taskArn"}, always: append(under("tasks[]", taskAlways), "failures[].arn", "failures[].reason")},
	{op: "UpdateTaskProtection", body: `{"cluster":"shapes","tasks":[%q],"protectionEnabled":true}`, args: []string{"RunTask:tasks[].taskArn"},
		always: []string{"protectedTasks", "failures"}},
	{op: "GetTaskProtection", body: `{"cluster":"shapes","tasks":[%q]}`, args: []string{"RunTask:tasks[].taskArn"},
		always: []string{"protectedTasks", "failures"}},
	{op: "StopTask", body: `{"cluster":"shapes","task":%q,"reason":"shape test"}`, args: []string{"RunTask:tasks[].taskArn"},
		always: append(under("task", taskAlways), "task.stoppedReason", "task.stopCode")},
	{op: "ListContainerInstances", body: `{"cluster":"shapes"}`, always: []string{"containerInstanceArns"}},
	{op: "StartTask", body: `{"cluster":"shapes","taskDefinition":"web","containerInstances":[%q],"startedBy":"shape-test"}`,
		args: []string{"ListContainerInstances:containerInstanceArns[]"}, always: append(under("tasks[]", taskAlways), "failures")},
	{op: "UpdateCluster", body: `{"cluster":"shapes","serviceConnectDefaults":{"namespace":"ns-shapes"}}`, always: under("cluster", clusterAlways)},
	{op: "ListServicesByNamespace", body: `{"namespace":"ns-shapes"}`, always: []string{"serviceArns"}},
	{op: "DescribeContainerInstances", body: `{"cluster":"shapes","containerInstances":[%q],"include":["TAGS"]}`,
		args: []string{"ListContainerInstances:containerInstanceArns[]"}, always: append(under("containerInstances[]", instanceAlways), "failures")},
	{op: "TagResource", body: `{"resourceArn":"arn:aws:ecs:us-east-1:000000000000:cluster/shapes","tags":[{"key":"b","value":"2"}]}`},
	{op: "UntagResource", body: `{"resourceArn":"arn:aws:ecs:us-east-1:000000000000:cluster/shapes","tagKeys":["b"]}`},
	{op: "ListTagsForResource", body: `{"resourceArn":"arn:aws:ecs:us-east-1:000000000000:cluster/shapes"}`, always: []string{"tags[].key", "tags[].value"}},
	{op: "DescribeClusters", body: `{"clusters":["shapes","missing"],"include":["STATISTICS","TAGS","SETTINGS"]}`,
		always: append(under("clusters[]", clusterAlways), "clusters[].capacityProviders", "clusters[].defaultCapacityProviderStrategy",
			"clusters[].statistics[].name", "clusters[].statistics[].value", "failures[].arn", "failures[].reason")},
	{op: "DeleteService", body: `{"cluster":"shapes","service":"web","force":true}`, always: under("service", serviceAlways)},
	{op: "DeleteCapacityProvider", body: `{"capacityProvider":"cp1"}`, wantCode: "ClientException"},
	{op: "DeleteCluster", body: `{"cluster":"shapes"}`, wantCode: "ClusterContainsServicesException"},
}

func TestEveryServedOperationAnswersInECSShape(t *testing.T) {
	awsmodel.MustLoad(t, "ecs")
	api := newTestAPI(t, nil, nil)
	answers := map[string]any{}
	called := map[string]bool{}
	for _, step := range shapeScenario {
		args := make([]any, 0, len(step.args))
		for _, a := range step.args {
			op, path, _ := strings.Cut(a, ":")
			vs, ok := awsmodel.Lookup(answers[op], path)
			if !ok || len(vs) == 0 {
				t.Fatalf("%s: no %s in the answer to %s", step.op, path, op)
			}
			args = append(args, vs[0])
		}
		body := step.body
		if len(args) > 0 {
			body = fmt.Sprintf(step.body, args...)
		}
		if step.op == "RunTask" {
			api.addInstance(t, "shapes", 4096)
		}
		called[step.op] = true
		status, out := rawCall(t, api.url, step.op, body)
		if step.wantCode != "" {
			if typ, _ := out["__type"].(string); status != 400 || !strings.HasSuffix(typ, step.wantCode) {
				t.Errorf("%s: %d %v, want %s", step.op, status, out, step.wantCode)
			}
			continue
		}
		if status != 200 {
			t.Fatalf("%s %s: %d %v", step.op, body, status, out)
		}
		answers[step.op] = map[string]any(out)
		for _, path := range step.always {
			if _, ok := awsmodel.Lookup(map[string]any(out), path); !ok {
				t.Errorf("%s: the answer has no %s, which ECS always sends: %s", step.op, path, compact(out))
			}
		}
	}
	var missing []string
	for name := range New(ecsops.New(nil, nil, ecsops.Options{}), nil).ops {
		if !called[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("served operations without a step in shapeScenario: %v", missing)
	}
	if stats, _ := awsmodel.Lookup(answers["DescribeClusters"], "clusters[].statistics[].name"); !slices.Equal(stats, []any{
		"runningEC2TasksCount", "runningFargateTasksCount", "pendingEC2TasksCount", "pendingFargateTasksCount",
		"activeEC2ServiceCount", "activeFargateServiceCount", "drainingEC2ServiceCount", "drainingFargateServiceCount"}) {
		t.Errorf("statistics %v", stats)
	}
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 600 {
		b = append(b[:600], "..."...)
	}
	return string(b)
}

// runShapeSteps runs steps as TestEveryServedOperationAnswersInECSShape
// does (without the coverage check) and returns the answers by operation.
func runShapeSteps(t *testing.T, api *testAPI, steps []shapeStep) map[string]any {
	t.Helper()
	answers := map[string]any{}
	for _, step := range steps {
		status, out := rawCall(t, api.url, step.op, step.body)
		if status != 200 {
			t.Fatalf("%s %s: %d %v", step.op, step.body, status, out)
		}
		answers[step.op] = map[string]any(out)
		for _, path := range step.always {
			if _, ok := awsmodel.Lookup(map[string]any(out), path); !ok {
				t.Errorf("%s: the answer has no %s, which ECS always sends: %s", step.op, path, compact(out))
			}
		}
	}
	return answers
}

// A Fargate service and task show the platform, the awsvpc configuration
// with assignPublicIp, and the ephemeral storage, and no container instance.
func TestFargateAnswersInECSShape(t *testing.T) {
	awsmodel.MustLoad(t, "ecs")
	api := newTestAPI(t, nil, nil)
	rawCall(t, api.url, "CreateCluster", `{"clusterName":"f"}`)
	api.addInstance(t, "f", 8192)
	network := `"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}}`
	fargateService := []string{"platformVersion", "networkConfiguration.awsvpcConfiguration.assignPublicIp",
		"deployments[].platformVersion", "deployments[].networkConfiguration.awsvpcConfiguration.assignPublicIp"}
	fargateTask := []string{"platformVersion", "platformFamily", "ephemeralStorage.sizeInGiB", "fargateEphemeralStorage.sizeInGiB"}
	answers := runShapeSteps(t, api, []shapeStep{
		{op: "RegisterTaskDefinition", body: fargateTaskDef, always: under("taskDefinition", taskDefAlways)},
		{op: "CreateService", body: `{"cluster":"f","serviceName":"web","taskDefinition":"aws101-todo-app","desiredCount":1,"launchType":"FARGATE",` + network + `}`,
			always: under("service", append(serviceAlways, fargateService...))},
		{op: "RunTask", body: `{"cluster":"f","taskDefinition":"aws101-todo-app","launchType":"FARGATE",` + network + `}`,
			always: under("tasks[]", append(slices.DeleteFunc(slices.Clone(taskAlways), func(p string) bool { return p == "containerInstanceArn" }), fargateTask...))},
	})
	svc := answers["CreateService"].(map[string]any)["service"].(map[string]any)
	dep := svc["deployments"].([]any)[0].(map[string]any)
	if svc["platformVersion"] != "LATEST" || dep["platformVersion"] != "1.4.0" {
		t.Errorf("platform versions: service %v, deployment %v", svc["platformVersion"], dep["platformVersion"])
	}
	task := answers["RunTask"].(map[string]any)["tasks"].([]any)[0].(map[string]any)
	if _, has := task["containerInstanceArn"]; has || task["platformFamily"] != "Linux" {
		t.Errorf("Fargate task: %s", compact(task))
	}
}
