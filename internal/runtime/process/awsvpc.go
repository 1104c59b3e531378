package process

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// bindingsFor realises the container's port mappings. A container of an
// awsvpc task listens on its task's own address (the agent gives each task
// one, see runtime.Network), on the container ports unchanged: the ports are
// checked free there, and no other task can take them, so any number of
// tasks of one definition run side by side. Other modes get host ports
// from the runtime's pool (see ports).
func (r *Runtime) bindingsFor(owner string, spec runtime.Spec) ([]runtime.Binding, error) {
	if spec.Network.Mode != runtime.NetworkAwsvpc {
		return r.ports.allocate(owner, spec.PortMappings)
	}
	addr, err := netip.ParseAddr(spec.Network.Address)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: awsvpc task address %q", runtime.ErrCannotStart, runtime.ErrInvalidSpec, spec.Network.Address)
	}
	out := make([]runtime.Binding, 0, len(spec.PortMappings))
	for _, m := range spec.PortMappings {
		proto := strings.ToLower(m.Protocol)
		if proto == "" {
			proto = "tcp"
		}
		if proto != "tcp" && proto != "udp" {
			return nil, fmt.Errorf("%w: %w: protocol %q", runtime.ErrCannotStart, runtime.ErrInvalidSpec, m.Protocol)
		}
		if err := probeAddrPort(proto, addr.String(), m.ContainerPort); err != nil {
			return nil, fmt.Errorf("%w: %w: %s %s:%d: %w", runtime.ErrCannotStart, runtime.ErrPortInUse, proto, addr, m.ContainerPort, err)
		}
		out = append(out, runtime.Binding{ContainerPort: m.ContainerPort, HostPort: m.ContainerPort, BindIP: addr.String(), Protocol: proto})
	}
	return out, nil
}

// withTaskAddress tells an awsvpc task's process its address as HOST
// (later entries of a container's environment win).
func withTaskAddress(env []string, spec runtime.Spec) []string {
	if spec.Network.Mode != runtime.NetworkAwsvpc {
		return env
	}
	list := envList{kvs: env}
	list.set(hostVar, spec.Network.Address)
	return list.kvs
}

// checkSupported refuses what a host process cannot be given, rather than
// running the container without it: the task fails to start with a reason
// that names the setting and the runtime that honours it. Init needs
// nothing: the shim already forwards signals to the process's group and
// ends the group with it, as an init process would.
func checkSupported(spec runtime.Spec) error {
	var unsupported []string
	if len(spec.Mounts) > 0 || len(spec.VolumesFrom) > 0 {
		unsupported = append(unsupported, "mountPoints and volumesFrom")
	}
	if spec.ReadonlyRootFilesystem {
		unsupported = append(unsupported, "readonlyRootFilesystem")
	}
	if spec.User != "" {
		unsupported = append(unsupported, "user")
	}
	if len(spec.Ulimits) > 0 {
		unsupported = append(unsupported, "ulimits")
	}
	if spec.Network.Mode == runtime.NetworkNone {
		unsupported = append(unsupported, "networkMode none")
	}
	if len(unsupported) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w: the process runtime runs containers as host processes and cannot apply %s; run the server with --runtime docker",
		runtime.ErrCannotStart, runtime.ErrInvalidSpec, strings.Join(unsupported, ", "))
}

// probeAddrPort checks that port can be bound on host, and frees it again.
func probeAddrPort(proto, host string, port int) error {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	var c io.Closer
	var err error
	if proto == "udp" {
		c, err = net.ListenPacket("udp", addr)
	} else {
		c, err = net.Listen("tcp", addr)
	}
	if err != nil {
		return err
	}
	return c.Close()
}
