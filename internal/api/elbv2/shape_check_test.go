package elbv2

import (
	"net/http"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil/awsmodel"
)

// checkedAnswers has every answer of the test's server checked against
// botocore's elbv2 model.
func checkedAnswers(t *testing.T, h http.Handler) http.Handler { return awsmodel.Wrap(t, "elbv2", h) }
