package process

import (
	"slices"
	"testing"

	"github.com/slipway-dev/slipway/internal/runtime"
)

func TestContainerEnv(t *testing.T) {
	server := map[string]string{"PATH": "/srv/bin", "HOME": "/root", "AWS_SECRET_ACCESS_KEY": "x", "LANG": "C"}
	getenv := func(k string) string { return server[k] }
	got := containerEnv(getenv,
		[]string{"HOME=/home/app", "A=1=2", "PORT=1", "=bad"},
		[]runtime.Binding{{ContainerPort: 8080, HostPort: 40001}, {ContainerPort: 9090, HostPort: 40002}})
	want := []string{"PATH=/srv/bin", "HOME=/home/app", "LANG=C", "HOST=127.0.0.1", "A=1=2", "PORT=40001",
		"SLIPWAY_PORT_8080=40001", "SLIPWAY_PORT_9090=40002"}
	if !slices.Equal(got, want) {
		t.Errorf("env\n got %q\nwant %q", got, want)
	}
	got = containerEnv(func(string) string { return "" }, nil, nil)
	if !slices.Equal(got, []string{"PATH=" + defaultPATH, "HOST=127.0.0.1"}) {
		t.Errorf("empty server env: %q", got)
	}
}
