package cli

import (
	"strings"
	"testing"
)

// In another region than the server's home region, `slipway services`
// lists that region's services (none of the home region's) and, as
// Application Auto Scaling is served in the home region only, no bounds.
func TestServicesInAnotherRegion(t *testing.T) {
	f := newFixture(t, false)
	f.registerTarget(2, 6)
	out, stderr, code := f.run("--region", "eu-west-1", "services")
	if code != 0 || strings.Contains(out, "talk") || !strings.Contains(out, "SERVICE") {
		t.Fatalf("exit %d, want eu-west-1's (no) services:\n%s%s", code, out, stderr)
	}
}
