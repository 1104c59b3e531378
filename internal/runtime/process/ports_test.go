package process

import (
	"errors"
	"net"
	"sync"
	"testing"

	"github.com/slipway-dev/slipway/internal/runtime"
)

func TestPortsConcurrentDynamic(t *testing.T) {
	p := newPorts()
	const n = 40
	var mu sync.Mutex
	seen := map[int]bool{}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			b, err := p.allocate("c1", []runtime.PortMapping{{ContainerPort: 80}, {ContainerPort: 53, Protocol: "UDP"}})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[b[0].HostPort] {
				t.Errorf("tcp port %d given twice", b[0].HostPort)
			}
			seen[b[0].HostPort] = true
			if b[1].Protocol != "udp" || b[1].HostPort == 0 {
				t.Errorf("udp binding %+v", b[1])
			}
		})
	}
	wg.Wait()
}

func TestPortsFixedAndRelease(t *testing.T) {
	p := newPorts()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if _, err := p.allocate("c1", []runtime.PortMapping{{ContainerPort: 80, HostPort: port}}); !errors.Is(err, runtime.ErrPortInUse) {
		t.Errorf("port held by a listener on 127.0.0.1: err = %v", err)
	}
	l.Close()
	b, err := p.allocate("c1", []runtime.PortMapping{{ContainerPort: 80, HostPort: port}})
	if err != nil {
		t.Fatal(err)
	}
	// Two mappings on one host port in one spec, and a reserved port, are refused;
	// a failed allocation gives back what it took.
	if _, err := p.allocate("c2", []runtime.PortMapping{{ContainerPort: 81}, {ContainerPort: 80, HostPort: port}}); !errors.Is(err, runtime.ErrPortInUse) {
		t.Errorf("reserved port: err = %v", err)
	}
	if len(p.holders) != 1 {
		t.Errorf("reserved after failed allocation: %v", p.holders)
	}
	p.release("c1", b)
	if _, err := p.allocate("c1", []runtime.PortMapping{{ContainerPort: 80, HostPort: port}}); err != nil {
		t.Errorf("after release: %v", err)
	}
	for _, bad := range []runtime.PortMapping{{ContainerPort: 0}, {ContainerPort: 80, HostPort: 70000}, {ContainerPort: 80, Protocol: "sctp"}} {
		if _, err := p.allocate("c1", []runtime.PortMapping{bad}); !errors.Is(err, runtime.ErrInvalidSpec) {
			t.Errorf("allocate(%+v): err = %v, want ErrInvalidSpec", bad, err)
		}
	}
}

// TestPortsHoldersAreKeyed: a port two containers claim (one found by List, one
// started) stays taken until both let go, and letting go twice changes nothing.
func TestPortsHoldersAreKeyed(t *testing.T) {
	p := newPorts()
	b := []runtime.Binding{{ContainerPort: 80, HostPort: 40123, BindIP: anyIP, Protocol: "tcp"}}
	k := portKey{"tcp", 40123}
	p.reserve("found", b)
	p.reserve("found", b) // List, then Adopt
	p.reserve("started", b)
	p.release("found", b)
	if !p.taken(k) {
		t.Fatal("port freed while another container holds it")
	}
	p.release("found", b)
	if !p.taken(k) {
		t.Fatal("a second release by the same owner freed another's hold")
	}
	p.release("started", b)
	if p.taken(k) || len(p.holders) != 0 {
		t.Errorf("holders left: %v", p.holders)
	}
}
