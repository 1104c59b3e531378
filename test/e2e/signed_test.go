package e2e

import (
	"bytes"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSignedRequests starts the server with a credentials file: the AWS CLI
// signing with that key pair works on both protocols, and a wrong secret or
// an unknown key gets AWS's error codes.
func TestSignedRequests(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	site.keyID, site.secret = "AKIDSLIPWAYE2E", "s3cr3t/with+signs"
	creds := site.writeFile(t, "credentials", "# e2e\n"+site.keyID+" "+site.secret+"\n")
	cli := site.startServer(t, "--credentials-file", creds).cli

	cli.must(t, nil, "ecs", "list-clusters")
	cli.must(t, nil, "elbv2", "describe-load-balancers")

	wrongSecret := cli.withKeys(site, site.keyID, "not-the-secret")
	wrongSecret.mustFail(t, "InvalidSignatureException", "ecs", "list-clusters")
	wrongSecret.mustFail(t, "SignatureDoesNotMatch", "elbv2", "describe-load-balancers")
	unknownKey := cli.withKeys(site, "AKIDUNKNOWN", site.secret)
	unknownKey.mustFail(t, "UnrecognizedClientException", "ecs", "list-clusters")
	unknownKey.mustFail(t, "InvalidClientTokenId", "elbv2", "describe-load-balancers")
}

// TestRefusesPublicAddressWithoutCredentials: with no credentials, any
// caller could drive the server, so neither its API nor its load-balancer
// listeners may listen beyond loopback.
func TestRefusesPublicAddressWithoutCredentials(t *testing.T) {
	t.Parallel()
	loopback := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	public := net.JoinHostPort("0.0.0.0", strconv.Itoa(freePort(t)))
	for name, args := range map[string][]string{
		"api": {"--api-addr", public, "--lb-host", "127.0.0.1"},
		"lb":  {"--api-addr", loopback, "--lb-host", "0.0.0.0"},
	} {
		t.Run(name, func(t *testing.T) {
			out, err := runToExit(t, append([]string{"server", "--data-dir", t.TempDir()}, args...))
			if err == nil {
				t.Fatalf("server %v without credentials exited 0: %s", args, out)
			}
			if !strings.Contains(out, "credentials") {
				t.Fatalf("refusal does not mention credentials: %s", out)
			}
		})
	}
}

// runToExit runs slipway (with env added to its environment) and waits up
// to 15 s for it to exit; a server that keeps running fails the test.
func runToExit(t *testing.T, args []string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(slipwayBin, args...)
	cmd.Env = append(serverEnv(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("slipway %v kept running: %s", args, out.String())
		return "", nil
	}
}
