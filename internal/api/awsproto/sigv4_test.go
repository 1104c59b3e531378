package awsproto

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func signedRequest(t *testing.T, keyID, secret string, body []byte, at time.Time) *http.Request {
	t.Helper()
	return signedFor(t, keyID, secret, body, at, "ecs", "us-east-1", nil)
}

// signedFor signs an ECS ListClusters request for service and region as
// the SDK does; before runs on the request before it is signed.
func signedFor(t *testing.T, keyID, secret string, body []byte, at time.Time, service, region string, before func(*http.Request)) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", JSONContentType)
	r.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters")
	r.Header.Set("User-Agent", "test")
	if before != nil {
		before(r)
	}
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret},
		r, hex.EncodeToString(sum[:]), service, region, at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifierAcceptsSDKSignatures(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	v := NewVerifier(Credentials{"AKIDEXAMPLE": "s3cret"}, []string{"us-east-1", "eu-west-1"}, func() time.Time { return now })
	body := []byte(`{"maxResults":10}`)
	cases := []struct {
		name   string
		req    *http.Request
		body   []byte
		wantIs error
	}{
		{"valid", signedRequest(t, "AKIDEXAMPLE", "s3cret", body, now), body, nil},
		{"skew within 14m", signedRequest(t, "AKIDEXAMPLE", "s3cret", body, now.Add(-14*time.Minute)), body, nil},
		{"tampered body", signedRequest(t, "AKIDEXAMPLE", "s3cret", body, now), []byte(`{"maxResults":11}`), ErrBadSignature},
		{"wrong secret", signedRequest(t, "AKIDEXAMPLE", "nope", body, now), body, ErrBadSignature},
		{"unknown key", signedRequest(t, "AKIDOTHER", "s3cret", body, now), body, ErrUnknownKey},
		{"expired", signedRequest(t, "AKIDEXAMPLE", "s3cret", body, now.Add(-16*time.Minute)), body, ErrExpired},
		{"another served region", signedFor(t, "AKIDEXAMPLE", "s3cret", body, now, "ecs", "eu-west-1", nil), body, nil},
		// Scope swaps: a valid signature for another API or region.
		{"signed for ELB", signedFor(t, "AKIDEXAMPLE", "s3cret", body, now, "elasticloadbalancing", "us-east-1", nil), body, ErrWrongScope},
		{"signed for a region not served", signedFor(t, "AKIDEXAMPLE", "s3cret", body, now, "ecs", "ap-south-1", nil), body, ErrWrongScope},
		// Target swaps: X-Amz-Target (or another x-amz-* header) left unsigned.
		{"target unsigned", unsignedHeader(t, now, body, "X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DeleteCluster"), body, ErrUnsignedHeader},
		{"extra x-amz header unsigned", unsignedHeader(t, now, body, "X-Amz-Meta", "x"), body, ErrUnsignedHeader},
		{"host unsigned", hostUnsigned(t, now, body), body, ErrMalformedAuth},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.Verify(c.req, c.body, "ecs")
			if c.wantIs == nil && err != nil || c.wantIs != nil && !errors.Is(err, c.wantIs) {
				t.Fatalf("Verify = %v, want %v", err, c.wantIs)
			}
		})
	}
	unsigned, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
	if err := v.Verify(unsigned, nil, "ecs"); !errors.Is(err, ErrMissingAuth) {
		t.Fatalf("unsigned: %v", err)
	}
	tampered := signedRequest(t, "AKIDEXAMPLE", "s3cret", body, now)
	tampered.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DeleteCluster")
	if err := v.Verify(tampered, body, "ecs"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered signed header: %v", err)
	}
}

// unsignedHeader is a valid request that gets header name=value after it
// was signed, as a proxy swapping the operation would send it.
func unsignedHeader(t *testing.T, now time.Time, body []byte, name, value string) *http.Request {
	r := signedRequest(t, "AKIDEXAMPLE", "s3cret", body, now)
	auth := r.Header.Get("Authorization")
	if name == "X-Amz-Target" {
		// Signed without the target: drop it from SignedHeaders by signing a
		// request that had none, then add it.
		r = signedFor(t, "AKIDEXAMPLE", "s3cret", body, now, "ecs", "us-east-1", func(r *http.Request) { r.Header.Del("X-Amz-Target") })
		auth = r.Header.Get("Authorization")
	}
	r.Header.Set(name, value)
	r.Header.Set("Authorization", auth)
	return r
}

// hostUnsigned lists SignedHeaders without host.
func hostUnsigned(t *testing.T, now time.Time, body []byte) *http.Request {
	r := signedRequest(t, "AKIDEXAMPLE", "s3cret", body, now)
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;", "", 1))
	return r
}

func TestParseCredentials(t *testing.T) {
	c, err := ParseCredentials(bytes.NewBufferString("# keys\nAKID1 secret1\n\nAKID2:secret2\n"))
	if err != nil || c["AKID1"] != "secret1" || c["AKID2"] != "secret2" {
		t.Fatalf("got %v, %v", c, err)
	}
	if _, err := ParseCredentials(bytes.NewBufferString("onlyone\n")); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("bad line: %v", err)
	}
	l, err := ParseCredentialList("a:b, c:d")
	if err != nil || len(l) != 2 || l["c"] != "d" {
		t.Fatalf("list: %v %v", l, err)
	}
	// Only the first separator splits: a secret may contain ':'.
	c, err = ParseCredentials(bytes.NewBufferString("AKID1 sec:ret\nAKID2:se:cr:et\nAKID3\t  s3cret\n"))
	if err != nil || c["AKID1"] != "sec:ret" || c["AKID2"] != "se:cr:et" || c["AKID3"] != "s3cret" {
		t.Fatalf("secrets with colons: %v, %v", c, err)
	}
	if l, err = ParseCredentialList("AKID:a:b,AKID2:c"); err != nil || l["AKID"] != "a:b" || l["AKID2"] != "c" {
		t.Fatalf("list with colons: %v %v", l, err)
	}
	for _, bad := range []string{"AKID sec ret\n", "AKID:\n", ":secret\n"} {
		if _, err := ParseCredentials(bytes.NewBufferString(bad)); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("%q: %v, want ErrBadCredentials", bad, err)
		}
	}
}

// TestGivenButEmptyCredentials: a file or list that was given but holds no
// key is an error, never authentication turned off.
func TestGivenButEmptyCredentials(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	comments := filepath.Join(dir, "comments")
	os.WriteFile(empty, nil, 0o600)
	os.WriteFile(comments, []byte("# no keys yet\n\n"), 0o600)
	for _, c := range []struct{ file, list string }{{empty, ""}, {comments, ""}, {"", " , "}, {filepath.Join(dir, "missing"), ""}} {
		if creds, err := LoadCredentials(c.file, c.list); err == nil {
			t.Errorf("LoadCredentials(%q, %q) = %v, want an error", c.file, c.list, creds)
		}
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, bytes.Repeat([]byte("# padding\n"), maxCredentialsFile/8), 0o600)
	if _, err := LoadCredentials(big, ""); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("oversized file: %v", err)
	}
	if creds, err := LoadCredentials("", ""); err != nil || len(creds) != 0 {
		t.Errorf("nothing given: %v %v", creds, err)
	}
}
