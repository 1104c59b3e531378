package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/agentlink"
	"github.com/slipway-dev/slipway/internal/analysis"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/api/ecs"
	"github.com/slipway-dev/slipway/internal/api/elbv2"
	logsapi "github.com/slipway-dev/slipway/internal/api/logs"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/controller"
	"github.com/slipway-dev/slipway/internal/lbsync"
	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
	"github.com/slipway-dev/slipway/internal/ops/acmops"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// Version is the agent version reported by container instances.
const Version = "0.1.0"

// Server is a running embedded Slipway.
type Server struct {
	cfg        Config
	db         *store.Bolt
	st         *state.State
	ecsOps     *ecsops.Ops // the ECS operations, for the ECS API and in-process callers
	dp         *dataPlane
	syncer     *lbsync.Syncer
	controller *controller.Controller
	alarmsLink *lateAlarms // the alarm engine for the controller, set once CloudWatch starts
	agent      *agent.Agent
	cw         *cloudWatch           // cloudwatch.go
	acm        *acmops.Service       // acm.go
	aas        *aasops.Service       // Application Auto Scaling (autoscaling.go)
	cfn        *stack.Engine         // cloudformation.go
	usage      runtime.UsageReporter // the runtime's, when it measures containers
	api        *listener             // the AWS APIs
	metrics    *listener             // /metrics and /slipway/lb/stats

	// logs holds the CloudWatch Logs events; logsOps runs the operations.
	logs    *logstore.Store
	logsOps *logsops.Service
	// elbOps runs the ELBv2 operations (the API's, CloudFormation's), with
	// target health and load balancer state from the syncer.
	elbOps *elbops.Service
	// rt names the container runtime, runtimeReason why it was chosen;
	// rtCloser ends the runtime's own goroutines at Close (docker).
	rt, runtimeReason string
	rtCloser          io.Closer
	cancel            context.CancelFunc
	wg                sync.WaitGroup
	closeOnce         sync.Once
	down              downState // Down, its stop hooks and the control socket (down.go)

	// regions is every region's State over db (st is the home region's),
	// regional every open region's APIs and controller (regions.go), and
	// controllerOpts the home region's controller's options, which every
	// region's controller is made with.
	regions        *state.Regions
	regional       regionSet
	controllerOpts controller.Options
	acmKeys        *acmops.Keys    // the local CA and sealing key, every region's ACM's
	runCtx         context.Context // ends at Close: every region's stack engine runs until then
}

// Start opens the data directory and starts every part. On error, what was
// started is stopped again.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg.applyDefaults()
	creds, err := awsproto.LoadCredentials(cfg.CredentialsFile, cfg.CredentialList)
	if err != nil {
		return nil, err
	}
	secured := len(creds) > 0
	if cfg.LBHost == "" {
		cfg.LBHost = "127.0.0.1"
		if secured {
			cfg.LBHost = "0.0.0.0"
		}
	}
	if err := cfg.checkListeners(secured); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, down: downState{done: make(chan struct{})}}
	if err := s.start(ctx, creds); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, creds awsproto.Credentials) error {
	cfg := s.cfg
	db, err := openStore(cfg.DataDir)
	if err != nil {
		return err
	}
	s.db = db
	s.regions = state.NewRegions(db, model.Partition{Region: cfg.Region, Account: cfg.Account}, s.knownRegion, nil)
	regionNames, err := s.regions.Load(ctx)
	if err != nil {
		return err
	}
	s.st = s.regions.Home()
	s.ecsOps = ecsops.New(s.st, targetGroups{s.st}, ecsops.Options{Logger: cfg.Logger})
	if err := ensureDefaultCluster(ctx, s.st); err != nil {
		return err
	}
	if err := s.openACM(); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := s.startDataPlane(ctx); err != nil {
		return err
	}
	syncer := s.syncer
	s.elbOps = elbops.New(s.st, syncer, cfg.Logger)
	s.useACMCertificates()
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel, s.runCtx = cancel, runCtx
	s.runDataPlane(runCtx)
	s.wg.Add(1)
	go func() { defer s.wg.Done(); _ = syncer.Run(runCtx) }()
	if _, err := syncer.Sync(ctx); err != nil {
		cfg.Logger.Warn("initial load-balancer sync incomplete", "err", err)
	}
	if err := s.openLogs(runCtx); err != nil {
		return err
	}
	clk, err := cfg.timeClock()
	if err != nil {
		return err
	}
	th, err := analysis.Parse(cfg.Analysis, analysis.Defaults())
	if err != nil {
		return fmt.Errorf("server: analysis setting %q: %w", cfg.Analysis, err)
	}
	s.alarmsLink = &lateAlarms{}
	s.controllerOpts = controller.Options{Logger: cfg.Logger, Clock: clk, Alarms: s.alarmsLink, Counters: s.dp.client, Analysis: th}
	s.controller = controller.New(s.st, syncer, s.controllerOpts)
	s.controller.Start()
	if err := s.openRegions(ctx, regionNames); err != nil {
		return err
	}
	if err := s.startAgent(ctx); err != nil {
		return err
	}
	if err := s.startCloudWatch(runCtx, s.usage); err != nil {
		return err
	}
	s.watchDeploymentAlarms()
	s.startAutoscaling(runCtx)
	s.startCloudFormation(runCtx)
	if err := s.serveMetrics(prometheus.Gatherers{reg, s.dp.client}, s.dp.client, len(creds) > 0); err != nil {
		return err
	}
	if err := s.serveAPI(creds); err != nil {
		return err
	}
	return s.serveControl()
}

// registerAPIs wires each AWS API into the router, with the name its
// requests are signed for.
func (s *Server) registerAPIs(router *awsproto.Router) {
	router.CheckRegions(s.checkRegion)
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: ecs.TargetPrefix, SigningName: ecs.SigningName},
		s.regionalECS())
	router.HandleQuery(awsproto.QueryAPI{Version: elbv2.Version, Namespace: elbv2.Namespace, SigningName: elbv2.SigningName},
		s.regionalQuery(elbv2.Namespace, func(rg *regional) http.Handler { return rg.elbAPI }))
	s.registerCloudWatch(router)
	s.registerAutoscaling(router)
	s.registerCloudFormation(router)
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: logsapi.TargetPrefix, SigningName: logsapi.SigningName},
		logsapi.New(s.logsOps, s.cfg.Logger))
	s.registerACM(router)
}

func (s *Server) startAgent(ctx context.Context) error {
	cfg := s.cfg
	nodeID, err := loadNodeID(cfg.DataDir)
	if err != nil {
		return err
	}
	s.down.nodeID = nodeID
	if err := s.reactivateNode(ctx); err != nil {
		return err
	}
	chosen, err := s.chooseRuntime(ctx, s.db.ID())
	if err != nil {
		return err
	}
	s.rt, s.rtCloser = chosen.rt.Name(), chosen.closer
	s.usage, _ = chosen.rt.(runtime.UsageReporter)
	cfg.Logger.Info("container runtime chosen", "runtime", chosen.rt.Name(), "reason", chosen.reason)
	node := agent.Node{ID: nodeID, AgentVersion: Version, CPU: goruntime.NumCPU() * 1024, Memory: totalMemoryMiB()}
	chosen.describe(&node)
	s.runtimeReason = chosen.reason
	metaAddr := metadataAddr(cfg.DataDir, cfg.MetadataAddr, cfg.Logger)
	a, err := agent.New(agent.Options{
		Node: node, LogDir: filepath.Join(cfg.DataDir, logsDir), Region: cfg.Region,
		MetadataAddr: metaAddr, StoreID: s.db.ID(), SecretsDir: cfg.secretsDir(), Logger: cfg.Logger,
		Logs: s.logsOps,
	}, agentlink.New(s.st), chosen.rt)
	if err != nil {
		return err
	}
	s.agent = a
	saveMetadataAddr(cfg.DataDir, a.MetadataAddr())
	return a.Start(ctx)
}

// State exposes the server's state for in-process tools (demo, tests).
func (s *Server) State() *state.State { return s.st }

// Close stops the API, the controller, the agent and the link to the data
// plane, and closes the store. Tasks and the data plane process keep
// running (a restart adopts them); use Down (or, in tools and tests,
// StopAllTasks and StopDataPlane) first to end them.
func (s *Server) Close() error {
	var errs []error
	s.closeOnce.Do(func() {
		errs = append(errs, s.closeControl())
		errs = append(errs, s.api.shutdown(), s.metrics.shutdown())
		if s.agent != nil {
			errs = append(errs, s.agent.Close())
		}
		if s.rtCloser != nil {
			errs = append(errs, s.rtCloser.Close())
		}
		errs = append(errs, s.closeRegions())
		if s.controller != nil {
			errs = append(errs, s.controller.Close())
		}
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
		errs = append(errs, s.closeCloudWatch())
		errs = append(errs, s.closeDataPlane())
		if s.logs != nil {
			errs = append(errs, s.logs.Close())
		}
		if s.db != nil {
			errs = append(errs, s.db.Close())
		}
	})
	return errors.Join(errs...)
}

// ensureDefaultCluster creates the "default" cluster on a fresh data
// directory, so requests without a cluster work as they do on ECS. A default
// cluster the user deleted stays deleted.
func ensureDefaultCluster(ctx context.Context, st *state.State) error {
	return st.Update(ctx, func(tx state.Tx) error {
		if _, err := tx.Cluster(model.DefaultClusterName); !errors.Is(err, state.ErrClusterNotFound) {
			return err
		}
		return tx.PutCluster(model.Cluster{Name: model.DefaultClusterName, ARN: tx.Partition.ClusterARN(model.DefaultClusterName),
			Status: model.ClusterActive, CreatedAt: st.NowTime()})
	})
}

// loadNodeID reads this machine's node id from the data directory, creating
// it on first start; container instance ids derive from it.
func loadNodeID(dir string) (string, error) {
	path := filepath.Join(dir, nodeIDFile)
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	id := hex.EncodeToString(raw[:])
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(id+"\n"), 0o600); err != nil {
		return "", err
	}
	return id, os.Rename(tmp, path)
}

// totalMemoryMiB reads MemTotal from /proc/meminfo (0 when unknown: then
// memory is not reserved).
func totalMemoryMiB() int {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}
