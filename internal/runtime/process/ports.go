package process

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// bindIP is reported in every Binding: processes share the host's network, and the
// port was checked free on all interfaces, so the process may listen on any of them.
const bindIP = "0.0.0.0"

// dynamicPortTries bounds the search for a dynamic port that is free and not reserved.
const dynamicPortTries = 64

// portKey names a host port for one protocol.
type portKey struct {
	proto string
	port  int
}

// ports hands out host ports. It remembers the ports given to containers of this
// runtime until they exit, because a port chosen for a container that has not yet
// bound it looks free to the kernel and could otherwise go to a second container.
type ports struct {
	mu       sync.Mutex
	reserved map[portKey]struct{}
}

func newPorts() *ports { return &ports{reserved: make(map[portKey]struct{})} }

// allocate realises mappings as bindings and reserves their host ports. A fixed
// HostPort must be free; HostPort 0 gets a free port the kernel picks from its
// ephemeral range (/proc/sys/net/ipv4/ip_local_port_range).
func (p *ports) allocate(mappings []runtime.PortMapping) ([]runtime.Binding, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	bindings := make([]runtime.Binding, 0, len(mappings))
	for _, m := range mappings {
		b, err := p.allocateOne(m)
		if err != nil {
			p.releaseLocked(bindings)
			return nil, err
		}
		p.reserved[portKey{b.Protocol, b.HostPort}] = struct{}{}
		bindings = append(bindings, b)
	}
	return bindings, nil
}

func (p *ports) allocateOne(m runtime.PortMapping) (runtime.Binding, error) {
	proto := strings.ToLower(m.Protocol)
	if proto == "" {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" {
		return runtime.Binding{}, fmt.Errorf("%w: %w: protocol %q", runtime.ErrCannotStart, runtime.ErrInvalidSpec, m.Protocol)
	}
	if m.ContainerPort < 1 || m.ContainerPort > 65535 || m.HostPort < 0 || m.HostPort > 65535 {
		return runtime.Binding{}, fmt.Errorf("%w: %w: port mapping %d:%d out of range",
			runtime.ErrCannotStart, runtime.ErrInvalidSpec, m.HostPort, m.ContainerPort)
	}
	b := runtime.Binding{ContainerPort: m.ContainerPort, BindIP: bindIP, Protocol: proto}
	if m.HostPort != 0 {
		if _, taken := p.reserved[portKey{proto, m.HostPort}]; taken {
			return b, fmt.Errorf("%w: %w: %s/%d is reserved by another container",
				runtime.ErrCannotStart, runtime.ErrPortInUse, proto, m.HostPort)
		}
		if _, err := probePort(proto, m.HostPort); err != nil {
			return b, fmt.Errorf("%w: %w: %s/%d: %w", runtime.ErrCannotStart, runtime.ErrPortInUse, proto, m.HostPort, err)
		}
		b.HostPort = m.HostPort
		return b, nil
	}
	for range dynamicPortTries {
		port, err := probePort(proto, 0)
		if err != nil {
			return b, fmt.Errorf("%w: %w: no dynamic %s port: %w", runtime.ErrCannotStart, runtime.ErrPortInUse, proto, err)
		}
		if _, taken := p.reserved[portKey{proto, port}]; !taken {
			b.HostPort = port
			return b, nil
		}
	}
	return b, fmt.Errorf("%w: %w: no unreserved dynamic %s port after %d tries",
		runtime.ErrCannotStart, runtime.ErrPortInUse, proto, dynamicPortTries)
}

// reserve marks bindings of an adopted container as taken.
func (p *ports) reserve(bindings []runtime.Binding) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range bindings {
		p.reserved[portKey{b.Protocol, b.HostPort}] = struct{}{}
	}
}

// release returns the bindings' host ports once their container has exited.
func (p *ports) release(bindings []runtime.Binding) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.releaseLocked(bindings)
}

func (p *ports) releaseLocked(bindings []runtime.Binding) {
	for _, b := range bindings {
		delete(p.reserved, portKey{b.Protocol, b.HostPort})
	}
}

// probePort binds port (0: any) on all interfaces and closes it again, returning the
// port that was bound. Binding the wildcard address fails when any address holds the
// port, so success means the container can listen wherever it likes.
func probePort(proto string, port int) (int, error) {
	addr := ":" + strconv.Itoa(port)
	if proto == "udp" {
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
