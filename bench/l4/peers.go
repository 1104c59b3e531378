package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// proxy is one data plane under test: how to start it in front of the echo server.
type proxy struct {
	name  string
	port  int
	start func(dir string, port int, echo string) (*exec.Cmd, error)
}

func slipwayProxy(self, cpuprofile string) func(string, int, string) (*exec.Cmd, error) {
	return func(dir string, port int, echo string) (*exec.Cmd, error) {
		return exec.Command(self, "-serve-slipway", strconv.Itoa(port), "-target", echo, "-cpuprofile", cpuprofile), nil
	}
}

// haproxyProxy runs HAProxy in TCP mode with its defaults (threads: one per CPU)
// and NLB's timeouts.
func haproxyProxy(bin string) func(string, int, string) (*exec.Cmd, error) {
	return func(dir string, port int, echo string) (*exec.Cmd, error) {
		cfg := fmt.Sprintf(`global
  maxconn 9000
defaults
  mode tcp
  timeout connect 10s
  timeout client 350s
  timeout server 350s
frontend f
  bind 127.0.0.1:%d
  default_backend b
backend b
  server echo %s
`, port, echo)
		path := filepath.Join(dir, "haproxy.cfg")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			return nil, err
		}
		return exec.Command(bin, "-db", "-f", path), nil
	}
}

// nginxProxy runs nginx's stream module (worker_processes auto: one per CPU).
func nginxProxy(bin, module string) func(string, int, string) (*exec.Cmd, error) {
	return func(dir string, port int, echo string) (*exec.Cmd, error) {
		cfg := fmt.Sprintf(`load_module %s;
worker_processes auto;
daemon off;
pid %s;
error_log %s warn;
events { worker_connections 9000; }
worker_rlimit_nofile 20000;
stream {
  upstream echo { server %s; }
  server {
    listen 127.0.0.1:%d reuseport;
    proxy_pass echo;
    proxy_connect_timeout 10s;
    proxy_timeout 350s;
  }
}
`, module, filepath.Join(dir, "nginx.pid"), filepath.Join(dir, "nginx.err"), echo, port)
		path := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			return nil, err
		}
		return exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "nginx.err"), "-c", path), nil
	}
}

// running is a started process; stop ends it (SIGTERM, then SIGKILL after 5 s).
type running struct{ cmd *exec.Cmd }

func startProcess(cmd *exec.Cmd, port int) (*running, error) {
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // nginx's workers go with their master
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &running{cmd: cmd}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return r, nil
		}
		if time.Now().After(deadline) {
			r.stop()
			return nil, fmt.Errorf("%s: port %d did not open within 10 s", cmd.Path, port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *running) stop() {
	pgid := r.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
}

// findBinary looks a peer up on PATH or in /usr/sbin.
func findBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := "/usr/sbin/" + name
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", errors.New(name + " not found (apt-get install -y haproxy nginx libnginx-mod-stream)")
}
