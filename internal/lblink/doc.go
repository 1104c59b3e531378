// Package lblink is the link between the control plane and a load-balancer
// data plane node: the seam that lets the data plane run in a process of its
// own today (over a unix socket) and on other machines later (over TCP with
// TLS), with the same messages.
//
// # Messages
//
// A connection carries length-prefixed JSON frames (a 4-byte big-endian
// length, then one Message; at most MaxFrame bytes). The node speaks first:
//
//	node → control  hello    {protocol, identity, pid, host, version}
//	control → node  hello    {protocol, identity}
//	node → control  welcome  {version, health of every target group}
//
// Either side closes the connection when the other's protocol or identity is
// not its own (ErrProtocol, ErrForeignNode). After the welcome, the control
// plane sends requests, each with an id its reply carries:
//
//	apply {config}   → applied {version} or {error}: the routing of config
//	                    (an lb.Config with its version) is what every new
//	                    request sees; health reflecting it was sent before
//	apply-network {network} → applied, likewise for the network load
//	                    balancers' l4.Config (a node serving Planes; protocol 2)
//	stats            → stats {lb.Stats}
//	metrics          → metrics {Prometheus families, delimited protobuf}
//	ping             → pong (keep-alive)
//	shutdown         → shutdown: the node closed its listeners and exits
//
// and the node pushes, unasked, health {target groups}: the complete health
// of each target group in which something changed (a target went healthy,
// unhealthy, draining, or finished draining and left the group). Health is
// read when the frame is written, so every frame is newer than the one
// before it; a target that leaves its group's list has finished draining,
// which is how WaitDrained learns of it.
//
// # Versions and acknowledgement
//
// Configurations are complete and versioned: applying a version at or below
// the node's is a no-op, so a request can be sent again after a lost
// connection. The node keeps its configuration, listeners, health checks and
// drains when the control plane goes away; a control plane that connects
// again learns the applied version, the health of every target and the
// targets still draining from the welcome, and carries on from there.
//
// # Ends
//
// Node serves one control plane at a time on a net.Listener: a newly
// welcomed connection replaces the previous one. Client is the control
// plane's end: it keeps a mirror of the node's health, so TargetHealth and
// AppliedVersion never wait on the network, and reconnects through a Dialer
// whenever the connection is lost.
package lblink
