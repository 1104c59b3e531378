package model

import "time"

// Task scale-in protection bounds, as ECS applies them: protection lasts
// 1 to 2,880 minutes, 120 when not given.
const (
	DefaultProtectionMinutes = 120
	MaxProtectionMinutes     = 2880
)

// Protected reports whether the task's scale-in protection holds at now:
// a service's scale-in does not stop a protected task (the scheduler's
// scaleInStops). A deployment still replaces it.
func (t *Task) Protected(now time.Time) bool {
	return !t.Internal.ProtectedUntil.IsZero() && now.Before(t.Internal.ProtectedUntil)
}
