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
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Sentinel errors of signature verification; the router turns them into each
// protocol's own error codes. Errors that carry a message for the caller wrap
// one of these in a *VerifyError.
var (
	ErrMissingAuth   = errors.New("request is not signed")
	ErrUnknownKey    = errors.New("unknown access key id")
	ErrBadSignature  = errors.New("signature does not match")
	ErrExpired       = errors.New("signature expired")
	ErrMalformedAuth = errors.New("malformed Authorization header")
	// ErrWrongScope reports a credential scope for another service or for
	// a region the server does not serve.
	ErrWrongScope = errors.New("credential scope does not match the request")
	// ErrUnsignedHeader reports an x-amz-* header left out of SignedHeaders.
	ErrUnsignedHeader = errors.New("request has unsigned x-amz-* headers")
)

// VerifyError is a verification failure with the message AWS gives for it.
type VerifyError struct {
	Kind    error // one of the sentinels above
	Message string
}

// Error implements error.
func (e *VerifyError) Error() string { return e.Kind.Error() + ": " + e.Message }

// Unwrap returns the sentinel.
func (e *VerifyError) Unwrap() error { return e.Kind }

func verifyErr(kind error, format string, args ...any) error {
	return &VerifyError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// MaxClockSkew is how far a request's X-Amz-Date may be from the server's
// clock, as AWS allows.
const MaxClockSkew = 15 * time.Minute

const amzDateFormat = "20060102T150405Z"

// Verifier checks AWS Signature Version 4 on requests as AWS does: the key is
// known, the date is within MaxClockSkew, the credential scope names the
// service the request is routed to and a region the server serves, "host" and
// every x-amz-* header sent are signed, and the signature matches. It
// recomputes the signature with the SDK's signer over exactly the headers the
// client signed and a payload hash computed here from the body, never
// trusting the client's X-Amz-Content-Sha256.
type Verifier struct {
	creds   Credentials
	regions []string
	signer  *v4.Signer
	now     func() time.Time
}

// NewVerifier returns a Verifier over creds that accepts credential scopes
// of the given regions (at least one); now is the clock (time.Now when nil).
func NewVerifier(creds Credentials, regions []string, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	return &Verifier{creds: creds, regions: slices.Clone(regions), signer: v4.NewSigner(), now: now}
}

type authHeader struct {
	keyID, date, region, service string
	signedHeaders                []string
	signature                    string
}

// parseAuthorization parses an "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/
// SERVICE/aws4_request, SignedHeaders=a;b, Signature=HEX" header.
func parseAuthorization(h string) (authHeader, error) {
	var a authHeader
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a, verifyErr(ErrMalformedAuth, "Authorization header requires the AWS4-HMAC-SHA256 algorithm (AWS Signature Version 4).")
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" || slices.Contains(scope[:4], "") {
				return a, verifyErr(ErrMalformedAuth, "Authorization header has a malformed Credential %.100q; want KEY/DATE/REGION/SERVICE/aws4_request.", v)
			}
			a.keyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.keyID == "" || len(a.signedHeaders) == 0 || !isSignature(a.signature) {
		return a, verifyErr(ErrMalformedAuth, "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' (64 hex digits) parameters.")
	}
	return a, nil
}

func isSignature(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// CheckShape returns nil when r carries an Authorization header of SigV4's
// shape, whatever its key and signature. Without credentials the server
// still requires one: every AWS CLI and SDK sends it, and a web page cannot
// make a browser send it to another site without a CORS preflight, which
// Slipway never grants.
func CheckShape(r *http.Request) error {
	h := r.Header.Get("Authorization")
	if h == "" {
		return ErrMissingAuth
	}
	_, err := parseAuthorization(h)
	return err
}

// Verify checks r's signature over body (the request body, already read);
// service is the signing name of the API the request is routed to.
func (v *Verifier) Verify(r *http.Request, body []byte, service string) error {
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
		return verifyErr(ErrMalformedAuth, "X-Amz-Date must be set as %s.", amzDateFormat)
	}
	now := v.now().UTC()
	if d := now.Sub(signedAt); d > MaxClockSkew || d < -MaxClockSkew {
		return verifyErr(ErrExpired, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signedAt.Format(amzDateFormat), now.Add(-MaxClockSkew).Format(amzDateFormat), now.Format(amzDateFormat))
	}
	if err := v.checkScope(a, service); err != nil {
		return err
	}
	if err := checkSignedHeaders(r, a.signedHeaders); err != nil {
		return err
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

// checkScope follows AWS: a signature is for one service and one region,
// so a request signed for another API or region cannot be replayed here.
func (v *Verifier) checkScope(a authHeader, service string) error {
	if a.service != service {
		return verifyErr(ErrWrongScope, "Credential should be scoped to correct service: '%s'. ", service)
	}
	if !slices.Contains(v.regions, a.region) {
		return verifyErr(ErrWrongScope, "Credential should be scoped to a valid region, not '%.40s'. This server serves %s: sign for it (--region, AWS_REGION).",
			a.region, strings.Join(v.regions, ", "))
	}
	return nil
}

// checkSignedHeaders requires "host" and every x-amz-* header of r among
// the signed headers: an unsigned X-Amz-Target could be swapped for another
// operation under a valid signature.
func checkSignedHeaders(r *http.Request, signed []string) error {
	set := make(map[string]bool, len(signed))
	for _, h := range signed {
		set[h] = true
	}
	if !set["host"] {
		return verifyErr(ErrMalformedAuth, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	var unsigned []string
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") && !set[lower] {
			unsigned = append(unsigned, lower)
		}
	}
	if len(unsigned) == 0 {
		return nil
	}
	slices.Sort(unsigned)
	if len(unsigned) > maxNamed {
		unsigned = append(unsigned[:maxNamed], "...")
	}
	return verifyErr(ErrUnsignedHeader, "There were headers present in the request which were not signed: %s. Sign every x-amz-* header.",
		strings.Join(unsigned, ", "))
}

// maxNamed bounds how many header names an error lists.
const maxNamed = 5

// expectedSignature signs a copy of r that carries only the headers the
// client listed in SignedHeaders, so the SDK signer computes the canonical
// request over the same set.
func (v *Verifier) expectedSignature(r *http.Request, body []byte, a authHeader, secret string, at time.Time) (string, error) {
	u := *r.URL
	u.Host = r.Host
	u.Scheme = "http"
	cp, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", verifyErr(ErrMalformedAuth, "%v", err)
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
