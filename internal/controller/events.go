package controller

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// repeatWindow suppresses an event identical to the newest one for this
// long, as ECS does not repeat the same message on every pass.
const repeatWindow = 5 * time.Minute

// addEvent records an event in ECS's wording, "(service NAME) ...".
func addEvent(s *model.Service, now time.Time, format string, args ...any) {
	s.AddEvent(now, fmt.Sprintf("(service %s) ", s.Name)+fmt.Sprintf(format, args...))
}

// addRepeatingEvent records a condition that holds across many passes
// (throttled, unplaceable, stuck) unless the same message was recorded
// within repeatWindow, so the log is not flooded with it.
func addRepeatingEvent(s *model.Service, now time.Time, format string, args ...any) {
	msg := fmt.Sprintf("(service %s) ", s.Name) + fmt.Sprintf(format, args...)
	for _, e := range s.Events {
		if now.Sub(e.CreatedAt.Time) >= repeatWindow {
			break
		}
		if e.Message == msg {
			return
		}
	}
	s.AddEvent(now, msg)
}

// taskList formats task ids as ECS lists them: "(task a) (task b)".
func taskList(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "(task " + id + ")"
	}
	return strings.Join(parts, " ")
}

// eventStarted and eventStopped record the tasks in groups of at most
// maxIDsPerEvent, so that an event stays one line however many tasks a
// pass starts; nothing is recorded for none.
func eventStarted(s *model.Service, now time.Time, ids []string) {
	for group := range slices.Chunk(ids, maxIDsPerEvent) {
		addEvent(s, now, "has started %d tasks: %s.", len(group), taskList(group))
	}
}

func eventStopped(s *model.Service, now time.Time, ids []string) {
	for group := range slices.Chunk(ids, maxIDsPerEvent) {
		addEvent(s, now, "has stopped %d running tasks: %s.", len(group), taskList(group))
	}
}

func eventSteady(s *model.Service, now time.Time) {
	addEvent(s, now, "has reached a steady state.")
}

func eventThrottled(s *model.Service, now time.Time) {
	addRepeatingEvent(s, now, "is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
}

func eventStuck(s *model.Service, now time.Time) {
	addRepeatingEvent(s, now, "was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.")
}

// resourceWord names a placement failure reason as ECS's event does.
func resourceWord(reason string) string {
	switch reason {
	case "RESOURCE:CPU":
		return "CPU"
	case "RESOURCE:MEMORY":
		return "memory"
	case "RESOURCE:PORTS":
		return "ports"
	}
	return reason
}

func eventUnplaced(s *model.Service, now time.Time, instanceARN, reason string) {
	if instanceARN == "" {
		addRepeatingEvent(s, now, "was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
		return
	}
	id := instanceARN[strings.LastIndex(instanceARN, "/")+1:]
	addRepeatingEvent(s, now, "was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance %s) has insufficient %s available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", id, resourceWord(reason))
}
