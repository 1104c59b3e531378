package runtime

import (
	"errors"
	"fmt"
	"testing"
)

func TestGoneError(t *testing.T) {
	code := 3
	err := fmt.Errorf("adopt: %w", &GoneError{Exit: &ExitStatus{ExitCode: &code, Reason: "exit status 3"}, Detail: "exited while no server watched"})
	var gone *GoneError
	if !errors.Is(err, ErrGone) || !errors.As(err, &gone) || *gone.Exit.ExitCode != 3 {
		t.Fatalf("classification failed for %v", err)
	}
	if got := err.Error(); got != "adopt: container is gone: exited while no server watched (exit status 3)" {
		t.Errorf("Error() = %q", got)
	}
}
