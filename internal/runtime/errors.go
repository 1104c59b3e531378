package runtime

import (
	"errors"
	"fmt"
)

// Sentinel errors. Runtimes wrap them with %w; callers classify with errors.Is.
var (
	// ErrNotFound means the container's executable (or image) does not exist.
	ErrNotFound = errors.New("executable file not found")
	// ErrGone means an adopted container no longer runs; see GoneError for its exit.
	ErrGone = errors.New("container is gone")
	// ErrCannotStart marks every failure to start a container; its text is the ECS
	// stop code so that messages read as ECS's do.
	ErrCannotStart = errors.New("CannotStartContainerError")
	// ErrCannotPull marks a container image that is neither on this machine nor
	// pullable; its text is ECS's stop code for it.
	ErrCannotPull = errors.New("CannotPullContainerError")
	// ErrPortInUse means a fixed host port is taken or no dynamic port could be found.
	ErrPortInUse = errors.New("host port is already in use")
	// ErrInvalidSpec means the Spec cannot be run as given (e.g. no executable named).
	ErrInvalidSpec = errors.New("invalid container spec")
	// ErrInvalidState means a State could not be decoded by this runtime.
	ErrInvalidState = errors.New("invalid container state")
)

// GoneError reports that an adopted container has exited. It unwraps to ErrGone.
type GoneError struct {
	// Exit is how the container ended; nil when nothing is known (e.g. the supervisor
	// died without recording it, or its pid now belongs to another process).
	Exit *ExitStatus
	// Detail says how we know the container is gone.
	Detail string
}

// Error describes the container's end.
func (e *GoneError) Error() string {
	if e.Exit != nil && e.Exit.Reason != "" {
		return fmt.Sprintf("%v: %s (%s)", ErrGone, e.Detail, e.Exit.Reason)
	}
	return fmt.Sprintf("%v: %s", ErrGone, e.Detail)
}

// Unwrap makes errors.Is(err, ErrGone) true.
func (e *GoneError) Unwrap() error { return ErrGone }
