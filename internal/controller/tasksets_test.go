package controller

import (
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// createExternal stores an EXTERNAL service with task sets of the given
// task definitions, scales and target groups, as the API would.
func (w *world) createExternal(name string, desired int, sets ...model.TaskSet) []string {
	var ids []string
	w.update(func(tx state.Tx) error {
		for _, ts := range sets {
			for _, l := range ts.LoadBalancers {
				name := l.TargetGroupARN[strings.Index(l.TargetGroupARN, "/")+1 : strings.LastIndex(l.TargetGroupARN, "/")]
				if err := tx.PutTargetGroup(model.TargetGroup{ARN: l.TargetGroupARN, Name: name, Protocol: "HTTP", Port: 8080, TargetType: "instance"}); err != nil {
					return err
				}
			}
		}
		svc := model.Service{Name: name, ARN: tx.Partition.ServiceARN("default", name), ClusterARN: tx.Partition.ClusterARN("default"),
			Status: model.ServiceActive, DesiredCount: desired, SchedulingStrategy: "REPLICA",
			DeploymentController: &model.DeploymentController{Type: model.ControllerExternal}, Deployments: []model.Deployment{}}
		for _, ts := range sets {
			seq, err := tx.NextDeploymentSeq()
			if err != nil {
				return err
			}
			ts.ID = model.DeploymentID(seq)
			ts.ARN = tx.Partition.TaskSetARN("default", name, ts.ID)
			ts.Status = model.TaskSetActive
			ts.ComputedDesiredCount = model.ComputedDesiredCount(desired, ts.Scale.Value)
			svc.TaskSets = append(svc.TaskSets, ts)
			ids = append(ids, ts.ID)
		}
		return tx.PutService("default", svc)
	})
	return ids
}

func (w *world) taskSetTasks(id string) (live, registeredIn map[string]int) {
	live, registeredIn = map[string]int{}, map[string]int{}
	for _, t := range w.tasks() {
		if t.Internal.DeploymentID != id || t.DesiredStatus != model.TaskRunning {
			continue
		}
		live[t.LastStatus]++
		for _, tt := range t.Internal.Targets {
			if tt.State == model.TargetRegistered {
				registeredIn[tt.TargetGroupARN]++
			}
		}
	}
	return live, registeredIn
}

// Two task sets of an EXTERNAL service (100% and 50% of 4) run 4 and 2
// tasks, each registered in its own task set's target group, and reach
// STEADY_STATE; scaling one down, deleting it and deleting the service
// stop their tasks.
func TestTaskSetsSplitTasksAcrossTargetGroups(t *testing.T) {
	w := newWorld(t, true)
	blueTD, greenTD := w.registerTD("blue", 1, false), w.registerTD("green", 1, false)
	blueTG, greenTG := "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/blue/1", "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/green/2"
	lbOf := func(tg string) []model.LoadBalancer {
		return []model.LoadBalancer{{TargetGroupARN: tg, ContainerName: "web", ContainerPort: 8080}}
	}
	ids := w.createExternal("ext", 4,
		model.TaskSet{TaskDefinition: blueTD, LoadBalancers: lbOf(blueTG), Scale: model.Scale{Value: 100, Unit: model.ScaleUnitPercent}},
		model.TaskSet{TaskDefinition: greenTD, LoadBalancers: lbOf(greenTG), Scale: model.Scale{Value: 50, Unit: model.ScaleUnitPercent}})
	blue, green := ids[0], ids[1]
	w.settle(20, "both task sets steady", func() bool {
		s := w.service("ext")
		return len(s.TaskSets) == 2 && s.TaskSets[0].StabilityStatus == model.StabilitySteadyState &&
			s.TaskSets[1].StabilityStatus == model.StabilitySteadyState
	})
	s := w.service("ext")
	if s.TaskSets[0].RunningCount != 4 || s.TaskSets[1].RunningCount != 2 {
		t.Fatalf("running counts: %+v", s.TaskSets)
	}
	for _, c := range []struct {
		id, tg, other string
		n             int
	}{{blue, blueTG, greenTG, 4}, {green, greenTG, blueTG, 2}} {
		live, reg := w.taskSetTasks(c.id)
		if live[model.TaskRunning] != c.n || reg[c.tg] != c.n || reg[c.other] != 0 {
			t.Fatalf("task set %s: live %v registered %v", c.id, live, reg)
		}
		w.update(func(tx state.Tx) error {
			targets, err := tx.Targets(c.tg)
			if err == nil && len(targets) != c.n {
				t.Fatalf("target group %s has %d targets, want %d", c.tg, len(targets), c.n)
			}
			return err
		})
	}
	for _, tk := range w.tasks() {
		if tk.StartedBy != tk.Internal.DeploymentID || tk.Group != "service:ext" {
			t.Fatalf("task %s startedBy %q group %q", tk.Internal.ID, tk.StartedBy, tk.Group)
		}
	}

	// Green to 25% of 4: one task; then deleted: none, and the task set goes.
	w.updateService("ext", func(_ state.Tx, s *model.Service) error {
		s.TaskSet(green).Scale.Value = 25
		return nil
	})
	w.settle(20, "green at 1", func() bool {
		live, reg := w.taskSetTasks(green)
		return live[model.TaskRunning] == 1 && reg[greenTG] == 1 && w.service("ext").TaskSets[1].StabilityStatus == model.StabilitySteadyState
	})
	w.updateService("ext", func(_ state.Tx, s *model.Service) error {
		s.TaskSet(green).Status = model.TaskSetDraining
		return nil
	})
	w.settle(20, "green removed", func() bool { return len(w.service("ext").TaskSets) == 1 })
	if live, _ := w.taskSetTasks(green); len(live) != 0 {
		t.Fatalf("green tasks left: %v", live)
	}
	w.update(func(tx state.Tx) error {
		targets, err := tx.Targets(greenTG)
		if err == nil && len(targets) != 0 {
			t.Fatalf("green targets left: %+v", targets)
		}
		return err
	})
	if !w.hasEvent("ext", "(task set "+green+") was deleted.") {
		t.Fatalf("events: %+v", w.service("ext").Events)
	}

	w.updateService("ext", func(_ state.Tx, s *model.Service) error {
		s.BeginDeletion()
		return nil
	})
	w.settle(20, "service inactive", func() bool { return w.service("ext").Status == model.ServiceInactive })
	if live, _ := w.taskSetTasks(blue); len(live) != 0 {
		t.Fatalf("blue tasks left: %v", live)
	}
}

// A DAEMON service runs one task on each ACTIVE container instance, its
// desired count following the instances; a deployment replaces each in
// place (maximumPercent 100, minimumHealthyPercent 0).
func TestDaemonOneTaskPerInstance(t *testing.T) {
	w := newWorld(t, false)
	second := w.st.Partition.ContainerInstanceARN("default", "node2")
	w.update(func(tx state.Tx) error {
		return tx.PutInstance(model.ContainerInstance{ARN: second, Status: "ACTIVE", Internal: model.InstanceInternal{ID: "node2", Cluster: "default"}})
	})
	v1 := w.registerTD("agent", 1, false)
	w.update(func(tx state.Tx) error {
		svc := model.Service{Name: "d", ARN: tx.Partition.ServiceARN("default", "d"), ClusterARN: tx.Partition.ClusterARN("default"),
			Status: model.ServiceActive, SchedulingStrategy: model.SchedulingDaemon,
			DeploymentConfiguration: model.DeploymentConfiguration{MaximumPercent: new(100), MinimumHealthyPercent: new(0)}}
		seq, err := tx.NextDeploymentSeq()
		if err != nil {
			return err
		}
		svc.StartDeployment(seq, v1, w.now)
		return tx.PutService("default", svc)
	})
	perNode := func(td string) map[string]int {
		m := map[string]int{}
		for _, tk := range w.tasks() {
			if tk.TaskDefinitionARN == td && tk.DesiredStatus == model.TaskRunning && tk.LastStatus == model.TaskRunning {
				m[tk.ContainerInstanceARN]++
			}
		}
		return m
	}
	w.settle(20, "one task per instance", func() bool {
		m := perNode(v1)
		return len(m) == 2 && m[w.instance] == 1 && m[second] == 1 && w.completed("d", v1)
	})
	if s := w.service("d"); s.DesiredCount != 2 {
		t.Fatalf("desired %d", s.DesiredCount)
	}
	third := w.st.Partition.ContainerInstanceARN("default", "node3")
	w.update(func(tx state.Tx) error {
		return tx.PutInstance(model.ContainerInstance{ARN: third, Status: "ACTIVE", Internal: model.InstanceInternal{ID: "node3", Cluster: "default"}})
	})
	w.settle(20, "the new instance gets one", func() bool { m := perNode(v1); return len(m) == 3 && m[third] == 1 })
	v2 := w.registerTD("agent", 2, false)
	w.deploy("d", v2)
	w.settle(40, "v2 on every instance", func() bool {
		m := perNode(v2)
		return len(m) == 3 && m[w.instance] == 1 && m[second] == 1 && m[third] == 1 && len(perNode(v1)) == 0 && w.completed("d", v2)
	})
	for _, n := range perNode(v2) {
		if n != 1 {
			t.Fatalf("per node %v", perNode(v2))
		}
	}
}
