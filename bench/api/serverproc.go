package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// serveFlag runs this binary as the benchmark's server process: it builds
// the fixture, prints its URL on stdout and serves until stdin closes.
const serveFlag = "-serve-fixture"

// serveFixture is the child process's main.
func serveFixture(signed bool) int {
	f, err := startFixture(context.Background(), fixtureOptions{signed: signed, logLevel: 8})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/api server:", err)
		return 1
	}
	defer f.close()
	fmt.Println(f.url())
	_, _ = io.Copy(io.Discard, os.Stdin) // the parent closes stdin when done
	return 0
}

// serverProcess is the fixture in a child process, so that the clients'
// allocations and garbage collection do not run inside the server, as with
// any real client.
type serverProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	url   string
}

func startServerProcess(signed bool) (*serverProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{serveFlag}
	if signed {
		args = append(args, "-signed")
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stdin.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("server process did not start: %w", err)
	}
	return &serverProcess{cmd: cmd, stdin: stdin, url: strings.TrimSpace(line)}, nil
}

func (p *serverProcess) close() {
	p.stdin.Close()
	_ = p.cmd.Wait()
}
