package awsproto

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRegionOfTheCredentialScope: the handler is given the region the
// request was signed for; a region the check refuses is answered in the
// protocol's words for a wrong credential scope and reaches no handler.
func TestRegionOfTheCredentialScope(t *testing.T) {
	var got []string
	rt := NewRouter(nil, nil, nil)
	rt.CheckRegions(func(service, region string) error {
		if region == "us-east-1" || region == "eu-west-1" {
			return nil
		}
		return RegionRefusal("Credential should be scoped to a valid region, not '%s'. ", region)
	})
	rt.HandleJSON(JSONAPI{TargetPrefix: testTarget, SigningName: "ecs"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, RegionOf(r.Context()))
		_ = WriteJSON(w, map[string]any{})
	}))
	rt.HandleQuery(QueryAPI{Version: testVersion, Namespace: "http://example.com/elb/", SigningName: "elasticloadbalancing"},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = append(got, RegionOf(r.Context()))
			_ = WriteXML(w, struct {
				XMLName xml.Name `xml:"OKResponse"`
			}{})
		}))
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	tr := &testRouter{url: srv.URL}
	auth := func(region string) map[string]string {
		return map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/" + region +
			"/ecs/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64)}
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		if status, code, body := tr.do(t, call{target: listClusters, body: "{}", header: auth(region)}); status != 200 {
			t.Fatalf("JSON in %s: %d %s %s", region, status, code, body)
		}
		if status, code, body := tr.do(t, call{body: "Action=DescribeLoadBalancers&Version=" + testVersion, header: auth(region)}); status != 200 {
			t.Fatalf("Query in %s: %d %s %s", region, status, code, body)
		}
	}
	if want := []string{"us-east-1", "us-east-1", "eu-west-1", "eu-west-1"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("handlers saw regions %v, want %v", got, want)
	}
	status, code, body := tr.do(t, call{target: listClusters, body: "{}", header: auth("xx-nowhere-1")})
	if status != http.StatusBadRequest || code != "InvalidSignatureException" || !strings.Contains(body, "not 'xx-nowhere-1'") {
		t.Errorf("JSON in an unknown region: %d %s %s", status, code, body)
	}
	status, code, body = tr.do(t, call{body: "Action=DescribeLoadBalancers&Version=" + testVersion, header: auth("xx-nowhere-1")})
	if status != http.StatusForbidden || code != "SignatureDoesNotMatch" || !strings.Contains(body, "not &#39;xx-nowhere-1&#39;") {
		t.Errorf("Query in an unknown region: %d %s %s", status, code, body)
	}
	if len(got) != 4 {
		t.Errorf("a refused region reached a handler: %v", got)
	}
}
