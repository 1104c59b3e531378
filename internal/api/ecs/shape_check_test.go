package ecs

import (
	"net/http"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil/awsmodel"
)

// checkedAnswers has every answer of the test's server checked against
// botocore's ECS model. Container definitions keep members ECS adds after
// this model (the task definition test sends one to see it echoed).
func checkedAnswers(t *testing.T, h http.Handler) http.Handler {
	return awsmodel.Wrap(t, "ecs", h, "someFutureField")
}
