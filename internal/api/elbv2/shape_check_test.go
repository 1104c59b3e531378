package elbv2

import (
	"net/http"
	"os"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil/awsmodel"
)

// checkedAnswers has every successful answer of the test's server checked
// against botocore's elbv2 model (no element the model lacks, lists of
// member elements, types and enum values as the model's); without the
// model it serves unchecked, except under CI=true, where the model must be
// there.
func checkedAnswers(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	m, err := awsmodel.Load("elbv2")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		return h
	}
	return awsmodel.NewChecking(t, m, h)
}
