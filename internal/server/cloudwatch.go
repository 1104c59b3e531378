package server

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/api/cloudwatch"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/cwrecorder"
	"github.com/slipway-dev/slipway/internal/metricstore"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/state"
)

// metricsFile is the metric store's file in the data directory.
const metricsFile = "metrics.db"

// cloudWatch is CloudWatch's parts: the clock --time-scale sets, the metric
// store, the alarm engine, the operations layer and the recorder of
// Slipway's own metrics.
type cloudWatch struct {
	clock   clock.Clock
	metrics *metricstore.Store
	alarms  *alarms.Engine
	ops     *cwops.Service
}

// startCloudWatch opens the metric store and starts the alarm engine and
// the recorder; they run until ctx ends.
func (s *Server) startCloudWatch(ctx context.Context, usage runtime.UsageReporter) error {
	clk, err := s.cfg.timeClock()
	if err != nil {
		return err
	}
	ms, err := metricstore.Open(metricstore.Options{Path: filepath.Join(s.cfg.DataDir, metricsFile), Logger: s.cfg.Logger})
	if err != nil {
		return err
	}
	eng := alarms.New(alarms.Options{Store: s.db, Metrics: ms, Clock: clk, Logger: s.cfg.Logger})
	s.cw = &cloudWatch{clock: clk, metrics: ms, alarms: eng,
		ops: cwops.New(cwops.Options{Region: s.cfg.Region, Account: s.cfg.Account, Alarms: eng, Metrics: ms, Logger: s.cfg.Logger})}
	ropts := cwrecorder.Options{LoadBalancers: []cwrecorder.LoadBalancer{recordedPlane{s.dp.client}},
		NetworkLoadBalancers: []cwrecorder.NetworkLoadBalancer{recordedPlane{s.dp.client}}, Topology: topology{s.st},
		Sink: ms, Clock: clk, Logger: s.cfg.Logger}
	if usage != nil {
		ropts.Usage = []cwrecorder.Usage{usage}
	}
	rec := cwrecorder.New(ropts)
	s.wg.Add(3)
	go func() { defer s.wg.Done(); _ = ms.Run(ctx) }()
	go func() { defer s.wg.Done(); _ = eng.Run(ctx) }()
	go func() { defer s.wg.Done(); _ = rec.Run(ctx) }()
	if clk.Scaled() {
		s.cfg.Logger.Info("time runs faster for minutes-based timers", "time_scale", clk.Scale())
	}
	return nil
}

// registerCloudWatch serves CloudWatch's three protocols.
func (s *Server) registerCloudWatch(router *awsproto.Router) {
	h := cloudwatch.New(s.cw.ops, s.cfg.Logger)
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: cloudwatch.TargetPrefix, SigningName: cloudwatch.SigningName}, h)
	router.HandleQuery(awsproto.QueryAPI{Version: cloudwatch.Version, Namespace: cloudwatch.Namespace, SigningName: cloudwatch.SigningName}, h)
	router.HandleRPCv2(awsproto.RPCv2API{Service: cloudwatch.TargetPrefix, SigningName: cloudwatch.SigningName}, h)
}

// closeCloudWatch closes the metric store, once its Run has flushed.
func (s *Server) closeCloudWatch() error {
	if s.cw == nil {
		return nil
	}
	return s.cw.metrics.Close()
}

// CloudWatch is CloudWatch's operations layer, for in-process callers
// (Application Auto Scaling, CloudFormation).
func (s *Server) CloudWatch() *cwops.Service { return s.cw.ops }

// Alarms is the alarm engine: Listen for state changes (deployment
// alarms), AddTarget for alarm actions (scaling policies).
func (s *Server) Alarms() *alarms.Engine { return s.cw.alarms }

// Clock is the clock --time-scale sets, for every minutes-based timer.
func (s *Server) Clock() clock.Clock { return s.cw.clock }

// lateAlarms lets the controller, which starts before CloudWatch, read the
// alarm engine once it exists (until then no alarm exists for it).
type lateAlarms struct{ eng atomic.Pointer[alarms.Engine] }

func (l *lateAlarms) Get(ctx context.Context, name string) (alarms.Alarm, error) {
	e := l.eng.Load()
	if e == nil {
		return alarms.Alarm{}, alarms.ErrNotFound
	}
	return e.Get(ctx, name)
}

// watchDeploymentAlarms hands the alarm engine to the controller and wakes
// it on every alarm state change, so deploymentConfiguration.alarms roll a
// deployment back at once.
func (s *Server) watchDeploymentAlarms() {
	s.alarmsLink.eng.Store(s.cw.alarms)
	ctrl := s.controller
	s.cw.alarms.Listen(func(alarms.StateChange) { ctrl.Wake() })
}

// timeClock is the clock --time-scale sets (real time when unset).
func (c Config) timeClock() (clock.Clock, error) {
	if c.TimeScale == 0 {
		return clock.Real(), nil
	}
	return clock.New(c.TimeScale)
}

// topology reads what the recorder needs from the state.
type topology struct{ st *state.State }

func (t topology) Topology(ctx context.Context) (cwrecorder.Topology, error) {
	var out cwrecorder.Topology
	err := t.st.View(ctx, func(tx state.Tx) error {
		var err error
		if out.TargetGroupLoadBalancers, err = tx.TargetGroupLoadBalancers(); err != nil {
			return err
		}
		tasks, err := tx.AllTasks()
		if err != nil {
			return err
		}
		for _, task := range tasks {
			if task.LastStatus != model.TaskRunning {
				continue
			}
			_, td, _ := strings.Cut(task.TaskDefinitionARN, ":task-definition/")
			out.Tasks = append(out.Tasks, cwrecorder.Task{ARN: task.ARN, Cluster: task.Internal.Cluster,
				Service: task.Internal.Service, TaskDefinition: td,
				CPU: task.Internal.Reserved.CPU, MemoryMiB: task.Internal.Reserved.Memory})
		}
		return nil
	})
	return out, err
}
