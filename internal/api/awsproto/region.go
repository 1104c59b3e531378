package awsproto

import (
	"context"
	"net/http"
)

// RegionCheck says whether the API signed for signingName is served in
// region; a refusal is returned by RegionRefusal, so the router answers
// it in the protocol's words for a credential of the wrong scope.
type RegionCheck func(signingName, region string) error

// RegionRefusal is a RegionCheck's refusal: the client sees the error AWS
// answers a credential scoped to a region the endpoint does not serve
// (InvalidSignatureException in JSON, SignatureDoesNotMatch in Query),
// with the message given.
func RegionRefusal(format string, args ...any) error {
	return verifyErr(ErrWrongScope, format, args...)
}

// CheckRegions makes the router refuse requests whose credential scope
// names a region c refuses for the routed API. Without it every region is
// passed on.
func (rt *Router) CheckRegions(c RegionCheck) { rt.regions = c }

type regionKey struct{}

// RegionOf returns the region of the request's credential scope, which
// the router puts in the handler's context: the region whose resources
// the request acts on. It is "" outside a routed request.
func RegionOf(ctx context.Context) string {
	r, _ := ctx.Value(regionKey{}).(string)
	return r
}

// WithRegion returns ctx carrying region for RegionOf (in-process callers
// and tests of a handler).
func WithRegion(ctx context.Context, region string) context.Context {
	return context.WithValue(ctx, regionKey{}, region)
}

// requestRegion is the region of r's SigV4 credential scope; "" when r is
// not signed in SigV4's shape (the router refused it before).
func requestRegion(r *http.Request) string {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return ""
	}
	return a.region
}

// checkRegion runs the RegionCheck for an authenticated request.
func (rt *Router) checkRegion(r *http.Request, signingName string) error {
	if rt.regions == nil {
		return nil
	}
	err := rt.regions(signingName, requestRegion(r))
	if err != nil {
		rt.refused(r, err)
	}
	return err
}
