package agent

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/slipway-dev/slipway/internal/runtime"
)

func TestAddressPoolGivesEachTaskItsOwnAddress(t *testing.T) {
	p := newAddressPool(netip.MustParsePrefix("127.201.0.0/16"))
	ports := []runtime.PortMapping{{ContainerPort: 8080}}
	a, err := p.allocate("c/1", ports)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := p.allocate("c/1", ports)
	b, _ := p.allocate("c/2", ports)
	if a != again || a == b || !netip.MustParsePrefix("127.201.0.0/16").Contains(netip.MustParseAddr(b)) {
		t.Errorf("allocations %s %s %s", a, again, b)
	}
	p.release("c/1")
	c, _ := p.allocate("c/3", ports)
	if c == a {
		t.Errorf("a released address was given out again at once (%s)", c)
	}
	// A claimed address (recorded on a task after a restart) is never handed out.
	p2 := newAddressPool(netip.MustParsePrefix("127.201.0.0/16"))
	p2.claim("c/1", "127.201.0.1")
	if d, _ := p2.allocate("c/9", ports); d == "127.201.0.1" {
		t.Errorf("claimed address allocated again")
	}
}

func TestAddressPoolSkipsAddressesWhosePortsAreTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.202.0.1:8080")
	if err != nil {
		t.Skip("cannot bind a loopback address:", err)
	}
	defer l.Close()
	p := newAddressPool(netip.MustParsePrefix("127.202.0.0/30"))
	a, err := p.allocate("c/1", []runtime.PortMapping{{ContainerPort: 8080}})
	if err != nil || a != "127.202.0.2" {
		t.Errorf("allocate: %s %v, want 127.202.0.2 (127.202.0.1:8080 is taken)", a, err)
	}
	if b, _ := p.allocate("c/2", nil); b != "127.202.0.3" {
		t.Errorf("second allocation %s, want 127.202.0.3", b)
	}
	if _, err := p.allocate("c/3", []runtime.PortMapping{{ContainerPort: 8080}}); !errors.Is(err, ErrNoAddress) {
		t.Errorf("a full range: %v", err)
	}
}
