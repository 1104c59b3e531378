package l4

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// maxDatagram is the largest UDP payload relayed; larger ones are dropped. NLB
// does not fragment, so what it carries fits a 9001-byte jumbo frame; bounding
// it keeps a flow's reply buffer (MaxFlows of them) at 9 KiB.
const maxDatagram = 9001 - 28

// flowTable holds a UDP listener's flows by client address.
type flowTable struct {
	mu     sync.Mutex // guards flows and closed
	flows  map[netip.AddrPort]*udpFlow
	closed bool
}

func newFlowTable() *flowTable { return &flowTable{flows: map[netip.AddrPort]*udpFlow{}} }

func (ft *flowTable) get(client netip.AddrPort) *udpFlow {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.flows[client]
}

// add records f unless the table was closed or a flow for the client exists.
func (ft *flowTable) add(f *udpFlow) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if ft.closed || ft.flows[f.client] != nil {
		return false
	}
	ft.flows[f.client] = f
	return true
}

func (ft *flowTable) remove(f *udpFlow) {
	ft.mu.Lock()
	if ft.flows[f.client] == f {
		delete(ft.flows, f.client)
	}
	ft.mu.Unlock()
}

// closeAll ends every flow (the listener's socket closed).
func (ft *flowTable) closeAll() {
	ft.mu.Lock()
	ft.closed = true
	fs := make([]*udpFlow, 0, len(ft.flows))
	for _, f := range ft.flows {
		fs = append(fs, f)
	}
	ft.mu.Unlock()
	for _, f := range fs {
		f.Close()
	}
}

// udpFlow is one client's flow: a connected socket to its target, whose replies
// go back to the client from the listener's socket.
type udpFlow struct {
	client netip.AddrPort
	up     *net.UDPConn
	t      *target
	last   atomic.Int64 // unix nanos of the last datagram either way
}

// Close ends the flow (idle, connection termination, listener closed).
func (f *udpFlow) Close() error { return f.up.Close() }

// serveUDP reads the listener's datagrams and relays each on its client's flow,
// starting a flow for a new client.
func (d *DataPlane) serveUDP(lr *listenerRT, pc *net.UDPConn, ft *flowTable) {
	defer d.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, client, err := pc.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. an ICMP error reported on the socket
		}
		if n > maxDatagram {
			d.rejected.Add(1)
			continue
		}
		client = netip.AddrPortFrom(client.Addr().Unmap(), client.Port())
		f := ft.get(client)
		if f == nil {
			if f = d.startFlow(lr, pc, ft, client); f == nil {
				continue
			}
		}
		if _, err := f.up.Write(buf[:n]); err == nil {
			f.t.bytesIn.Add(uint64(n))
			f.last.Store(time.Now().UnixNano())
		}
	}
}

// startFlow picks the new flow's target and starts relaying its replies; nil when
// the datagram is to be dropped (bounds, no target).
func (d *DataPlane) startFlow(lr *listenerRT, pc *net.UDPConn, ft *flowTable, client netip.AddrPort) *udpFlow {
	if d.flows.Add(1) > int64(d.opts.MaxFlows) {
		d.flows.Add(-1)
		d.rejected.Add(1)
		return nil
	}
	r := lr.route.Load()
	for tries := 0; tries < 4; tries++ {
		_, t := r.pick(client, nil)
		if t == nil {
			break
		}
		up, err := d.dialer.DialContext(d.ctx, "udp", t.addr)
		if err != nil {
			t.failed.Add(1)
			break
		}
		f := &udpFlow{client: client, up: up.(*net.UDPConn), t: t}
		f.last.Store(time.Now().UnixNano())
		if !t.track(f) {
			up.Close()
			r = lr.route.Load() // it began draining: pick from the new routing
			continue
		}
		if !ft.add(f) {
			t.untrack(f)
			up.Close()
			break
		}
		d.wg.Add(1)
		go d.relayReplies(pc, ft, f)
		return f
	}
	d.flows.Add(-1)
	d.noTarget.Add(1)
	return nil
}

// relayReplies sends the target's datagrams back to the client until the flow is
// closed or idle for Options.UDPIdleTimeout.
func (d *DataPlane) relayReplies(pc *net.UDPConn, ft *flowTable, f *udpFlow) {
	defer d.wg.Done()
	defer d.flows.Add(-1)
	defer f.t.untrack(f)
	defer ft.remove(f)
	defer f.up.Close()
	buf := make([]byte, maxDatagram+1)
	idle := d.opts.UDPIdleTimeout
	for {
		f.up.SetReadDeadline(time.Unix(0, f.last.Load()).Add(idle))
		n, err := f.up.Read(buf)
		if err != nil {
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				if time.Since(time.Unix(0, f.last.Load())) < idle {
					continue // the client sent meanwhile
				}
				return
			case errors.Is(err, syscall.ECONNREFUSED):
				continue // ICMP port unreachable from the target: the datagram is lost, as on NLB
			}
			return
		}
		if n > maxDatagram {
			d.rejected.Add(1)
			continue
		}
		if _, err := pc.WriteToUDPAddrPort(buf[:n], f.client); err == nil {
			f.t.bytesOut.Add(uint64(n))
			f.last.Store(time.Now().UnixNano())
		}
	}
}
