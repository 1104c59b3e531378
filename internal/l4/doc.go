// Package l4 is Slipway's layer-4 data plane: the part of an ELBv2 Network Load
// Balancer that serves TCP, TLS, UDP and TCP_UDP listeners, relays connections and
// flows to targets chosen by flow hash, health-checks targets and drains
// deregistered ones. It is internal/lb's counterpart for network load balancers and
// shares its plain-data vocabulary (lb.Target, lb.Certificate, lb.TargetHealth,
// lb.HealthEvent, lb.BindError, ELB's state and reason codes), so the control
// plane's health mirror and drain waiters treat both alike.
//
// A complete, versioned Config goes in through Apply; AppliedVersion, TargetHealth,
// HealthSnapshot, WaitDrained and Stats come out. Run owns the goroutines: it
// delivers health events until its context ends, then closes every listener,
// connection and flow and returns when every goroutine has ended.
//
// # Routing
//
// Apply compiles the Config into one immutable route per listener and publishes it
// with an atomic pointer store; a new connection or flow loads it once. Sockets
// belong to the port and outlive versions, so applying a new Config never drops an
// established connection or flow (a TCP_UDP listener that becomes TCP loses its UDP
// socket and flows, a removed listener closes its sockets and leaves its TCP
// connections to finish). Targets that leave a group are flagged draining before
// the swap, and a connection that picked a target re-checks the flag after counting
// itself, so from the moment Apply returns no new connection reaches them.
//
// A listener forwards to one target group or to several with weights (0..999);
// the group is chosen by flow hash in proportion to the weights, the target within
// it by rendezvous hashing of the flow (client address and port; the address alone
// with source_ip stickiness) over its routable targets: healthy ones, or
// "unavailable" ones when checks are disabled. When none is routable, traffic fails
// open to the unhealthy ones, as ELB's does; targets still in "initial" get none.
// A connect that fails is tried once more on another target.
//
// # Relaying
//
// TCP is relayed by two goroutines per connection, one per direction, taken from
// a pool of workers that outlive connections (a fresh goroutine would grow its
// stack again through net's dial path for every connection). Between
// plain TCP sockets on Linux a direction uses raw non-blocking system calls
// through syscall.RawConn (rawio_linux.go says why): it copies through a pooled
// 32 KiB buffer, taken only once the socket is readable, until a read fills the
// buffer; from then on it splices through a kernel pipe from a pool, so bulk bytes
// never enter user space and short exchanges need no pipe. The read and write
// deadlines follow the bytes moved (moved once a tenth of the idle timeout old,
// not at every step); a direction that times out with no byte moved either
// way for the listener's idle timeout (tcp.idle_timeout.seconds, 350 s by default)
// ends the connection. The first EOF is passed on as a half-close. TLS
// listeners terminate TLS (the versions and suites of the listener's security
// policy, Listener.TLS; its ALPN policy's protocols, Listener.ALPN, with a client
// that offers ALPN but none of them refused; the listener's certificates chosen by
// SNI, parsed once per certificate change) and relay plain TCP, or TLS again to a
// TLS target group, offered the protocol the client negotiated (targets'
// certificates are not verified, as in ELB); those
// directions copy through the pooled buffers with net.Conn's Read and Write.
// proxy_protocol_v2 writes a PROXY v2 header (client address, listener address)
// first on every target connection. Neither side gets TCP keepalives: the idle
// timeout ends dead connections.
//
// UDP: each listener socket is read by one goroutine; a datagram from a new client
// starts a flow, a connected socket to the flow's target whose replies a goroutine
// of its own sends back from the listener's socket. A flow ends after
// Options.UDPIdleTimeout (NLB's fixed 120 s) without a datagram either way.
//
// # Bounds
//
// Options.MaxConnections (10000) TCP/TLS connections and Options.MaxFlows (10000) UDP
// flows at once: beyond them connections are reset and datagrams dropped, and counted
// (Stats.Rejected). Datagrams above 8973 bytes (a 9001-byte frame) are dropped, which
// bounds a flow's buffer. Dials and TLS handshakes are bounded (10 s each by default).
//
// # Behaviour that follows ELB
//
// Health checks (TCP connect, or HTTP/HTTPS GET with a matcher of 200..599 codes;
// UDP groups are checked over TCP or HTTP(S) as in ELB) follow internal/lb: the
// first check right after registration and one pass makes a new target healthy;
// later HealthyThreshold passes or UnhealthyThreshold failures change state; a new
// target that refuses connections is re-probed sooner. With
// target_health_state.unhealthy.connection_termination a target that becomes
// unhealthy loses its connections. Draining ends when the target has no connection or
// flow left or the deregistration delay passes (ELB always waits for the delay); at
// the end of the delay deregistration_delay.connection_termination closes what is
// left, otherwise it goes on until it ends by itself, as in ELB.
package l4
