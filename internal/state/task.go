package state

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

func taskKey(cluster, id string) string { return cluster + "/" + id }

// Task returns the task with id in cluster.
func (tx Tx) Task(cluster, id string) (model.Task, error) {
	key := taskKey(cluster, id)
	raw, err := tx.Get(bucketTasks, key)
	if err != nil {
		return model.Task{}, notFound(err, ErrTaskNotFound)
	}
	return tx.decodeTask(key, raw)
}

// PutTask stores t, bumping its version as ECS does on every change.
func (tx Tx) PutTask(t model.Task) error {
	t.Version++
	return store.PutJSON(tx, bucketTasks, taskKey(t.Internal.Cluster, t.Internal.ID), t)
}

// DeleteTask removes a task record (used when pruning old stopped tasks).
func (tx Tx) DeleteTask(cluster, id string) error {
	if tx.tasks != nil {
		tx.tasks.drop(taskKey(cluster, id))
	}
	return tx.Delete(bucketTasks, taskKey(cluster, id))
}

// Tasks returns every task of cluster.
func (tx Tx) Tasks(cluster string) ([]model.Task, error) { return tx.listTasks(cluster + "/") }

// AllTasks returns every task of every cluster.
func (tx Tx) AllTasks() ([]model.Task, error) { return tx.listTasks("") }

func (tx Tx) listTasks(prefix string) ([]model.Task, error) {
	var out []model.Task
	if tx.tasks != nil {
		// Growing a slice of 5,000 tasks by doubling cost more than reading them.
		out = make([]model.Task, 0, tx.tasks.size())
	}
	err := tx.scanTasks(prefix, "", func(_ string, t model.Task) bool {
		out = append(out, t)
		return true
	})
	return out, err
}

// ScanTasks pages through cluster's tasks after key `after`.
func (tx Tx) ScanTasks(cluster, after string, fn func(key string, t model.Task) bool) error {
	return tx.scanTasks(cluster+"/", after, fn)
}
