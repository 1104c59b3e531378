package server

import (
	"context"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// StopAllTasks deletes every service (force) and stops every task, then
// waits until the agent supervises none, for a clean exit of tools (demo)
// and tests. Tasks drain as usual.
func (s *Server) StopAllTasks(ctx context.Context) error {
	err := s.st.Update(ctx, func(home state.Tx) error {
		return eachRegion(home, func(tx state.Tx) error {
			clusters, err := tx.Clusters()
			if err != nil {
				return err
			}
			for _, c := range clusters {
				if err := stopCluster(tx, c.Name, s.st.Now()); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.agent.Running() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("tasks still running: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

func stopCluster(tx state.Tx, cluster string, now time.Time) error {
	services, err := tx.Services(cluster)
	if err != nil {
		return err
	}
	for _, svc := range services {
		if svc.Status != model.ServiceActive {
			continue
		}
		svc.BeginDeletion()
		if err := tx.PutService(cluster, svc); err != nil {
			return err
		}
	}
	tasks, err := tx.Tasks(cluster)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if t.DesiredStatus != model.TaskStopped {
			model.RequestStop(&t, model.StopUserInitiated, "Slipway is shutting down", now)
			if err := tx.PutTask(t); err != nil {
				return err
			}
		}
	}
	return nil
}
