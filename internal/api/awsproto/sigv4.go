package awsproto

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Sentinel errors of signature verification; the router turns them into each
// protocol's own error codes.
var (
	ErrMissingAuth   = errors.New("request is not signed")
	ErrUnknownKey    = errors.New("unknown access key id")
	ErrBadSignature  = errors.New("signature does not match")
	ErrExpired       = errors.New("signature expired")
	ErrMalformedAuth = errors.New("malformed Authorization header")
)

// MaxClockSkew is how far a request's X-Amz-Date may be from the server's
// clock, as AWS allows.
const MaxClockSkew = 15 * time.Minute

const amzDateFormat = "20060102T150405Z"

// Verifier checks AWS Signature Version 4 on requests. It recomputes the
// signature with the SDK's signer over exactly the headers the client signed
// and a payload hash computed here from the body, never trusting the client's
// X-Amz-Content-Sha256.
type Verifier struct {
	creds  Credentials
	signer *v4.Signer
	now    func() time.Time
}

// NewVerifier returns a Verifier over creds; now is the clock (time.Now when nil).
func NewVerifier(creds Credentials, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	return &Verifier{creds: creds, signer: v4.NewSigner(), now: now}
}

type authHeader struct {
	keyID, date, region, service string
	signedHeaders                []string
	signature                    string
}

func parseAuthorization(h string) (authHeader, error) {
	var a authHeader
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a, fmt.Errorf("%w: only AWS4-HMAC-SHA256 is supported", ErrMalformedAuth)
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return a, fmt.Errorf("%w: bad Credential scope %q", ErrMalformedAuth, v)
			}
			a.keyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.keyID == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return a, fmt.Errorf("%w: needs Credential, SignedHeaders and Signature", ErrMalformedAuth)
	}
	return a, nil
}

// Verify checks r's signature over body (the request body, already read).
func (v *Verifier) Verify(r *http.Request, body []byte) error {
	h := r.Header.Get("Authorization")
	if h == "" {
		return ErrMissingAuth
	}
	a, err := parseAuthorization(h)
	if err != nil {
		return err
	}
	secret, ok := v.creds.Secret(a.keyID)
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownKey, a.keyID)
	}
	signedAt, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("%w: X-Amz-Date must be set as %s", ErrMalformedAuth, amzDateFormat)
	}
	now := v.now().UTC()
	if d := now.Sub(signedAt); d > MaxClockSkew || d < -MaxClockSkew {
		return fmt.Errorf("%w: Signature expired: %s is now earlier than %s (%s - 15 min.)",
			ErrExpired, signedAt.Format(amzDateFormat), now.Add(-MaxClockSkew).Format(amzDateFormat), now.Format(amzDateFormat))
	}
	want, err := v.expectedSignature(r, body, a, secret, signedAt)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.signature)) != 1 {
		return ErrBadSignature
	}
	return nil
}

// expectedSignature signs a copy of r that carries only the headers the
// client listed in SignedHeaders, so the SDK signer computes the canonical
// request over the same set.
func (v *Verifier) expectedSignature(r *http.Request, body []byte, a authHeader, secret string, at time.Time) (string, error) {
	u := *r.URL
	u.Host = r.Host
	u.Scheme = "http"
	cp, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformedAuth, err)
	}
	cp.Host = r.Host
	cp.ContentLength = 0
	cp.Header = http.Header{}
	token := ""
	for _, name := range a.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			cp.ContentLength = int64(len(body))
		case "x-amz-security-token":
			token = r.Header.Get(name)
		default:
			cp.Header[http.CanonicalHeaderKey(name)] = r.Header.Values(name)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: a.keyID, SecretAccessKey: secret, SessionToken: token}
	if err := v.signer.SignHTTP(context.Background(), creds, cp, hex.EncodeToString(sum[:]), a.service, a.region, at); err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	got, err := parseAuthorization(cp.Header.Get("Authorization"))
	if err != nil {
		return "", err
	}
	return got.signature, nil
}

// readBody reads at most limit bytes of r's body.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("request body exceeds %d bytes", limit)
	}
	return body, nil
}
