package agentlink

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/model"
)

func TestApplyReportStatusOnlyMovesForward(t *testing.T) {
	tk := model.Task{LastStatus: model.TaskRunning, DesiredStatus: model.TaskRunning}
	ApplyReport(&tk, agent.TaskReport{LastStatus: model.TaskPending, At: time.Now()})
	if tk.LastStatus != model.TaskRunning {
		t.Fatalf("status moved back to %s", tk.LastStatus)
	}
}

func TestApplyReportKeepsStopCodeOfDirectStop(t *testing.T) {
	tk := model.Task{LastStatus: model.TaskProvisioning, DesiredStatus: model.TaskRunning}
	ApplyReport(&tk, agent.TaskReport{LastStatus: model.TaskStopped, StopCode: model.StopTaskFailedToStart,
		StoppedReason: "CannotStartContainerError: x", At: time.Now()})
	if tk.StopCode != model.StopTaskFailedToStart || tk.DesiredStatus != model.TaskStopped || tk.StoppedAt == nil || tk.StartedAt != nil {
		t.Fatalf("task: %+v", tk)
	}
	ApplyReport(&tk, agent.TaskReport{StopCode: model.StopEssentialContainerExited, StoppedReason: "later", At: time.Now()})
	if tk.StoppedReason != "CannotStartContainerError: x" {
		t.Fatalf("first reason must win, got %q", tk.StoppedReason)
	}
}

func TestApplyReportStampsPassedStatuses(t *testing.T) {
	tk := model.Task{LastStatus: model.TaskProvisioning, DesiredStatus: model.TaskRunning}
	ApplyReport(&tk, agent.TaskReport{LastStatus: model.TaskRunning, At: time.Now()})
	if tk.PullStartedAt == nil || tk.PullStoppedAt == nil || tk.StartedAt == nil || tk.ConnectivityAt == nil {
		t.Fatalf("timestamps: %+v", tk)
	}
}
