// Package lb is Slipway's layer-7 load-balancer data plane: the part of an ELBv2
// Application Load Balancer that serves listeners, routes by rules, health-checks
// targets, drains deregistered ones and keeps statistics.
//
// Its inputs and outputs are plain data so it can later run on its own node: a
// complete, versioned Config goes in through Apply; AppliedVersion (the
// acknowledgement a controller waits for before it stops anything), TargetHealth,
// HealthEvents, WaitDrained and Stats come out.
//
// # Routing
//
// Apply compiles the Config into one immutable routing table per listener and
// publishes it with an atomic pointer store; a request loads the pointer once and uses
// that table for its whole exchange. Targets that leave a group are flagged draining
// before the swap, and a request that picked a target re-checks the flag after counting
// itself in flight, so from the moment Apply returns no new request reaches a
// deregistered target.
//
// # The HTTP/1.1 fast path
//
// Plain HTTP (and HTTP/1.1 over TLS) does not use net/http. Each client connection has
// one goroutine that parses the request head, picks a target, writes the request to a
// pooled keep-alive target connection and relays the response, all inline. The parser
// works on pooled 16 KiB buffers; between requests a connection gives its buffers back
// and waits on a 128-byte array, which keeps an idle keep-alive connection at about
// 6 KB (TestIdleConnectionMemory). Nothing is allocated per request
// (BenchmarkProxyHotPath). Socket I/O on TCP connections goes through syscall.RawConn
// with raw, non-blocking system calls: the ordinary net.Conn path enters the
// scheduler's syscall state, and on a busy, oversubscribed machine the kernel
// preempting a socket write made the runtime hand processors to other threads, which
// cost more CPU than the proxying itself. Requests to targets are written after the
// poller's readiness reset, so waiting for the response needs no failed read first.
//
// HTTP/2 (ALPN h2 on HTTPS listeners) is served by net/http; each stream is turned into
// an HTTP/1.1 request head and handled by the same code, and the response is translated
// back.
//
// # Behaviour that follows ELB
//
// Health checks: the first check runs right after registration and one pass makes a new
// target healthy; later, HealthyThreshold passes or UnhealthyThreshold failures change
// state; reasons and descriptions use ELB's codes and wording. Only groups that some
// listener forwards to are checked (others are unused, Target.NotInUse). When no target
// of a group is healthy, traffic fails open to the unhealthy ones; targets still in
// "initial" get no traffic, so a group without healthy or unhealthy targets (none at
// all, or only new ones) answers 503. Draining ends when the target's
// in-flight count reaches zero or the deregistration delay passes; then the target is
// forgotten (unused, Target.NotRegistered).
//
// A request is retried once, on another target where there is one, when its target
// connection failed before any byte of the request was sent, or, for GET, HEAD and
// OPTIONS whose body is completely buffered, before any byte of the response arrived.
// Otherwise the client gets an ELB-style 502 (target failure or malformed response), 503
// (no target) or 504 (target response or connect timeout). Malformed requests, heads over
// 16 KiB, invalid Content-Length and Content-Length with Transfer-Encoding get 400 and
// never reach a target.
//
// HTTPS listeners negotiate their security policy's versions and suites
// (Listener.TLS). A load balancer's attributes (Config.LoadBalancers: idle timeout,
// client keep-alive, HTTP/2, Host preservation or ELB's Host rewrite,
// X-Forwarded-For mode and client port, invalid header fields, TLS headers) and a
// listener's (Server header, added response headers, TLS header names) are compiled
// into the listener's routing table with the rules, so the request path reads plain
// fields and ELB's defaults cost nothing.
//
// Differences from ALB worth knowing: the request head limit is 16 KiB in total (ALB:
// 16 KiB per line, 64 KiB in all); Connection-listed extension headers are forwarded;
// targets' certificates are not verified (as ALB); stickiness cookie values are opaque
// hashes, not encrypted.
package lb
