// Package process is the process runtime: it runs each container as a local process
// on the server's machine, sharing its network and filesystem, under a small
// supervisor "shim" (like containerd-shim) so that containers outlive a crashed server.
//
// # Command line
//
// argv is entryPoint followed by command when either is present. Where both are
// absent, image names the executable, with a ":tag" and an "@digest" dropped, so
// "talk-service:v2" runs "talk-service" (an image reference with a registry host, such
// as "example.com/talk", contains a slash and is therefore taken as a path).
// argv[0] is resolved to the file to execute as follows; the process receives argv[0]
// as written.
//   - A name without a slash is searched in the directories of PATH: the PATH that
//     the container's environment ends up with (see below): the task's PATH if Env
//     sets one, else the server's, else
//     "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin". Empty and
//     relative PATH entries are skipped. The first regular file with an execute bit wins.
//   - A name with a slash is a path: an absolute one is used as is; a relative one is
//     resolved against the container's working directory.
//   - The working directory is WorkingDir when set (relative to the server's working
//     directory if relative; it must exist), else the server's working directory.
//
// A missing executable fails Start with an error wrapping runtime.ErrCannotStart and
// runtime.ErrNotFound, worded "CannotStartContainerError: executable file not found
// in $PATH: talk" (or "...not found: /path" for paths). Health-check commands given to
// Exec are resolved the same way, with the container's environment and directory.
//
// # Environment
//
// The container does not inherit the server's environment, only PATH, HOME, TMPDIR
// and LANG from it (where set). Spec.Env is applied on top (so a task may override
// those), and then, for the port mappings, PORT and SLIPWAY_PORT_<containerPort>.
// Later entries replace earlier ones with the same name.
//
// # Ports
//
// The process shares the host's network, so it must listen on the host port, which
// it learns from the environment: PORT is the host port of the first port mapping,
// and SLIPWAY_PORT_<containerPort> the host port of every mapping (e.g.
// SLIPWAY_PORT_8080=49213). A mapping with hostPort 0 or absent gets a dynamic port:
// one the kernel reports free on all interfaces, from its ephemeral range
// (/proc/sys/net/ipv4/ip_local_port_range). Each Runtime keeps the ports it handed out
// reserved until their container exits, so two containers started at once never get
// the same port. A fixed hostPort is used as given and must be free on all
// interfaces and unreserved; otherwise Start fails with runtime.ErrPortInUse. Bindings
// report BindIP "0.0.0.0": the port was free on every interface, so the process may
// listen on all of them (the load balancer connects to 127.0.0.1). Protocol is "tcp"
// (default) or "udp".
//
// # Logs
//
// The shim pipes the process's stdout and stderr into LogDir/stdout.log and
// LogDir/stderr.log (the container directory when LogDir is empty). When a file would
// pass LogMaxBytes (default 10 MiB) it is renamed to stdout.log.1 (replacing the
// previous one) and a new file begun, so at most twice the bound stays on disk per
// stream. Lines stay whole where possible: the cut falls after the last newline that
// fits, and only a line longer than the bound is split. Writing never blocks the process on
// the server: the shim reads the pipes and discards output if the disk fails.
//
// # The shim and crash safety
//
// Every container runs under a shim: the server's own binary started as
// Options.ShimCommand plus the container directory (`slipway __shim DIR`, routed by
// the CLI to ShimMain). The server writes container.json (argv, env, directory, log
// files) into a new directory under Options.StateDir and starts the shim in a new
// session with stdin from /dev/null and stdout/stderr to DIR/shim.log. The shim starts
// the process in a session of its own (its process group id is its pid), with SIGKILL
// as its parent-death signal, reports the process's pid and start time on file
// descriptor 3 and closes it. From then on no pipe joins shim and server: the server
// may die at any time (even by SIGKILL), and neither the shim nor the process notices.
//
// The shim forwards SIGTERM, SIGINT, SIGHUP and SIGQUIT to the process group and turns
// SIGUSR1 into SIGKILL for the group (SIGKILL itself cannot be caught). When the
// process exits, the shim kills what remains of its group (as a container's processes
// end with it), drains the logs, writes DIR/status.json atomically (temporary file,
// fsync, rename, fsync of the directory) and exits. If the shim itself is killed,
// the process dies with it (parent-death signal) and no status is recorded.
//
// Exit statuses: "exit status N" with that code, or for a signal, Signal "SIGTERM",
// exit code 128+N (143, 137 for SIGKILL), reason "signal: terminated".
//
// # Adoption
//
// A Handle's State records the container directory, the host-port bindings and the
// pid and start time (field 22 of /proc/<pid>/stat) of the shim and the process. Adopt
// reads the exit status if one was recorded (the container is then gone: a
// *runtime.GoneError carrying it); otherwise it opens a pidfd for the shim and checks
// the start time, so a recycled pid counts as gone; then it watches the pidfd (or
// polls /proc where pidfds are unavailable) and reads status.json when the shim exits.
// An adopted Handle works like a started one. Runtime.Remove deletes the directory
// of an exited container once the agent no longer needs its status.
//
// # Stop, Kill, Exec
//
// Stop sends SIGTERM to the shim (forwarded to the group) and, after the timeout,
// Kill; Kill sends SIGUSR1 to the shim, or, if the shim cannot be signalled, SIGKILL
// to the process group directly after checking the process's start time. Exec runs a
// command with the container's environment and working directory in a process group
// of its own, returns the last 4 KiB of its combined output and kills the group when
// ctx ends.
package process
