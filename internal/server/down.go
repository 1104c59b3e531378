package server

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/agentlink"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// drainReason is the stop reason of tasks that Down stops, in ECS's words for
// tasks of a draining container instance.
const drainReason = "Task stopped during instance draining"

// downPollInterval is how often Down looks at the tasks it waits for.
const downPollInterval = 100 * time.Millisecond

// downState is what Down and the control socket keep.
type downState struct {
	mu        sync.Mutex // serialises Down
	nodeID    string     // set once the agent is started
	stopHooks []func(context.Context) error

	// done is closed when a down requested over the control socket is over:
	// the command running the server then exits.
	done     chan struct{}
	doneOnce sync.Once
	ctl      control
}

func (d *downState) finish() { d.doneOnce.Do(func() { close(d.done) }) }

// AddStopHook registers fn to run when the server stops for good (Down: `slipway
// down`, or `slipway server --stop-tasks-on-exit`), once every task has drained and
// stopped and before Close. It is for parts that a plain Close leaves running on
// purpose, such as a load-balancer data plane in a process of its own, which must
// outlive a server restart but not a down. Hooks run in the order added; their
// errors are reported together.
func (s *Server) AddStopHook(fn func(ctx context.Context) error) {
	s.down.mu.Lock()
	defer s.down.mu.Unlock()
	s.down.stopHooks = append(s.down.stopHooks, fn)
}

// Done is closed once a down requested over the control socket (`slipway down`)
// has stopped every task: the caller should then Close the server and exit.
func (s *Server) Done() <-chan struct{} { return s.down.done }

// RunningTasks is how many tasks the local agent supervises.
func (s *Server) RunningTasks() int {
	if s.agent == nil {
		return 0
	}
	return s.agent.Running()
}

// Down stops every task of this node cleanly and then the parts registered with
// AddStopHook. It uses the paths every stop takes: the node's container instances
// become DRAINING (ECS's status: the scheduler places nothing there, so services
// start no replacements), each task's desired status becomes STOPPED with ECS's
// reason for a draining instance, the controller deregisters the tasks' targets
// and waits until the data plane has drained them, and only then does the agent
// send SIGTERM. Services keep their desired counts: the next start of the server
// makes the instances ACTIVE again and the services' tasks run again; standalone
// tasks (RunTask) stay stopped. progress receives one line per change of what Down
// waits for. Down returns how many tasks it stopped; when ctx ends first, the
// tasks not yet stopped go on stopping in the background.
func (s *Server) Down(ctx context.Context, progress func(string)) (int, error) {
	s.down.mu.Lock()
	defer s.down.mu.Unlock()
	if s.agent == nil {
		return 0, errors.New("the server has no agent")
	}
	n, err := s.drainNode(ctx)
	if err != nil {
		return 0, fmt.Errorf("draining this node: %w", err)
	}
	if n > 0 {
		progress(fmt.Sprintf("stopping %s: their targets are deregistered and drained before they get SIGTERM", plural(n, "task", "tasks")))
	}
	if err := s.waitNodeStopped(ctx, progress); err != nil {
		return n, err
	}
	var errs []error
	for _, hook := range s.down.stopHooks {
		errs = append(errs, hook(ctx))
	}
	return n, errors.Join(errs...)
}

// drainNode makes this node's container instances DRAINING and requests the stop
// of every task placed on them, in one transaction. It returns how many of them
// are not yet STOPPED (a down run again after one that gave up counts those the
// first one asked to stop).
func (s *Server) drainNode(ctx context.Context) (int, error) {
	n := 0
	err := s.st.Update(ctx, func(home state.Tx) error {
		n = 0
		return eachRegion(home, func(tx state.Tx) error { return s.drainRegion(tx, &n) })
	})
	return n, err
}

// drainRegion is drainNode in one region's records.
func (s *Server) drainRegion(tx state.Tx, n *int) error {
	mine, err := s.nodeInstances(tx)
	if err != nil {
		return err
	}
	for _, ci := range mine {
		if ci.Status == model.InstanceActive {
			ci.Status, ci.Internal.ShutdownDrain = model.InstanceDraining, true
			if err := tx.PutInstance(ci); err != nil {
				return err
			}
		}
	}
	tasks, err := tx.AllTasks()
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if _, ok := mine[t.ContainerInstanceARN]; !ok || t.LastStatus == model.TaskStopped {
			continue
		}
		*n++
		if t.DesiredStatus == model.TaskStopped {
			continue
		}
		code := model.StopUserInitiated
		if t.Internal.Service != "" {
			code = model.StopServiceSchedulerInitiated
		}
		model.RequestStop(&t, code, drainReason, s.st.Now())
		if err := tx.PutTask(t); err != nil {
			return err
		}
	}
	return nil
}

// nodeInstances returns this node's container instances by ARN.
func (s *Server) nodeInstances(tx state.Tx) (map[string]model.ContainerInstance, error) {
	all, err := tx.AllInstances()
	if err != nil {
		return nil, err
	}
	mine := map[string]model.ContainerInstance{}
	for _, ci := range all {
		if ci.Internal.ID == agentlink.InstanceID(s.down.nodeID, ci.Internal.Cluster) {
			mine[ci.ARN] = ci
		}
	}
	return mine, nil
}

// waitNodeStopped waits until no task of this node is left unstopped and the
// agent supervises none.
func (s *Server) waitNodeStopped(ctx context.Context, progress func(string)) error {
	tick := time.NewTicker(downPollInterval)
	defer tick.Stop()
	last := ""
	for {
		left, err := s.unstopped(ctx)
		if err != nil {
			return err
		}
		if left == "" && s.agent.Running() == 0 {
			return nil
		}
		if left != last && left != "" {
			progress(left)
			last = left
		}
		select {
		case <-ctx.Done():
			if left == "" {
				left = "tasks still being cleaned up"
			}
			return fmt.Errorf("gave up waiting (%s): %w", left, ctx.Err())
		case <-tick.C:
		}
	}
}

// unstopped describes this node's tasks not yet STOPPED ("2 tasks left: 1
// DEACTIVATING, 1 STOPPING"), "" when there are none.
func (s *Server) unstopped(ctx context.Context) (string, error) {
	byStatus := map[string]int{}
	total := 0
	err := s.st.View(ctx, func(home state.Tx) error {
		clear(byStatus)
		total = 0
		return eachRegion(home, func(tx state.Tx) error {
			mine, err := s.nodeInstances(tx)
			if err != nil {
				return err
			}
			tasks, err := tx.AllTasks()
			for _, t := range tasks {
				if _, ok := mine[t.ContainerInstanceARN]; ok && t.LastStatus != model.TaskStopped {
					byStatus[t.LastStatus]++
					total++
				}
			}
			return err
		})
	})
	if err != nil || total == 0 {
		return "", err
	}
	var parts []string
	for _, st := range slices.Sorted(maps.Keys(byStatus)) {
		parts = append(parts, fmt.Sprintf("%d %s", byStatus[st], st))
	}
	return fmt.Sprintf("%s left: %s", plural(total, "task", "tasks"), strings.Join(parts, ", ")), nil
}

// reactivateNode makes the container instances that a Down of this node left
// DRAINING ACTIVE again: the node is back, and so are its services' tasks. It
// runs before the agent starts, also after a server killed during a Down.
func (s *Server) reactivateNode(ctx context.Context) error {
	return s.st.Update(ctx, func(home state.Tx) error {
		return eachRegion(home, func(tx state.Tx) error {
			mine, err := s.nodeInstances(tx)
			if err != nil {
				return err
			}
			for _, ci := range mine {
				if ci.Internal.ShutdownDrain {
					ci.Status, ci.Internal.ShutdownDrain = model.InstanceActive, false
					if err := tx.PutInstance(ci); err != nil {
						return err
					}
				}
			}
			return nil
		})
	})
}
