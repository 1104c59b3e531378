package logsops

import (
	"context"
	"errors"
	"testing"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/logstore"
)

func newService(t *testing.T) *Service {
	t.Helper()
	st, err := logstore.Open(t.TempDir(), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, Options{Region: "eu-west-1", Account: "123456789012"})
}

// TestPrepareStreamAsTheAwslogsDriver: a missing group is CloudWatch's
// ResourceNotFoundException (and still logstore.ErrGroupNotFound for errors.Is)
// unless the group may be created; preparing again changes nothing.
func TestPrepareStreamAsTheAwslogsDriver(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	err := s.PrepareStream(ctx, "g", "p/web/1", false)
	e, ok := awserr.As(err)
	if !ok || e.Code != "ResourceNotFoundException" || e.Message != "The specified log group does not exist." || !errors.Is(err, logstore.ErrGroupNotFound) {
		t.Fatalf("missing group: %v", err)
	}
	for range 2 {
		if err := s.PrepareStream(ctx, "g", "p/web/1", true); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := s.ShippedCursor(ctx, "g", "p/web/1"); err != nil || c != nil {
		t.Fatalf("cursor of a new stream: %q %v", c, err)
	}
	if err := s.Ship(ctx, "g", "p/web/1", []logstore.Event{{Timestamp: 1, Message: []byte("x")}}, []byte("c1")); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ShippedCursor(ctx, "g", "p/web/1"); err != nil || string(c) != "c1" {
		t.Fatalf("cursor: %q %v", c, err)
	}
	if err := s.PrepareStream(ctx, "bad name", "s", true); err == nil {
		t.Fatal("a bad group name was accepted")
	}
}

func TestTokensRoundTrip(t *testing.T) {
	for _, p := range []logstore.Position{logstore.First, logstore.Last, {Timestamp: 1700000000000, Seg: 7, Off: 4096, Idx: 3}} {
		for _, dir := range []byte{'f', 'b'} {
			d, got, err := parsePosToken(posToken(dir, p))
			if err != nil || d != dir || got != p {
				t.Fatalf("%c %+v: got %c %+v %v", dir, p, d, got, err)
			}
		}
	}
	if _, _, err := parsePosToken("f/123"); !errors.Is(err, errBadToken) {
		t.Fatalf("short token: %v", err)
	}
	if key, err := parseNameToken(nameToken("/ecs/a")); err != nil || key != "/ecs/a" {
		t.Fatalf("name token: %q %v", key, err)
	}
}

func TestARNs(t *testing.T) {
	s := newService(t)
	if got := s.GroupARN("/ecs/talk"); got != "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/talk:*" {
		t.Fatal(got)
	}
	for arn, want := range map[string]string{
		"arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/talk":   "/ecs/talk",
		"arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/talk:*": "/ecs/talk",
		"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/talk":   "",
		"arn:aws:logs:eu-west-1:123456789012:destination:d":         "",
	} {
		if got, _ := s.groupFromARN(arn); got != want {
			t.Errorf("groupFromARN(%s) = %q, want %q", arn, got, want)
		}
	}
}
