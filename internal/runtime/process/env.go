package process

import (
	"net"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// inheritedEnv lists the server variables a container inherits. Everything else from
// the server's environment (credentials, test switches) stays out of containers.
func inheritedEnv() []string { return []string{"PATH", "HOME", "TMPDIR", "LANG"} }

// hostVar tells the process the address to listen on.
const hostVar = "HOST"

// bindIP is what a container's bindings report: the address HOST names, or
// "0.0.0.0" (any) when it names none (a host name, or nothing).
func bindIP(env []string) string {
	if ip := net.ParseIP(lookupEnv(env, hostVar)); ip != nil {
		return ip.String()
	}
	return anyIP
}

// defaultPATH is used when neither the task nor the server sets PATH.
const defaultPATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// containerEnv builds a container's environment, later layers winning:
// the inherited base and HOST, then spec.Env, then PORT and
// SLIPWAY_PORT_<containerPort> for the realised bindings (the process must listen
// where the host port is, since it shares the host's network). HOST is the
// address the load balancer dials, so that a process that honours it is not
// exposed on every interface; a task may set another.
func containerEnv(getenv func(string) string, specEnv []string, bindings []runtime.Binding) []string {
	var env envList
	for _, k := range inheritedEnv() {
		if v := getenv(k); v != "" {
			env.set(k, v)
		}
	}
	if env.get("PATH") == "" {
		env.set("PATH", defaultPATH)
	}
	env.set(hostVar, model.LocalHost)
	for _, kv := range specEnv {
		k, v, _ := strings.Cut(kv, "=")
		if k != "" {
			env.set(k, v)
		}
	}
	for i, b := range bindings {
		port := strconv.Itoa(b.HostPort)
		if i == 0 {
			env.set("PORT", port)
		}
		env.set("SLIPWAY_PORT_"+strconv.Itoa(b.ContainerPort), port)
	}
	return env.kvs
}

// envList is an ordered "KEY=value" list with one entry per key.
type envList struct{ kvs []string }

func (e *envList) set(k, v string) {
	for i, kv := range e.kvs {
		if strings.HasPrefix(kv, k+"=") {
			e.kvs[i] = k + "=" + v
			return
		}
	}
	e.kvs = append(e.kvs, k+"="+v)
}

func (e *envList) get(k string) string { return lookupEnv(e.kvs, k) }

// lookupEnv returns the value of k in a "KEY=value" list, or "".
func lookupEnv(kvs []string, k string) string {
	for _, kv := range kvs {
		if v, ok := strings.CutPrefix(kv, k+"="); ok {
			return v
		}
	}
	return ""
}
