package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// requireAWSCLI skips the test when the aws CLI is missing, except in CI.
func requireAWSCLI(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		testutil.RequireInCI(t, "the aws CLI")
	}
}

// awsCLI runs the real AWS CLI against one server. Its environment holds
// only dummy (or the site's) credentials and a HOME of its own, so no user
// configuration leaks in. Only commands and options that both CLI 1.x and
// Debian's 2.9 have are used.
type awsCLI struct {
	endpoint string
	env      []string
	bin      string // the CLI's executable; "" is aws on PATH
	region   string // --region; "" is us-east-1
}

func newAWSCLI(s *site, endpoint string) *awsCLI {
	return &awsCLI{endpoint: endpoint, env: cliEnv(s, s.keyID, s.secret)}
}

// withKeys returns a CLI that signs with other credentials.
func (c *awsCLI) withKeys(s *site, keyID, secret string) *awsCLI {
	return &awsCLI{endpoint: c.endpoint, env: cliEnv(s, keyID, secret), bin: c.bin, region: c.region}
}

func cliEnv(s *site, keyID, secret string) []string {
	home := s.home
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home, "AWS_ACCESS_KEY_ID="+keyID, "AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_PAGER=", "AWS_CONFIG_FILE="+filepath.Join(home, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "no-credentials"),
		// Retries would hide error codes behind slow back-offs.
		"AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard")
	if s.tls != nil {
		env = append(env, "AWS_CA_BUNDLE="+s.tls.CAFile)
	}
	return env
}

// cliError is a failed CLI run; Stderr carries the AWS error code.
type cliError struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *cliError) Error() string {
	return fmt.Sprintf("aws %s: %v: %s", strings.Join(e.Args, " "), e.Err, strings.TrimSpace(e.Stderr))
}

// call runs `aws SERVICE OP ARGS...` and decodes its JSON output into out
// (which may be nil).
func (c *awsCLI) call(out any, args ...string) error {
	region := c.region
	if region == "" {
		region = "us-east-1"
	}
	full := append([]string{"--endpoint-url", c.endpoint, "--region", region, "--output", "json"}, args...)
	bin := c.bin
	if bin == "" {
		bin = "aws"
	}
	cmd := exec.Command(bin, full...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return &cliError{Args: args, Stderr: stderr.String(), Err: err}
	}
	if out == nil || stdout.Len() == 0 {
		return nil
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, stdout.Bytes())
	}
	return nil
}

// must runs a command that has to succeed.
func (c *awsCLI) must(t *testing.T, out any, args ...string) {
	t.Helper()
	if err := c.call(out, args...); err != nil {
		t.Fatal(err)
	}
}

// mustFail runs a command that has to fail with the AWS error code in
// its stderr, as the CLI prints "An error occurred (CODE) when calling...".
func (c *awsCLI) mustFail(t *testing.T, code string, args ...string) {
	t.Helper()
	err := c.call(nil, args...)
	if err == nil {
		t.Fatalf("aws %s succeeded; want %s", strings.Join(args, " "), code)
	}
	ce, ok := err.(*cliError)
	if !ok || !strings.Contains(ce.Stderr, "("+code+")") {
		t.Fatalf("want error %s, got %v", code, err)
	}
}
