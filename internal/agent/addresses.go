package agent

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// ErrNoAddress means every address of the awsvpc range is taken.
var ErrNoAddress = errors.New("no free awsvpc task address")

// addressPool hands out awsvpc task addresses on this node: each awsvpc
// task gets an address of its own in a /16 of 127.0.0.0/8, and its
// container ports are published there unchanged, so any number of tasks of
// one definition run side by side and the load balancer still dials
// loopback. Addresses are durable through the tasks: the agent records a
// task's address in its attachment before starting anything, and claims
// the recorded addresses of every assigned task before allocating, so a
// restarted agent never hands out an address twice. A task's address is
// free again once it has stopped.
//
// Allocation goes round the range rather than reusing the lowest free
// address, so an address is not given to a new task while connections to
// the old one may linger. A candidate whose ports are bound by anything on
// this machine (another server sharing it, say) is skipped.
type addressPool struct {
	prefix netip.Prefix

	mu     sync.Mutex // protects inUse and next
	inUse  map[netip.Addr]string
	byTask map[string]netip.Addr
	next   netip.Addr
}

// defaultAwsvpcPrefix is the node's awsvpc range: 127.X.0.0/16 with X taken
// from the node id, so that servers sharing a machine (tests do) rarely
// draw from the same range.
func defaultAwsvpcPrefix(nodeID string) netip.Prefix {
	sum := sha256.Sum256([]byte(nodeID))
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{127, 100 + sum[0]%128, 0, 0}), 16)
}

func newAddressPool(prefix netip.Prefix) *addressPool {
	return &addressPool{prefix: prefix.Masked(), inUse: map[netip.Addr]string{}, byTask: map[string]netip.Addr{}, next: prefix.Masked().Addr()}
}

// claim records that task holds address (read back from its record).
func (p *addressPool) claim(task, address string) {
	a, err := netip.ParseAddr(address)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inUse[a], p.byTask[task] = task, a
}

// allocate gives task an address (the one it holds, if any) whose ports
// are free on this machine.
func (p *addressPool) allocate(task string, ports []runtime.PortMapping) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if a, ok := p.byTask[task]; ok {
		return a.String(), nil
	}
	size := 1 << (32 - p.prefix.Bits())
	for range size {
		p.next = p.next.Next()
		if !p.prefix.Contains(p.next) {
			p.next = p.prefix.Addr().Next()
		}
		a := p.next
		if b := a.As4(); b[3] == 0 || b[3] == 255 { // skip what reads like a network or broadcast address
			continue
		}
		if _, taken := p.inUse[a]; taken || !portsFree(a, ports) {
			continue
		}
		p.inUse[a], p.byTask[task] = task, a
		return a.String(), nil
	}
	return "", fmt.Errorf("%w in %s", ErrNoAddress, p.prefix)
}

// release frees the task's address.
func (p *addressPool) release(task string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if a, ok := p.byTask[task]; ok {
		delete(p.inUse, a)
		delete(p.byTask, task)
	}
}

// portsFree reports whether every port can be bound on a.
func portsFree(a netip.Addr, ports []runtime.PortMapping) bool {
	for _, pm := range ports {
		addr := net.JoinHostPort(a.String(), strconv.Itoa(pm.ContainerPort))
		if pm.Protocol == "udp" {
			c, err := net.ListenPacket("udp", addr)
			if err != nil {
				return false
			}
			c.Close()
			continue
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// taskPorts are the port mappings of every container of a definition.
func taskPorts(td model.TaskDefinition) []runtime.PortMapping {
	var out []runtime.PortMapping
	for _, cd := range td.Spec.ContainerDefinitions {
		for _, pm := range cd.PortMappings {
			out = append(out, runtime.PortMapping{ContainerPort: pm.ContainerPort, HostPort: pm.HostPort, Protocol: pm.Protocol})
		}
	}
	return out
}
