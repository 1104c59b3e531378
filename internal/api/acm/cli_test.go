package acm

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// The CLIs here: the AWS CLI v1 (pip, `aws`) and Debian's v2.9 (/usr/bin/aws).
var clis = []struct{ name, path string }{{"v1", "aws"}, {"v2", "/usr/bin/aws"}}

type cli struct {
	t              *testing.T
	path, endpoint string
	home           string
}

func (c cli) run(args ...string) (map[string]any, string, error) {
	c.t.Helper()
	cmd := exec.Command(c.path, append([]string{"--endpoint-url", c.endpoint, "--region", region, "--output", "json", "acm"}, args...)...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "HOME="+c.home, "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_PAGER=",
		"AWS_CONFIG_FILE="+filepath.Join(c.home, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(c.home, "none"), "AWS_MAX_ATTEMPTS=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var v map[string]any
	if out.Len() > 0 {
		_ = json.Unmarshal(out.Bytes(), &v)
	}
	return v, errb.String(), err
}

func (c cli) ok(args ...string) map[string]any {
	c.t.Helper()
	v, stderr, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("aws acm %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return v
}

func (c cli) fails(code string, args ...string) {
	c.t.Helper()
	_, stderr, err := c.run(args...)
	if err == nil || !strings.Contains(stderr, "("+code+")") {
		c.t.Errorf("aws acm %s: %v %q, want error %s", strings.Join(args, " "), err, stderr, code)
	}
}

// TestCLIs runs the certificate flows through both AWS CLIs: import with
// fileb:// files, describe, list, get, tags, request, delete, and errors.
func TestCLIs(t *testing.T) {
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath(c.path); err != nil {
				testutil.RequireInCI(t, "the AWS CLI "+c.name)
			}
			f := newFixture(t)
			cl := cli{t: t, path: c.path, endpoint: f.url, home: t.TempDir()}
			dir := t.TempDir()
			p := newPKI(t)
			cert, key := p.leaf(rsaKey(t), time.Now().Add(24*time.Hour), "cli.example.com")
			files := map[string][]byte{"cert.pem": cert, "key.pem": key, "pass": []byte("a passphrase"), "chain.pem": append(append([]byte{}, p.interPEM...), p.rootPEM...)}
			for name, data := range files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			imp := cl.ok("import-certificate", "--certificate", "fileb://"+filepath.Join(dir, "cert.pem"),
				"--private-key", "fileb://"+filepath.Join(dir, "key.pem"), "--certificate-chain", "fileb://"+filepath.Join(dir, "chain.pem"),
				"--tags", "Key=team,Value=web")
			arn, _ := imp["CertificateArn"].(string)
			if !strings.HasPrefix(arn, "arn:aws:acm:us-east-1:000000000000:certificate/") {
				t.Fatalf("import: %v", imp)
			}
			d, _ := cl.ok("describe-certificate", "--certificate-arn", arn)["Certificate"].(map[string]any)
			if d["DomainName"] != "cli.example.com" || d["Status"] != "ISSUED" || d["Type"] != "IMPORTED" || d["KeyAlgorithm"] != "RSA-2048" {
				t.Fatalf("describe: %v", d)
			}
			list, _ := cl.ok("list-certificates")["CertificateSummaryList"].([]any)
			if len(list) != 1 || list[0].(map[string]any)["CertificateArn"] != arn {
				t.Fatalf("list: %v", list)
			}
			got := cl.ok("get-certificate", "--certificate-arn", arn)
			if got["Certificate"] != string(cert) || got["CertificateChain"] != string(files["chain.pem"]) {
				t.Fatalf("get: %v", got)
			}
			cl.ok("add-tags-to-certificate", "--certificate-arn", arn, "--tags", "Key=env,Value=dev")
			cl.ok("remove-tags-from-certificate", "--certificate-arn", arn, "--tags", "Key=team")
			tags, _ := cl.ok("list-tags-for-certificate", "--certificate-arn", arn)["Tags"].([]any)
			if len(tags) != 1 || tags[0].(map[string]any)["Key"] != "env" {
				t.Fatalf("tags: %v", tags)
			}
			req := cl.ok("request-certificate", "--domain-name", "req.example.com", "--validation-method", "DNS",
				"--subject-alternative-names", "req.example.com", "www.req.example.com")
			reqARN, _ := req["CertificateArn"].(string)
			rd, _ := cl.ok("describe-certificate", "--certificate-arn", reqARN)["Certificate"].(map[string]any)
			if rd["Status"] != "ISSUED" || rd["Type"] != "AMAZON_ISSUED" || len(rd["DomainValidationOptions"].([]any)) != 2 {
				t.Fatalf("requested: %v", rd)
			}
			cl.fails("ValidationException", "import-certificate", "--certificate", "fileb://"+filepath.Join(dir, "chain.pem"),
				"--private-key", "fileb://"+filepath.Join(dir, "key.pem"))
			cl.fails("ValidationException", "export-certificate", "--certificate-arn", arn, "--passphrase", "fileb://"+filepath.Join(dir, "pass"))
			cl.ok("delete-certificate", "--certificate-arn", arn)
			cl.fails("ResourceNotFoundException", "describe-certificate", "--certificate-arn", arn)
		})
	}
}
