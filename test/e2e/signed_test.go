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
// caller could drive the server, so it must not listen beyond loopback.
func TestRefusesPublicAddressWithoutCredentials(t *testing.T) {
	t.Parallel()
	addr := net.JoinHostPort("0.0.0.0", strconv.Itoa(freePort(t)))
	cmd := exec.Command(slipwayBin, "server", "--api-addr", addr, "--data-dir", t.TempDir(), "--lb-host", "127.0.0.1")
	cmd.Env = serverEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("server on %s without credentials exited 0: %s", addr, out.String())
		}
		if !strings.Contains(out.String(), "credentials") {
			t.Fatalf("refusal does not mention credentials: %s", out.String())
		}
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("server started on %s without credentials: %s", addr, out.String())
	}
}
