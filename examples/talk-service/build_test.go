package main

import (
	"debug/elf"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestStaticBinary builds the service with CGO_ENABLED=0, checks that the result is
// static, runs it and stops it with SIGTERM: exit 0, one start and one stop line.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "talk-service")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary is dynamically linked (%v)", p.Type)
		}
	}
	f.Close()

	port := freePort(t)
	var stdout strings.Builder
	cmd := exec.Command(bin)
	cmd.Env = []string{"PORT=" + port, "TALK_VERSION=v9"}
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	url := "http://127.0.0.1:" + port
	waitFor(t, "the service to listen", func() bool {
		resp, err := http.Get(url + "/health")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	if resp, err := http.Get(url + "/talk"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /talk: %v", err)
	} else {
		resp.Body.Close()
	}
	// In-flight requests across the stop are tested on serve itself, where the test
	// can see that the request is in flight; here the signal path and the exit code.
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
	out := stdout.String()
	if strings.Count(out, "\n") != 2 || !strings.Contains(out, "version=v9") {
		t.Errorf("stdout:\n%s", out)
	}
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
