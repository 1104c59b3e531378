package state

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

func taskKey(cluster, id string) string { return cluster + "/" + id }

// Task returns the task with id in cluster.
func (tx Tx) Task(cluster, id string) (model.Task, error) {
	t, err := store.GetJSON[model.Task](tx, bucketTasks, taskKey(cluster, id))
	return t, notFound(err, ErrTaskNotFound)
}

// PutTask stores t, bumping its version as ECS does on every change.
func (tx Tx) PutTask(t model.Task) error {
	t.Version++
	return store.PutJSON(tx, bucketTasks, taskKey(t.Internal.Cluster, t.Internal.ID), t)
}

// DeleteTask removes a task record (used when pruning old stopped tasks).
func (tx Tx) DeleteTask(cluster, id string) error {
	return tx.Delete(bucketTasks, taskKey(cluster, id))
}

// Tasks returns every task of cluster.
func (tx Tx) Tasks(cluster string) ([]model.Task, error) {
	return store.ListJSON[model.Task](tx, bucketTasks, cluster+"/")
}

// AllTasks returns every task of every cluster.
func (tx Tx) AllTasks() ([]model.Task, error) {
	return store.ListJSON[model.Task](tx, bucketTasks, "")
}

// ScanTasks pages through cluster's tasks after key `after`.
func (tx Tx) ScanTasks(cluster, after string, fn func(key string, t model.Task) bool) error {
	return store.ScanJSON(tx, bucketTasks, cluster+"/", after, fn)
}
