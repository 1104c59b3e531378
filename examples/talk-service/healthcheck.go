package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheckArg runs the service as its own container health check
// (`talk-service healthcheck`), because its image holds no curl or wget.
const healthcheckArg = "healthcheck"

// runHealthcheck asks the service on this host (at $HOST:$PORT) for /health and
// returns the exit code a container health check expects: 0 healthy, 1 not.
func runHealthcheck(getenv func(string) string, stderr io.Writer) int {
	url := "http://" + net.JoinHostPort(dialHost(getenv("HOST")), orDefault(getenv("PORT"), "8080")) + "/health"
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(stderr, "talk-service healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "talk-service healthcheck:", url, resp.Status)
		return 1
	}
	return 0
}

// dialHost is where a client on this host reaches a service listening on host:
// loopback when it listens on every interface (or HOST is unset).
func dialHost(host string) string {
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return host
}
