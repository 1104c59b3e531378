package ecs

import (
	"net/http"
	"os"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil/awsmodel"
)

// checkedAnswers has every successful answer of the test's server checked
// against botocore's ecs model (no member the model lacks, types and enum
// values as the model's); without the model it serves unchecked, except
// under CI=true, where the model must be there.
func checkedAnswers(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	m, err := awsmodel.Load("ecs")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		return h
	}
	// Container definitions keep members ECS adds after this model (the
	// task definition test sends one to see it echoed).
	return awsmodel.NewChecking(t, m, h).AllowUnknown("someFutureField")
}
