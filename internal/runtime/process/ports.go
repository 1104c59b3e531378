package process

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// anyIP is the BindIP of a binding until the container's environment is known
// (see bindIP): processes share the host's network, and the port was checked free
// on all interfaces, so the process may listen on any of them.
const anyIP = "0.0.0.0"

// dynamicPortTries bounds the search for a dynamic port that is free and not reserved.
const dynamicPortTries = 64

// portKey names a host port for one protocol.
type portKey struct {
	proto string
	port  int
}

// ports hands out host ports. It remembers the ports held by containers of this
// runtime until they exit, because a port chosen for a container that has not yet
// bound it looks free to the kernel and could otherwise go to a second container.
//
// Each hold names its owner, the container directory, so that dropping one
// container's hold (its exit, Remove, an Adopt that finds it gone) never frees a
// port another container holds: containers found by List and adopted ones may
// claim ports that a container started since also claims.
type ports struct {
	mu      sync.Mutex
	holders map[portKey]map[string]struct{} // port -> directories of the containers holding it
}

func newPorts() *ports { return &ports{holders: make(map[portKey]map[string]struct{})} }

// allocate realises mappings as bindings held by owner. A fixed HostPort must be free;
// HostPort 0 gets a free port the kernel picks from its ephemeral range
// (/proc/sys/net/ipv4/ip_local_port_range).
func (p *ports) allocate(owner string, mappings []runtime.PortMapping) ([]runtime.Binding, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	bindings := make([]runtime.Binding, 0, len(mappings))
	for _, m := range mappings {
		b, err := p.allocateOne(m)
		if err != nil {
			p.releaseLocked(owner, bindings)
			return nil, err
		}
		p.hold(owner, portKey{b.Protocol, b.HostPort})
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
	b := runtime.Binding{ContainerPort: m.ContainerPort, BindIP: anyIP, Protocol: proto}
	if m.HostPort != 0 {
		if p.taken(portKey{proto, m.HostPort}) {
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
		if !p.taken(portKey{proto, port}) {
			b.HostPort = port
			return b, nil
		}
	}
	return b, fmt.Errorf("%w: %w: no unreserved dynamic %s port after %d tries",
		runtime.ErrCannotStart, runtime.ErrPortInUse, proto, dynamicPortTries)
}

// reserve records that owner (a found or adopted container) holds bindings. Holding
// a port twice is holding it once, so List and a later Adopt may both reserve.
func (p *ports) reserve(owner string, bindings []runtime.Binding) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range bindings {
		p.hold(owner, portKey{b.Protocol, b.HostPort})
	}
}

// release drops owner's hold on bindings once its container has exited; the ports
// become free unless another container holds them too.
func (p *ports) release(owner string, bindings []runtime.Binding) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.releaseLocked(owner, bindings)
}

func (p *ports) releaseLocked(owner string, bindings []runtime.Binding) {
	for _, b := range bindings {
		k := portKey{b.Protocol, b.HostPort}
		delete(p.holders[k], owner)
		if len(p.holders[k]) == 0 {
			delete(p.holders, k)
		}
	}
}

func (p *ports) hold(owner string, k portKey) {
	if p.holders[k] == nil {
		p.holders[k] = make(map[string]struct{})
	}
	p.holders[k][owner] = struct{}{}
}

func (p *ports) taken(k portKey) bool { return len(p.holders[k]) > 0 }

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
