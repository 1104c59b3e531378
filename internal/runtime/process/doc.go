// Package process is the process runtime: it runs each container as a local process
// on the server's machine, sharing its network and filesystem, under a small
// supervisor "shim" (like containerd-shim) so that containers outlive a crashed server.
//
// # Command line
//
// argv is entryPoint followed by command when either is present. Where both are
// absent, image names the executable, with a ":tag" dropped, so "talk-service:v2"
// runs "talk-service". An image that names a registry (its first component has a "."
// or a ":" or is "localhost": "123456789012.dkr.ecr.us-east-1.amazonaws.com/talk:1",
// "docker.io/library/nginx", "ghcr.io/org/talk") or pins a digest ("talk@sha256:...")
// cannot be run here: Start fails with runtime.ErrCannotStart and
// runtime.ErrInvalidSpec, saying to use the Docker runtime or name an executable. Any
// other name with a slash ("library/nginx") is a path; when it is not found, the error
// adds that an image to pull needs the Docker runtime.
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
// and LANG from it (where set). HOST is set to 127.0.0.1 (model.LocalHost, where the
// load balancer dials targets), so that a process that listens on $HOST is not exposed
// on every interface. Spec.Env is applied on top (so a task may override those, HOST
// included), and then, for the port mappings, PORT and SLIPWAY_PORT_<containerPort>.
// Later entries replace earlier ones with the same name.
//
// # Ports
//
// The process shares the host's network, so it must listen on the host port, which
// it learns from the environment: PORT is the host port of the first port mapping,
// and SLIPWAY_PORT_<containerPort> the host port of every mapping (e.g.
// SLIPWAY_PORT_8080=49213). A mapping with hostPort 0 or absent gets a dynamic port:
// one the kernel reports free on all interfaces, from its ephemeral range
// (/proc/sys/net/ipv4/ip_local_port_range). Each Runtime keeps the ports it handed
// out, and those of the containers it adopted or found running, reserved until their
// container exits, so two containers never get the same port. A fixed hostPort is
// used as given and must be free on all interfaces and unreserved; otherwise Start
// fails with runtime.ErrPortInUse. Bindings report as BindIP the address HOST holds
// (127.0.0.1 unless the task set another), or "0.0.0.0" when HOST is not an address;
// the port was free on every interface, so the process may listen wherever it is told.
// Protocol is "tcp" (default) or "udp".
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
// Beside each file the shim keeps an index (stdout.log.idx, rotated with it): one
// record per write with the file's new size and the time the shim read those bytes,
// and a generation number per file. The shim asks for 1 MiB pipes and, after a read
// that did not half fill its buffer, waits 10 ms before reading again, so a container
// that writes line by line costs about a hundred writes per second, not one per line. Runtime
// implements runtime.LogFollower over the files and indexes (logfollow.go): lines
// with the time they were read, resumable from a cursor (generation and offset per
// stream), ending once the shim recorded the exit; a reader that falls behind by
// more than the two files loses the oldest lines, and counts the gap.
//
// # The shim and crash safety
//
// Every container runs under a shim: the server's own binary started as
// Options.ShimCommand plus the container directory (`slipway __shim DIR`, routed by
// the CLI to ShimMain). The server creates a new directory under Options.StateDir,
// takes a flock on it, writes container.json (argv, env, directory, log files, host
// port bindings) into it and starts the shim in a new session with stdin from
// /dev/null, stdout/stderr to DIR/shim.log and the locked directory as file
// descriptor 4. The lock belongs to the open file, which the shim shares, so it is
// held from before the config exists until the shim exits, no matter when the
// server dies. The shim starts the process in a session of its own (its process
// group id is its pid), with SIGKILL as its parent-death signal, writes
// DIR/identity.json (its own and the process's pid and start time) atomically, then
// reports the process's pid and start time on file descriptor 3 and closes it. From then on no pipe joins shim
// and server: the server may die at any time (even by SIGKILL), and neither the shim
// nor the process notices.
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
// An adopted Handle works like a started one, and holds the container's ports.
//
// The agent may not have recorded the State: a server killed after the shim started
// but before the agent stored what Start returned leaves a container only the state
// directory knows. Runtime.List (runtime.Lister) finds every container from the
// directories alone, for the agent to adopt or remove:
//
//	StateDir/<task>.<container>-<random>/
//	    container.json  written by the server before the shim starts, including
//	                    "layout": 2, the host-port "bindings" and the "storeId"
//	                    of the store whose agent started it (Found.StoreID)
//	    identity.json   written by the shim once the process runs, before it reports
//	    status.json     written by the shim when the process has exited
//	    shim.log        the shim's own output (plus stdout.log and stderr.log when
//	                    Spec.LogDir is empty)
//
// A directory with identity.json yields the very State Start returned (equal bytes),
// running unless status.json exists or the shim is gone. A directory without
// container.json is skipped: no shim starts before the config exists. A directory
// with container.json but no identity.json is classified by its lock: held means
// its shim is starting, and List waits for the identity (bounded by ctx and 30
// seconds, then ErrStillStarting); free means no shim runs for it and none ever will,
// so it is listed as not running, and Adopt reports it gone (with the start failure
// the shim recorded, if it got so far). No process can run unlisted: before
// identity.json exists the shim holds the lock, and if the shim dies first, the
// process dies with it by its parent-death signal; if identity.json cannot be
// written, the shim kills the process and reports a failed start. Directories
// written by older servers (no "layout") are skipped; the agent's records still
// adopt them.
//
// List holds the host ports of the running containers it finds (each hold is keyed
// by container directory, so releasing one container's hold never frees a port that
// another holds); the Handle from Adopt releases them when the container exits, an
// Adopt that finds the container gone releases them at once, and so does Remove.
// Runtime.Remove deletes the directory of an exited container once the agent no
// longer needs its status; it refuses (ErrStillRunning) while the shim runs or the
// lock is held.
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
