package ecsops

import (
	"context"
	"errors"
	"testing"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// newOps returns the operations over a fresh bbolt store, with the default
// cluster and an ACTIVE task definition "web" (revision 1) registered.
func newOps(t *testing.T) *Ops {
	t.Helper()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	o := New(state.New(db, model.Partition{Region: "us-east-1", Account: "000000000000"}, nil), nil, Options{})
	ctx := context.Background()
	if _, err := o.CreateCluster(ctx, &CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = o.RegisterTaskDefinition(ctx, &RegisterTaskDefinitionInput{Request: []byte(
		`{"family":"web","containerDefinitions":[{"name":"web","image":"nginx","memory":128}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// wantAWSErr asserts err is an *awserr.Error with the code.
func wantAWSErr(t *testing.T, err error, code string) *awserr.Error {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("want %s, got %v", code, err)
	}
	return e
}

// What Application Auto Scaling does: an UpdateService with only a desired
// count rescales the PRIMARY deployment and starts no new one.
func TestUpdateServiceDesiredCountOnlyRescales(t *testing.T) {
	ctx := context.Background()
	o := newOps(t)
	created, err := o.CreateService(ctx, &CreateServiceInput{ServiceName: "s", TaskDefinition: "web", DesiredCount: intp(1)})
	if err != nil {
		t.Fatal(err)
	}
	first := created.Deployments[0].ID
	got, err := o.UpdateService(ctx, &UpdateServiceInput{Service: "s", DesiredCount: intp(4)})
	if err != nil {
		t.Fatal(err)
	}
	if got.DesiredCount != 4 || len(got.Deployments) != 1 || got.Deployments[0].ID != first || got.Deployments[0].DesiredCount != 4 {
		t.Fatalf("rescale: desired %d, deployments %+v", got.DesiredCount, got.Deployments)
	}
	forced, err := o.UpdateService(ctx, &UpdateServiceInput{Service: "s", ForceNewDeployment: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(forced.Deployments) != 2 || forced.Primary().ID == first {
		t.Fatalf("forceNewDeployment started no deployment: %+v", forced.Deployments)
	}
}

// A DAEMON service has no desired count of its own to set: ECS refuses
// one on UpdateService as on CreateService. Its deployments replace tasks
// in place (maximumPercent 100, minimumHealthyPercent 0 by default).
func TestUpdateServiceRefusesDaemonDesiredCount(t *testing.T) {
	ctx := context.Background()
	o := newOps(t)
	created, err := o.CreateService(ctx, &CreateServiceInput{ServiceName: "d", TaskDefinition: "web", SchedulingStrategy: "DAEMON"})
	if err != nil {
		t.Fatal(err)
	}
	if c := created.DeploymentConfiguration; *c.MaximumPercent != 100 || *c.MinimumHealthyPercent != 0 {
		t.Fatalf("daemon defaults: %d/%d", *c.MaximumPercent, *c.MinimumHealthyPercent)
	}
	_, err = o.UpdateService(ctx, &UpdateServiceInput{Service: "d", DesiredCount: intp(3)})
	if e := wantAWSErr(t, err, CodeInvalidParameter); e.Message != "The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again" {
		t.Fatalf("message %q", e.Message)
	}
	_, err = o.CreateService(ctx, &CreateServiceInput{ServiceName: "f", TaskDefinition: "web", SchedulingStrategy: "DAEMON", LaunchType: "FARGATE"})
	wantAWSErr(t, err, CodeInvalidParameter)
}

// In-process callers classify errors by code, or by the store's sentinel.
func TestErrorsAreAWSErrorsThatKeepTheirCause(t *testing.T) {
	ctx := context.Background()
	o := newOps(t)
	_, err := o.UpdateService(ctx, &UpdateServiceInput{Service: "nope", DesiredCount: intp(1)})
	if e := wantAWSErr(t, err, CodeServiceNotFound); e.Message != "Service not found." || !errors.Is(err, state.ErrServiceNotFound) {
		t.Fatalf("not found: %+v", e)
	}
	_, err = o.CreateService(ctx, &CreateServiceInput{Cluster: "nope", ServiceName: "s", TaskDefinition: "web", DesiredCount: intp(1)})
	if wantAWSErr(t, err, CodeClusterNotFound); !errors.Is(err, state.ErrClusterNotFound) {
		t.Fatal("the cluster sentinel is lost")
	}
	_, err = o.CreateService(ctx, &CreateServiceInput{ServiceName: "s", TaskDefinition: "web", DesiredCount: intp(-1)})
	wantAWSErr(t, err, CodeInvalidParameter)
	_, err = o.RegisterTaskDefinition(ctx, &RegisterTaskDefinitionInput{Request: []byte(`{"family":""}`)})
	wantAWSErr(t, err, CodeClient)
	if _, err := o.CreateService(ctx, &CreateServiceInput{ServiceName: "s", TaskDefinition: "web", DesiredCount: intp(1)}); err != nil {
		t.Fatal(err)
	}
	_, err = o.DeleteService(ctx, &DeleteServiceInput{Service: "s"})
	wantAWSErr(t, err, CodeInvalidParameter)
	if _, err := o.DeleteService(ctx, &DeleteServiceInput{Service: "s", Force: true}); err != nil {
		t.Fatal(err)
	}
	_, err = o.UpdateService(ctx, &UpdateServiceInput{Service: "s", DesiredCount: intp(1)})
	wantAWSErr(t, err, CodeServiceNotActive)
}

// CreateCluster of an ACTIVE cluster returns it unchanged, with its tags.
func TestCreateClusterIsIdempotent(t *testing.T) {
	ctx := context.Background()
	o := newOps(t)
	tags := []model.Tag{{Key: "team", Value: "a"}}
	first, err := o.CreateCluster(ctx, &CreateClusterInput{ClusterName: "c", Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	again, err := o.CreateCluster(ctx, &CreateClusterInput{ClusterName: "c", Tags: []model.Tag{{Key: "team", Value: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if again.ARN != first.ARN || !again.CreatedAt.Equal(first.CreatedAt.Time) || len(again.Tags) != 1 || again.Tags[0] != tags[0] {
		t.Fatalf("second create changed the cluster: %+v", again)
	}
}

// Compatibilities are EC2 and those the definition requires, once each.
func TestTaskDefinitionCompatibilities(t *testing.T) {
	ctx := context.Background()
	o := newOps(t)
	td, err := o.RegisterTaskDefinition(ctx, &RegisterTaskDefinitionInput{Request: []byte(`{"family":"f","requiresCompatibilities":["EC2","FARGATE"],` +
		`"networkMode":"awsvpc","cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"nginx"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(td.Compatibilities) != 2 || td.Compatibilities[0] != "EC2" || td.Compatibilities[1] != "FARGATE" || td.Revision != 1 {
		t.Fatalf("compatibilities %v, revision %d", td.Compatibilities, td.Revision)
	}
	dereg, err := o.DeregisterTaskDefinition(ctx, &DeregisterTaskDefinitionInput{TaskDefinition: "f:1"})
	if err != nil || dereg.Status != model.TaskDefinitionInactive || dereg.DeregisteredAt == nil {
		t.Fatalf("deregister: %+v, %v", dereg, err)
	}
}

func intp(n int) *int { return &n }

// addInstance registers a container instance with memory MiB, as the agent does.
func addInstance(t *testing.T, o *Ops, memory int) string {
	t.Helper()
	st := o.st.(*state.State)
	id := model.NewID()
	arn := st.Partition.ContainerInstanceARN(model.DefaultClusterName, id)
	err := st.Update(context.Background(), func(tx state.Tx) error {
		return tx.PutInstance(model.ContainerInstance{ARN: arn, Status: "ACTIVE", AgentConnected: true, RegisteredAt: st.NowTime(),
			RegisteredResources: []model.Resource{{Name: "MEMORY", Type: "INTEGER", IntegerValue: memory}},
			Internal:            model.InstanceInternal{ID: id, Cluster: model.DefaultClusterName, Runtime: "process"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

// RunTask places what fits and reports the rest; the instance's remaining
// memory and counts follow the tasks placed, until they stop.
func TestRunTaskPlacesWhatFits(t *testing.T) {
	ctx := context.Background()
	o := newOps(t)
	_, err := o.RunTask(ctx, &RunTaskInput{TaskDefinition: "web"})
	wantAWSErr(t, err, CodeInvalidParameter)
	inst := addInstance(t, o, 300)
	run, err := o.RunTask(ctx, &RunTaskInput{TaskDefinition: "web", Count: intp(3), Tags: []model.Tag{{Key: "k", Value: "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Tasks) != 2 || len(run.Failures) != 1 || run.Failures[0].Reason != "RESOURCE:MEMORY" || len(run.Tasks[0].Tags) != 1 {
		t.Fatalf("run: %d tasks, failures %+v", len(run.Tasks), run.Failures)
	}
	desc, err := o.DescribeContainerInstances(ctx, &DescribeContainerInstancesInput{ContainerInstances: []string{inst}})
	if err != nil || desc.ContainerInstances[0].PendingTasksCount != 2 || desc.ContainerInstances[0].RemainingResources[0].IntegerValue != 300-2*128 {
		t.Fatalf("instance: %+v, %v", desc, err)
	}
	stopped, err := o.StopTask(ctx, &StopTaskInput{Task: run.Tasks[0].ARN})
	if err != nil || stopped.DesiredStatus != model.TaskStopped || stopped.StoppedReason != "Task stopped by user" {
		t.Fatalf("stop: %+v, %v", stopped, err)
	}
	listed, err := o.ListTasks(ctx, &ListTasksInput{DesiredStatus: model.TaskStopped})
	if err != nil || len(listed.TaskARNs) != 1 || listed.TaskARNs[0] != run.Tasks[0].ARN {
		t.Fatalf("stopped tasks: %+v, %v", listed, err)
	}
}

// Tagging a resource that does not exist is ResourceNotFoundException, with
// the store's sentinel kept; a cluster's is ClusterNotFoundException.
func TestTagsOfMissingResources(t *testing.T) {
	ctx := context.Background()
	o := newOps(t)
	tags := []model.Tag{{Key: "k", Value: "v"}}
	err := o.TagResource(ctx, &TagResourceInput{ResourceARN: "arn:aws:ecs:us-east-1:000000000000:service/default/nope", Tags: tags})
	if wantAWSErr(t, err, CodeResourceNotFound); !errors.Is(err, state.ErrServiceNotFound) {
		t.Fatal("the service sentinel is lost")
	}
	err = o.TagResource(ctx, &TagResourceInput{ResourceARN: "arn:aws:ecs:us-east-1:000000000000:cluster/nope", Tags: tags})
	wantAWSErr(t, err, CodeClusterNotFound)
	td := "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1"
	if err := o.TagResource(ctx, &TagResourceInput{ResourceARN: td, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	got, err := o.ListTagsForResource(ctx, &ListTagsForResourceInput{ResourceARN: td})
	if err != nil || len(got.Tags) != 1 || got.Tags[0] != tags[0] {
		t.Fatalf("tags: %+v, %v", got, err)
	}
}

// TestAnalysisTagChecked: a slipway:analysis tag Slipway cannot read is
// refused, not stored and ignored; a readable one is kept.
func TestAnalysisTagChecked(t *testing.T) {
	ctx := context.Background()
	o := newOps(t)
	td := "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1"
	err := o.TagResource(ctx, &TagResourceInput{ResourceARN: td, Tags: []model.Tag{{Key: "slipway:analysis", Value: "min-requests=few"}}})
	wantAWSErr(t, err, CodeInvalidParameter)
	good := []model.Tag{{Key: "slipway:analysis", Value: "min-requests=50 error-increase=2"}}
	if err := o.TagResource(ctx, &TagResourceInput{ResourceARN: td, Tags: good}); err != nil {
		t.Fatal(err)
	}
	got, err := o.ListTagsForResource(ctx, &ListTagsForResourceInput{ResourceARN: td})
	if err != nil || len(got.Tags) != 1 || got.Tags[0] != good[0] {
		t.Fatalf("tags: %+v, %v", got, err)
	}
}
