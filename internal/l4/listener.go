package l4

import (
	"crypto/tls"
	"net"
	"strconv"
	"sync/atomic"

	"github.com/slipway-dev/slipway/internal/lb"
)

// listenerRT is the runtime of one listener port: its sockets (a TCP socket for
// TCP, TLS and TCP_UDP, a UDP socket for UDP and TCP_UDP), the current route and,
// for TLS, the current certificates. Sockets outlive configuration versions.
type listenerRT struct {
	port  int
	route atomic.Pointer[route]
	certs atomic.Pointer[certSet]
	// tlsConfig serves TLS handshakes from whatever certs holds at the time.
	tlsConfig *tls.Config
	// The sockets and the UDP flow table change only under the data plane's
	// applyMu; the goroutines serving them are handed their own references.
	tcp   net.Listener
	udp   *net.UDPConn
	flows *flowTable // UDP flows by client
}

// close closes the listener's sockets; established TCP connections go on, UDP
// flows end with their socket.
func (l *listenerRT) close() {
	if l.tcp != nil {
		l.tcp.Close()
		l.tcp = nil
	}
	if l.udp != nil {
		l.closeUDP()
	}
}

func (l *listenerRT) closeUDP() {
	l.udp.Close()
	l.flows.closeAll()
	l.udp, l.flows = nil, nil
}

func needsTCP(protocol string) bool { return protocol != ProtocolUDP }
func needsUDP(protocol string) bool { return protocol == ProtocolUDP || protocol == ProtocolTCPUDP }

// sockets are what one Apply binds for one port.
type sockets struct {
	tcp net.Listener
	udp *net.UDPConn
}

// bindNew binds the sockets that listeners of cfg need and do not have yet. On any
// failure it closes what it bound and returns the *lb.BindError, so a failed Apply
// changes nothing.
func (d *DataPlane) bindNew(cfg *Config) (map[int]sockets, error) {
	fresh := map[int]sockets{}
	fail := func(port int, err error) (map[int]sockets, error) {
		for _, s := range fresh {
			if s.tcp != nil {
				s.tcp.Close()
			}
			if s.udp != nil {
				s.udp.Close()
			}
		}
		return nil, &lb.BindError{Port: port, Err: err}
	}
	for _, l := range cfg.Listeners {
		old := d.listeners[l.Port]
		addr := net.JoinHostPort(d.opts.Host, strconv.Itoa(l.Port))
		var s sockets
		if needsTCP(l.Protocol) && (old == nil || old.tcp == nil) {
			ln, err := d.listenConfig.Listen(d.ctx, "tcp", addr)
			if err != nil {
				return fail(l.Port, err)
			}
			s.tcp = ln
		}
		if needsUDP(l.Protocol) && (old == nil || old.udp == nil) {
			ua, err := net.ResolveUDPAddr("udp", addr)
			if err != nil {
				return fail(l.Port, err)
			}
			pc, err := net.ListenUDP("udp", ua)
			if err != nil {
				if s.tcp != nil {
					s.tcp.Close()
				}
				return fail(l.Port, err)
			}
			s.udp = pc
		}
		if s.tcp != nil || s.udp != nil {
			fresh[l.Port] = s
		}
	}
	return fresh, nil
}

// swap publishes the new routes, starts serving fresh sockets and closes the
// sockets that a listener's protocol no longer needs and listeners that went.
// A port keeps one runtime for as long as it has a listener (called with applyMu held).
func (d *DataPlane) swap(cfg *Config, groups map[string]*groupRT, fresh map[int]sockets, certs map[int]*certSet) {
	seen := map[int]bool{}
	for i := range cfg.Listeners {
		l := &cfg.Listeners[i]
		seen[l.Port] = true
		lr := d.listeners[l.Port]
		if lr == nil {
			lr = &listenerRT{port: l.Port}
			lr.tlsConfig = lr.serverTLS()
			d.listeners[l.Port] = lr
		}
		lr.certs.Store(certs[l.Port])
		lr.route.Store(newRoute(cfg.Version, l, groups))
		if s := fresh[l.Port]; s.tcp != nil {
			lr.tcp = s.tcp
			d.wg.Add(1)
			go d.acceptTCP(lr, s.tcp)
		}
		if s := fresh[l.Port]; s.udp != nil {
			lr.udp, lr.flows = s.udp, newFlowTable()
			d.wg.Add(1)
			go d.serveUDP(lr, s.udp, lr.flows)
		}
		if !needsTCP(l.Protocol) && lr.tcp != nil {
			lr.tcp.Close()
			lr.tcp = nil
		}
		if !needsUDP(l.Protocol) && lr.udp != nil {
			lr.closeUDP()
		}
	}
	for port, lr := range d.listeners {
		if !seen[port] {
			lr.close()
			delete(d.listeners, port)
		}
	}
}
