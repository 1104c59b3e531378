package docker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/versions"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/cgroupstat"
)

// ErrBadOptions is returned by New for unusable Options.
var ErrBadOptions = errors.New("docker runtime: bad options")

// ErrNoEngine means no Docker Engine answered.
var ErrNoEngine = errors.New("no Docker Engine answered")

// defaultBindIP is where bridge-mode host ports are published unless
// Options.BindIP says otherwise: the load balancer dials loopback, and
// nothing is exposed beyond the machine by default.
const defaultBindIP = "127.0.0.1"

// bridgeNameOption names the bridge interface in a bridge network's options.
const bridgeNameOption = "com.docker.network.bridge.name"

// pullTimeout bounds one image pull.
const pullTimeout = 10 * time.Minute

// Options configure a Docker Runtime.
type Options struct {
	// Client talks to the engine; nil connects as the docker CLI does
	// (DOCKER_HOST, else the local socket), negotiating the API version.
	Client *client.Client
	// StoreID identifies the store the server runs on. Everything the runtime
	// creates carries it, and List returns only what carries it, so that two
	// servers sharing an engine never touch each other's containers.
	StoreID string
	// BindIP is the host address bridge-mode ports are published on
	// (default 127.0.0.1).
	BindIP string
	// HolderBinary is the executable that holds an awsvpc task's network
	// namespace (`HolderBinary __netholder`), copied into an image built FROM
	// scratch on first use; default: this executable.
	HolderBinary string
	Logger       *slog.Logger
}

// Engine describes the Docker Engine a Runtime talks to.
type Engine struct {
	// Version is the engine's version, e.g. "20.10.24".
	Version string
	// APIVersion is the API version negotiated with it, e.g. "1.41".
	APIVersion string
	// Host is where it answered, e.g. "unix:///var/run/docker.sock".
	Host string
}

// Runtime runs containers through the Docker Engine API. It is safe for
// concurrent use.
type Runtime struct {
	cli     *client.Client
	engine  Engine
	storeID string
	bindIP  netip.Addr
	gateway string
	holder  holderImage
	log     *slog.Logger
	health  *healthEvents
	live    runtime.LiveSet[*handle] // running containers, for Usage (usage.go)
	// mounts are the cgroup file systems containers are measured in;
	// mountsErr says why there are none.
	mounts    cgroupstat.Mounts
	mountsErr error
	// tasks makes the cgroups of tasks with task-level cpu or memory.
	tasks taskCgroups

	// ctx ends the goroutines that watch containers, at Close.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var (
	_ runtime.Runtime      = (*Runtime)(nil)
	_ runtime.Remover      = (*Runtime)(nil)
	_ runtime.Lister       = (*Runtime)(nil)
	_ runtime.TaskPreparer = (*Runtime)(nil)
	_ runtime.HostGateway  = (*Runtime)(nil)
)

// NewClient connects to the engine as the docker CLI would.
func NewClient() (*client.Client, error) {
	return client.New(client.FromEnv)
}

// Probe asks the engine behind cli who it is, negotiating the API version;
// it fails with ErrNoEngine when nothing answers.
func Probe(ctx context.Context, cli *client.Client) (Engine, error) {
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return Engine{}, fmt.Errorf("%w at %s: %w", ErrNoEngine, cli.DaemonHost(), err)
	}
	v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return Engine{}, fmt.Errorf("%w at %s: %w", ErrNoEngine, cli.DaemonHost(), err)
	}
	return Engine{Version: v.Version, APIVersion: cli.ClientVersion(), Host: cli.DaemonHost()}, nil
}

// New returns a Runtime for the engine Options.Client reaches. It fails with
// ErrNoEngine when the engine does not answer.
func New(ctx context.Context, opts Options) (*Runtime, error) {
	if opts.StoreID == "" {
		return nil, fmt.Errorf("%w: StoreID is required", ErrBadOptions)
	}
	bind := opts.BindIP
	if bind == "" {
		bind = defaultBindIP
	}
	bindIP, err := netip.ParseAddr(bind)
	if err != nil {
		return nil, fmt.Errorf("%w: BindIP: %w", ErrBadOptions, err)
	}
	cli := opts.Client
	if cli == nil {
		if cli, err = NewClient(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNoEngine, err)
		}
	}
	engine, err := Probe(ctx, cli)
	if err != nil {
		return nil, err
	}
	holderBin := opts.HolderBinary
	if holderBin == "" {
		if holderBin, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("%w: locating the network holder binary: %w", ErrBadOptions, err)
		}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rctx, cancel := context.WithCancel(context.Background())
	r := &Runtime{
		cli: cli, engine: engine, storeID: opts.StoreID, bindIP: bindIP, holder: holderImage{binary: holderBin},
		log: log.With("runtime", "docker"), ctx: rctx, cancel: cancel,
	}
	r.mounts, r.mountsErr = cgroupstat.ReadMounts()
	driver := ""
	if info, err := cli.Info(ctx, client.InfoOptions{}); err == nil {
		driver = info.Info.CgroupDriver
	}
	r.tasks = newTaskCgroups(driver, r.mounts, r.mountsErr, opts.StoreID)
	if r.tasks.enabled() {
		r.log.Info("task-level cpu and memory applied with a cgroup per task", "cgroup", r.tasks.base, "version", r.tasks.version)
	} else {
		r.log.Warn("task-level cpu and memory cap each container of a task, not the task as a whole", "why", r.tasks.why)
	}
	r.gateway = r.bridgeGateway(ctx)
	r.health = newHealthEvents(r)
	return r, nil
}

// Name returns "docker".
func (r *Runtime) Name() string { return "docker" }

// Engine describes the engine this runtime talks to.
func (r *Runtime) Engine() Engine { return r.engine }

// HostGateway is the bridge network's gateway, where containers with a
// network namespace of their own reach the host (the task metadata endpoint).
func (r *Runtime) HostGateway() string { return r.gateway }

// Close stops watching containers (they keep running: a restarted server
// adopts them), removes the store's cgroup directory if no task's cgroup is
// left in it, and closes the client.
func (r *Runtime) Close() error {
	r.cancel()
	r.wg.Wait()
	r.tasks.removeBase()
	return r.cli.Close()
}

// apiAtLeast reports whether the negotiated API version is v or newer.
func (r *Runtime) apiAtLeast(v string) bool {
	return !versions.LessThan(r.engine.APIVersion, v)
}

// bridgeGateway finds the default bridge network's gateway: the address
// its IPAM names, else the address of its bridge interface on this machine
// (engines of 20.10 name none for the default bridge).
func (r *Runtime) bridgeGateway(ctx context.Context) string {
	res, err := r.cli.NetworkInspect(ctx, "bridge", client.NetworkInspectOptions{})
	if err != nil {
		r.log.Warn("no bridge network; containers cannot reach the task metadata endpoint", "err", err)
		return ""
	}
	for _, c := range res.Network.IPAM.Config {
		if c.Gateway.Is4() {
			return c.Gateway.String()
		}
	}
	if ifc, err := net.InterfaceByName(res.Network.Options[bridgeNameOption]); err == nil {
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
				return ipn.IP.String()
			}
		}
	}
	r.log.Warn("the bridge network's gateway is unknown; containers cannot reach the task metadata endpoint")
	return ""
}

// goWatch runs f on a goroutine that Close waits for.
func (r *Runtime) goWatch(f func()) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		f()
	}()
}
