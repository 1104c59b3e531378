package server

import "testing"

func TestECSForeignARN(t *testing.T) {
	for body, want := range map[string]string{
		`{"cluster":"web"}`: "",
		`{"cluster":"arn:aws:ecs:eu-west-1:000000000000:cluster/web"}`:                           "",
		`{"cluster":"arn:aws:ecs:us-east-1:000000000000:cluster/web"}`:                           "arn:aws:ecs:us-east-1:000000000000:cluster/web",
		`{"tasks":["a","arn:aws:ecs:us-west-2:1:task/web/b"]}`:                                   "arn:aws:ecs:us-west-2:1:task/web/b",
		`{"taskRoleArn":"arn:aws:iam::1:role/x","family":"arn:aws:ecs:us-east-1:1:cluster/x"}`:   "",
		`{"loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:1:tg/x"}]}`: "",
		`not json`:      "",
		`{"cluster":7}`: "",
	} {
		if got := ecsForeignARN([]byte(body), "eu-west-1"); got != want {
			t.Errorf("ecsForeignARN(%s) = %q, want %q", body, got, want)
		}
	}
}
