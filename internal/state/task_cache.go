package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/slipway-dev/slipway/internal/model"
)

// taskCache keeps the last decoded copy of each task record with the bytes
// it was decoded from, as serviceCache does for services. The controller's
// passes, RunTask's placement and the agent read every task of a cluster
// (5,000 for one service of ECS's maximum size), and decoding them all took
// tens of milliseconds inside write transactions; a read of unchanged bytes
// now costs a comparison and a copy. The bytes are the key, so the cache
// can never serve a stale record, and a rolled-back write only costs a miss.
type taskCache struct {
	mu sync.Mutex // protects m
	m  map[string]cachedTask
}

type cachedTask struct {
	raw  []byte
	task model.Task
}

func newTaskCache() *taskCache { return &taskCache{m: map[string]cachedTask{}} }

func (c *taskCache) get(key string, raw []byte) (model.Task, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || !bytes.Equal(e.raw, raw) {
		return model.Task{}, false
	}
	return cloneTask(e.task), true
}

func (c *taskCache) put(key string, raw []byte, t model.Task) {
	c.mu.Lock()
	c.m[key] = cachedTask{raw: raw, task: cloneTask(t)}
	c.mu.Unlock()
}

// size is how many tasks are cached: about how many the store holds, the
// capacity a list of tasks starts with.
func (c *taskCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (c *taskCache) drop(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// cloneTask copies the slices that callers change in place (containers and
// their bindings, targets, reserved ports), so that a caller's edits never
// reach the cached copy. Pointers to times and exit codes are replaced, never
// written through, by every writer of a task.
func cloneTask(t model.Task) model.Task {
	t.Containers = slices.Clone(t.Containers)
	for i := range t.Containers {
		t.Containers[i].NetworkBindings = slices.Clone(t.Containers[i].NetworkBindings)
	}
	t.Internal.Targets = slices.Clone(t.Internal.Targets)
	t.Internal.Reserved.HostPorts = slices.Clone(t.Internal.Reserved.HostPorts)
	return t
}

// decodeTask decodes a task record, through the cache when the bytes are
// the ones last decoded.
func (tx Tx) decodeTask(key string, raw []byte) (model.Task, error) {
	if tx.tasks != nil {
		if t, ok := tx.tasks.get(key, raw); ok {
			return t, nil
		}
	}
	var t model.Task
	if err := json.Unmarshal(raw, &t); err != nil {
		return t, fmt.Errorf("decode task %s: %w", key, err)
	}
	if tx.tasks != nil {
		tx.tasks.put(key, raw, t)
	}
	return t, nil
}

// scanTasks decodes the tasks under prefix after `after`, in key order,
// until fn returns false.
func (tx Tx) scanTasks(prefix, after string, fn func(key string, t model.Task) bool) error {
	return tx.Scan(bucketTasks, prefix, after, func(key string, raw []byte) (bool, error) {
		t, err := tx.decodeTask(key, raw)
		if err != nil {
			return false, err
		}
		return fn(key, t), nil
	})
}
