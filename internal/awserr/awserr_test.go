package awserr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

var errSentinel = errors.New("sentinel")

func TestWrapKeepsCauseAndCode(t *testing.T) {
	err := fmt.Errorf("context: %w", Wrap(errSentinel, "ServiceNotFoundException", "Service not found."))
	if !errors.Is(err, errSentinel) {
		t.Fatal("errors.Is lost the cause")
	}
	e, ok := As(err)
	if !ok || e.Code != "ServiceNotFoundException" || e.Message != "Service not found." || e.Status != http.StatusBadRequest || !e.Sender {
		t.Fatalf("As = %+v, %v", e, ok)
	}
}

func TestStatusMarksServerFaults(t *testing.T) {
	if e := Status(http.StatusInternalServerError, "InternalFailure", "x"); e.Sender {
		t.Fatal("a 500 is not the sender's fault")
	}
	if e := Status(http.StatusForbidden, "AccessDenied", "x"); !e.Sender {
		t.Fatal("a 403 is the sender's fault")
	}
	if _, ok := As(errSentinel); ok {
		t.Fatal("a plain error is not an *Error")
	}
}
