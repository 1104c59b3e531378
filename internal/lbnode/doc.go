// Package lbnode runs the load-balancer data plane as a process of its own,
// so that traffic through the listeners outlives the control plane: a crash
// or restart of `slipway server` drops no request.
//
// # The process
//
// Main is the hidden subcommand `slipway __lb --dir DIR --host HOST
// --identity ID`. It takes an exclusive lock on DIR/lock (so one data plane
// serves a data directory), runs an lb.DataPlane with its listeners on HOST,
// and serves the control plane through an lblink.Node on the unix socket
// DIR/link.sock (mode 0600 in a 0700 directory). Its output goes to
// DIR/lb.log (rotated to lb.log.1 at 10 MiB when a new process starts). It
// runs in a session of its own with no pipe to the server once it reported
// that it listens, so the server's death (even by SIGKILL) goes unnoticed:
// listeners, routing, health checks and drains carry on, with the last
// configuration the server had acknowledged.
//
// It exits on SIGTERM or SIGINT (closing its listeners), when the control
// plane asks it to shut down (Supervisor.Stop), and when DIR/link.sock no
// longer names its socket (the data directory was removed or replaced: no
// control plane could ever reach it again). Started from a test binary, it
// also exits once no control plane has been connected for two minutes, so a
// test run that was killed leaves nothing behind.
//
// # The supervisor
//
// Supervisor is the server's side: the lblink.Dialer of the server's
// lblink.Client. Dial connects to DIR/link.sock; when nothing answers it
// starts the process (Options.Command, normally the server's own executable
// with "__lb", like the process runtime's shim) in a new session, waits for
// its report on a pipe and connects. So a server that starts finds the data
// plane a previous server left running and adopts it (same process, same
// sockets), and a data plane that died is started again at the next dial:
// the client dials again at once when its connection ends.
//
// Check refuses a node of another installation (its identity is not the
// data directory's node id; it is left alone and the error says how to stop
// it) and replaces one that speaks another protocol or binds listeners on
// another host (the server's --lb-host changed): SIGTERM, then SIGKILL after
// 5 s, then a new process. A process is only ever signalled through a pidfd
// opened for the peer of a connection to our socket, so a recycled pid is
// never hit.
//
// Stop asks the node to close its listeners and exit (falling back to
// SIGTERM and SIGKILL), waits for the process to end and disables further
// starts: `slipway down` and --stop-tasks-on-exit use it after the tasks
// have drained.
package lbnode
