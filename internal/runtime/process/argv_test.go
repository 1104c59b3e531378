package process

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/slipway-dev/slipway/internal/runtime"
)

func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		spec runtime.Spec
		want []string
	}{
		{runtime.Spec{Image: "talk-service"}, []string{"talk-service"}},
		{runtime.Spec{Image: "talk-service:v2"}, []string{"talk-service"}},
		{runtime.Spec{Image: "./bin/talk:v2"}, []string{"./bin/talk"}},
		{runtime.Spec{Image: "/opt/talk"}, []string{"/opt/talk"}},
		{runtime.Spec{Image: "localhost:5000/talk", EntryPoint: []string{"talk"}}, []string{"talk"}},
		{runtime.Spec{Image: "img", EntryPoint: []string{"sh", "-c"}, Command: []string{"echo"}}, []string{"sh", "-c", "echo"}},
		{runtime.Spec{Image: "img", Command: []string{"serve", "--fast"}}, []string{"serve", "--fast"}},
	} {
		got, err := commandLine(tc.spec)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("commandLine(%+v) = %q, %v; want %q", tc.spec, got, err, tc.want)
		}
	}
	for _, image := range []string{"", "talk@sha256:abc", "localhost:5000/talk", "registry.example.com/team/talk:v1", "host:5000/talk"} {
		if _, err := commandLine(runtime.Spec{Image: image}); !errors.Is(err, runtime.ErrInvalidSpec) {
			t.Errorf("image %q: err = %v, want ErrInvalidSpec", image, err)
		}
	}
}

func TestResolveExecutable(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	os.WriteFile(filepath.Join(bin, "tool"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(bin, "data"), []byte("x"), 0o644)
	pathList := "relative:" + "::" + bin

	if got, err := resolveExecutable("tool", pathList, "/"); err != nil || got != filepath.Join(bin, "tool") {
		t.Errorf("PATH lookup = %q, %v", got, err)
	}
	if got, err := resolveExecutable("./bin/tool", "", dir); err != nil || got != filepath.Join(bin, "tool") {
		t.Errorf("relative path = %q, %v", got, err)
	}
	if _, err := resolveExecutable("data", pathList, "/"); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("non-executable on PATH: err = %v, want ErrNotFound", err)
	}
	if _, err := resolveExecutable("bin/data", "", dir); err == nil || errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("non-executable path: err = %v, want permission error", err)
	}
	// The working directory is not searched for names without a slash.
	if _, err := resolveExecutable("tool", "", bin); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("empty PATH: err = %v, want ErrNotFound", err)
	}
}

func TestWorkingDir(t *testing.T) {
	cwd, _ := os.Getwd()
	if got, err := workingDir(""); err != nil || got != cwd {
		t.Errorf(`workingDir("") = %q, %v`, got, err)
	}
	if got, err := workingDir("."); err != nil || got != cwd {
		t.Errorf(`workingDir(".") = %q, %v`, got, err)
	}
	if _, err := workingDir("/no/such/dir"); !errors.Is(err, runtime.ErrCannotStart) {
		t.Errorf("missing dir: err = %v", err)
	}
}
