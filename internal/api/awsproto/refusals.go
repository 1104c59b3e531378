package awsproto

import (
	"errors"
	"net/http"
	"strings"

	"github.com/slipway-dev/slipway/internal/browserguard"
)

// ErrMutatingGet reports a Query action that changes state sent by GET.
var ErrMutatingGet = errors.New("state-changing action sent by GET")

// screen refuses, when the server has no credentials, what a web page
// could send: a request addressed by another name (DNS rebinding), from
// another site, or without an Authorization header of SigV4's shape (which
// every AWS CLI and SDK sends and no cross-site page can send without a
// CORS preflight). With credentials the signature is checked instead.
func (rt *Router) screen(r *http.Request) error {
	if rt.verifier != nil {
		return nil
	}
	err := browserguard.Check(r)
	if err == nil {
		err = CheckShape(r)
	}
	if errors.Is(err, ErrMissingAuth) {
		err = verifyErr(ErrMissingAuth, "Request is missing Authentication Token. Even without credentials Slipway requires "+
			"the SigV4 Authorization header the AWS CLI and SDKs send, which a web page cannot: give the client any "+
			"access key (e.g. AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x) and do not use --no-sign-request.")
	}
	if err != nil {
		rt.refused(r, err)
	}
	return err
}

// screenMethod refuses, without credentials, a Query action that changes
// state sent by GET: a page can make a browser send a GET (an image, a
// link) to any address. The AWS CLI and SDKs always POST. Actions whose
// names start with Describe, List or Get only read, as AWS names them.
func (rt *Router) screenMethod(r *http.Request, action string) error {
	if rt.verifier != nil || r.Method == http.MethodPost || isReadOnlyAction(action) {
		return nil
	}
	err := verifyErr(ErrMutatingGet, "%.100s changes state, so Slipway without credentials accepts it only by POST "+
		"(as the AWS CLI and SDKs send it), never by %s, which any web page can make a browser send.", action, r.Method)
	rt.refused(r, err)
	return err
}

func isReadOnlyAction(action string) bool {
	for _, p := range []string{"Describe", "List", "Get"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// detail returns the message a VerifyError carries, else def.
func detail(err error, def string) string {
	var ve *VerifyError
	if errors.As(err, &ve) {
		return ve.Message
	}
	return def
}

const (
	msgBadSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgUnknownKey   = "The security token included in the request is invalid."
)

// isBrowserRefusal reports a refusal of screen or screenMethod that is not
// about the signature: AccessDeniedException, with what to do.
func isBrowserRefusal(err error) bool {
	return errors.Is(err, browserguard.ErrForeignHost) || errors.Is(err, browserguard.ErrCrossSite) || errors.Is(err, ErrMutatingGet)
}

// authCodes are one protocol's words for refusals.
type authCodes struct {
	denied, missing, unknownKey, incomplete, badSignature string
	missingMessage                                        string
	status                                                int // of missing, unknown key and bad signature
}

// authError maps a refusal to c's codes.
func authError(err error, c authCodes) *Error {
	switch {
	case isBrowserRefusal(err):
		return Errorf(http.StatusForbidden, c.denied, "%s", detail(err, err.Error()))
	case errors.Is(err, ErrMissingAuth):
		return Errorf(c.status, c.missing, "%s", detail(err, c.missingMessage))
	case errors.Is(err, ErrUnknownKey):
		return Errorf(c.status, c.unknownKey, msgUnknownKey)
	case errors.Is(err, ErrMalformedAuth):
		return Errorf(http.StatusBadRequest, c.incomplete, "%s", detail(err, err.Error()))
	default: // ErrBadSignature, ErrExpired, ErrWrongScope, ErrUnsignedHeader
		return Errorf(c.status, c.badSignature, "%s", detail(err, msgBadSignature))
	}
}

// jsonAuthError maps a refusal to the JSON protocol's codes.
func jsonAuthError(err error) *Error {
	return authError(err, authCodes{denied: "AccessDeniedException", missing: "MissingAuthenticationTokenException",
		unknownKey: "UnrecognizedClientException", incomplete: "IncompleteSignatureException",
		badSignature: "InvalidSignatureException", missingMessage: "Missing Authentication Token", status: http.StatusBadRequest})
}

// queryAuthError maps a refusal to the Query protocol's codes.
func queryAuthError(err error) *Error {
	return authError(err, authCodes{denied: "AccessDenied", missing: "MissingAuthenticationToken",
		unknownKey: "InvalidClientTokenId", incomplete: "IncompleteSignature",
		badSignature: "SignatureDoesNotMatch", missingMessage: "Request is missing Authentication Token", status: http.StatusForbidden})
}
