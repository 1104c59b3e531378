package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/slipway-dev/slipway/internal/model"
)

// recordCache keeps the last decoded copy of each record of one kind with
// the bytes it was decoded from, so that a read whose bytes are unchanged
// costs a comparison and a copy instead of a decode. The bytes, not a
// version, are the key, so the cache can never serve a stale record, and a
// rolled-back write only costs a miss. clone deep-copies (deepCopier,
// cloneTask), so that callers' edits never reach the cached copy.
//
// Services are the API's hottest read and their records (deployments,
// events, history) are the largest; tasks are read all at once by the
// controller's passes, RunTask's placement and the agent (5,000 for one
// service of ECS's maximum size), which decoded them in tens of
// milliseconds.
type recordCache[T any] struct {
	mu    sync.Mutex // protects m
	m     map[string]cachedRecord[T]
	clone func(T) T
}

type cachedRecord[T any] struct {
	raw []byte
	v   T
}

func newRecordCache[T any](clone func(T) T) *recordCache[T] {
	return &recordCache[T]{m: map[string]cachedRecord[T]{}, clone: clone}
}

func (c *recordCache[T]) get(key string, raw []byte) (T, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || !bytes.Equal(e.raw, raw) {
		var zero T
		return zero, false
	}
	return c.clone(e.v), true
}

func (c *recordCache[T]) put(key string, raw []byte, v T) {
	c.mu.Lock()
	c.m[key] = cachedRecord[T]{raw: raw, v: c.clone(v)}
	c.mu.Unlock()
}

func (c *recordCache[T]) drop(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// size is how many records are cached: about how many the store holds,
// the capacity a list of them starts with.
func (c *recordCache[T]) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// decodeCached decodes a record, through c (which may be nil) when the
// bytes are the ones last decoded; what names the kind in errors.
func decodeCached[T any](c *recordCache[T], what, key string, raw []byte) (T, error) {
	if c != nil {
		if v, ok := c.get(key, raw); ok {
			return v, nil
		}
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s %s: %w", what, key, err)
	}
	if c != nil {
		c.put(key, raw, v)
	}
	return v, nil
}

// cloneTask deep-copies a task by hand: tasks are read 5,000 at a time, and
// reflection (deepCopier) took longer than decoding them. It must copy every
// pointer, slice and map of model.Task; TestDeepCopySharesNothing fails
// when a field the model gains is left out.
func cloneTask(t model.Task) model.Task {
	t.Overrides = slices.Clone(t.Overrides)
	for _, p := range []**model.Time{&t.CreatedAt, &t.PullStartedAt, &t.PullStoppedAt, &t.StartedAt, &t.ConnectivityAt,
		&t.StoppingAt, &t.ExecutionStoppedAt, &t.StoppedAt, &t.Internal.HealthyAt} {
		*p = clonePtr(*p)
	}
	t.Containers = slices.Clone(t.Containers)
	for i := range t.Containers {
		c := &t.Containers[i]
		c.ExitCode = clonePtr(c.ExitCode)
		c.NetworkBindings = slices.Clone(c.NetworkBindings)
		c.NetworkInterfaces = slices.Clone(c.NetworkInterfaces)
		c.RuntimeState = slices.Clone(c.RuntimeState)
	}
	t.Attachments = slices.Clone(t.Attachments)
	for i := range t.Attachments {
		t.Attachments[i].Details = slices.Clone(t.Attachments[i].Details)
	}
	t.EphemeralStorage = clonePtr(t.EphemeralStorage)
	t.Internal.Targets = slices.Clone(t.Internal.Targets)
	t.Internal.Reserved.HostPorts = slices.Clone(t.Internal.Reserved.HostPorts)
	if n := t.Internal.Network; n != nil {
		cp := *n
		cp.Subnets, cp.SecurityGroups = slices.Clone(n.Subnets), slices.Clone(n.SecurityGroups)
		t.Internal.Network = &cp
	}
	return t
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
