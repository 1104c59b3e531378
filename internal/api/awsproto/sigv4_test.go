package awsproto

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func signedRequest(t *testing.T, keyID, secret string, body []byte, at time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", JSONContentType)
	r.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters")
	r.Header.Set("User-Agent", "test")
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret},
		r, hex.EncodeToString(sum[:]), "ecs", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifierAcceptsSDKSignatures(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	v := NewVerifier(Credentials{"AKIDEXAMPLE": "s3cret"}, func() time.Time { return now })
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
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.Verify(c.req, c.body)
			if c.wantIs == nil && err != nil || c.wantIs != nil && !errors.Is(err, c.wantIs) {
				t.Fatalf("Verify = %v, want %v", err, c.wantIs)
			}
		})
	}
	unsigned, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
	if err := v.Verify(unsigned, nil); !errors.Is(err, ErrMissingAuth) {
		t.Fatalf("unsigned: %v", err)
	}
	tampered := signedRequest(t, "AKIDEXAMPLE", "s3cret", body, now)
	tampered.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DeleteCluster")
	if err := v.Verify(tampered, body); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered signed header: %v", err)
	}
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
}
