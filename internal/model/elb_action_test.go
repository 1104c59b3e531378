package model

import "testing"

func TestNormalizeActionsDefaults(t *testing.T) {
	out, err := NormalizeActions([]ELBAction{{Type: ActionForward, TargetGroupARN: "tg"}})
	if err != nil {
		t.Fatal(err)
	}
	a := out[0]
	if a.Order != 1 || a.Forward == nil || len(a.Forward.TargetGroups) != 1 || *a.Forward.TargetGroups[0].Weight != 1 || a.TargetGroupARN != "tg" {
		t.Fatalf("forward = %+v", a)
	}
	two := 2
	_, err = NormalizeActions([]ELBAction{{Type: ActionForward, TargetGroupARN: "a",
		Forward: &ForwardConfig{TargetGroups: []WeightedTargetGroup{{ARN: "b", Weight: &two}}}}})
	if err == nil {
		t.Fatal("TargetGroupArn and a different ForwardConfig accepted")
	}
	_, err = NormalizeActions([]ELBAction{{Type: ActionForward, Order: 1, TargetGroupARN: "a"}, {Type: ActionForward, Order: 2, TargetGroupARN: "b"}})
	if ve, ok := err.(*ValidationError); !ok || ve.Kind != ELBInvalidAction {
		t.Fatalf("two terminal actions: %v", err)
	}
	out, err = NormalizeActions([]ELBAction{{Type: ActionRedirect, Redirect: &RedirectConfig{Host: "example.com", StatusCode: "HTTP_302"}}})
	if err != nil || *out[0].Redirect != (RedirectConfig{"#{protocol}", "#{port}", "example.com", "/#{path}", "#{query}", "HTTP_302"}) {
		t.Fatalf("redirect = %+v, %v", out, err)
	}
}

func TestHealthCheckMatcher(t *testing.T) {
	for _, ok := range []string{"200", "200,202", "200-299", "200-499", "404"} {
		if err := validateMatcher(ok, 499); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "199", "500", "200-500", "299-200", "abc", "200,"} {
		if validateMatcher(bad, 499) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
