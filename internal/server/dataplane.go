package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lblink"
	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/lbsync"
)

// dataPlaneDir is the data plane process's directory in the data directory.
const dataPlaneDir = "lb"

// dataPlane is the server's end of its load-balancer data plane, which runs
// as a process of its own (lbnode) that outlives the server: the supervisor
// finds or starts it, the client mirrors its state and feeds it the
// syncer's configurations.
type dataPlane struct {
	sup         *lbnode.Supervisor
	client      *lblink.Client
	stopOnClose atomic.Bool // set by Down's stop hook
}

// stopTimeout bounds stopping the data plane in Close after a Down.
const stopTimeout = 15 * time.Second

// startDataPlane connects to the data plane process of the data directory,
// starting it if none runs, and creates the syncer that feeds it. A data
// plane left by a previous server is adopted with its listeners, health and
// drains; the syncer then applies the store's routing above its version.
func (s *Server) startDataPlane(ctx context.Context) error {
	cfg := s.cfg
	cmd := cfg.DataPlaneCommand
	if len(cmd) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("locating the slipway executable for the load-balancer data plane: %w", err)
		}
		cmd = []string{exe, lbnode.Arg}
	}
	identity, err := loadNodeID(cfg.DataDir)
	if err != nil {
		return err
	}
	sup, err := lbnode.New(lbnode.Options{Dir: filepath.Join(cfg.DataDir, dataPlaneDir), Command: cmd, Env: cfg.DataPlaneEnv,
		Host: cfg.LBHost, Identity: identity, Logger: cfg.Logger})
	if err != nil {
		return err
	}
	client := lblink.NewClient(sup, lblink.ClientOptions{Identity: identity, Check: sup.Check, Logger: cfg.Logger,
		OnHealthChange: func() { s.syncer.OnHealthChange(lb.HealthEvent{}) },
		OnReset:        func() { s.syncer.Resync() }})
	s.dp = &dataPlane{sup: sup, client: client}
	// After a Down (every task drained and stopped) Close stops the data
	// plane too: its listeners go with the server, not before it.
	s.AddStopHook(func(context.Context) error {
		s.dp.stopOnClose.Store(true)
		return nil
	})
	s.syncer = lbsync.New(s.st, []lbsync.DataPlane{client}, cfg.Logger)
	// A node that had to be replaced (another protocol or listen host) is
	// gone when Connect returns ErrReplaced; the next attempt starts anew.
	for range 2 {
		if err = client.Connect(ctx); !errors.Is(err, lbnode.ErrReplaced) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("load-balancer data plane: %w", err)
	}
	return nil
}

// runDataPlane keeps the link up (reconnecting, restarting a process that
// died) until ctx ends.
func (s *Server) runDataPlane(ctx context.Context) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.dp.client.Run(ctx)
	}()
}

// closeDataPlane ends the link; the data plane process keeps serving, as
// tasks keep running, for the next server to adopt, unless a Down stopped
// everything: then it stops the process.
func (s *Server) closeDataPlane() error {
	if s.dp == nil {
		return nil
	}
	var err error
	if s.dp.stopOnClose.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		err = s.StopDataPlane(ctx)
		cancel()
	}
	return errors.Join(err, s.dp.client.Close())
}

// StopDataPlane stops the load-balancer data plane process: its listeners
// close and it exits, and the server does not start it again. After a Down
// (`slipway down`, --stop-tasks-on-exit) Close calls it; tools and tests
// call it after StopAllTasks.
func (s *Server) StopDataPlane(ctx context.Context) error {
	if s.dp == nil {
		return nil
	}
	return s.dp.sup.Stop(ctx, s.dp.client)
}

// recordedPlane is the data plane as the CloudWatch recorder reads it: its
// counters without a context, none while the process is unreachable (the
// recorder then records nothing for that interval, and a restarted
// process's counters that start again from zero count as a restart).
type recordedPlane struct{ c *lblink.Client }

func (p recordedPlane) Stats() lb.Stats {
	ctx, cancel := context.WithTimeout(context.Background(), recordStatsTimeout)
	defer cancel()
	st, err := p.c.Stats(ctx)
	if err != nil {
		return lb.Stats{}
	}
	return st
}

// NetworkStats are the network plane's counters, none while the process is
// unreachable (or serves no network load balancers).
func (p recordedPlane) NetworkStats() l4.NetworkStats {
	ctx, cancel := context.WithTimeout(context.Background(), recordStatsTimeout)
	defer cancel()
	st, err := p.c.NetworkStats(ctx)
	if err != nil {
		return l4.NetworkStats{}
	}
	return st
}

func (p recordedPlane) TargetHealth(targetGroupARN string) []lb.TargetHealth {
	return p.c.TargetHealth(targetGroupARN)
}

// recordStatsTimeout bounds one read of the counters for the recorder.
const recordStatsTimeout = 5 * time.Second

// DataPlaneRuns reports whether a load-balancer data plane process serves
// the data directory (it answers on its control socket), as one does after
// the server stopped without a down.
func DataPlaneRuns(dataDir string) bool {
	conn, err := net.DialTimeout("unix", filepath.Join(dataDir, dataPlaneDir, lbnode.SocketName), time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// DataPlane exposes the server's end of the load-balancer data plane
// (target health, statistics).
func (s *Server) DataPlane() *lblink.Client { return s.dp.client }

// DataPlanePID is the process id of the load-balancer data plane process
// (0 before it was reached).
func (s *Server) DataPlanePID() int { return s.dp.sup.PID() }
