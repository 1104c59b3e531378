package model

import "time"

// RequestStop sets a task's desired status to STOPPED with ECS's stop code
// and reason. The first reason wins: a task that already has a stop code
// keeps the reason it was stopped for.
func RequestStop(t *Task, code, reason string, now time.Time) {
	t.DesiredStatus = TaskStopped
	if t.StopCode == "" {
		t.StopCode = code
		t.StoppedReason = reason
	}
	if t.StoppingAt == nil {
		t.StoppingAt = Ptr(now)
	}
}
