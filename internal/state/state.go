// Package state is typed access to Slipway's records in a store.Store: ECS
// clusters, task definitions, services, tasks, container instances and tags
// (and, in elb*.go, the ELBv2 resources), with their keys and not-found errors.
package state

import (
	"context"
	"errors"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// Not-found errors, each wrapping store.ErrNotFound.
var (
	ErrClusterNotFound        = errors.New("cluster not found")
	ErrTaskDefinitionNotFound = errors.New("task definition not found")
	ErrServiceNotFound        = errors.New("service not found")
	ErrTaskNotFound           = errors.New("task not found")
	ErrInstanceNotFound       = errors.New("container instance not found")
)

// Buckets of ECS records.
const (
	bucketClusters  store.Bucket = "clusters"
	bucketTaskDefs  store.Bucket = "taskdefs"
	bucketFamilies  store.Bucket = "families"
	bucketServices  store.Bucket = "services"
	bucketTasks     store.Bucket = "tasks"
	bucketInstances store.Bucket = "instances"
	bucketTags      store.Bucket = "tags"
)

// State wraps a store with the partition ARNs are minted in and a clock.
type State struct {
	store store.Store
	// Partition is the region and account of every ARN.
	Partition model.Partition
	now       func() time.Time
	services  *recordCache[model.Service]
	tasks     *recordCache[model.Task]
	// prefix names the region's buckets ("" for the home region);
	// regions is the set it belongs to (nil for a State made by New).
	prefix  string
	regions *Regions
}

// New returns a State over s. now may be nil (time.Now).
func New(s store.Store, p model.Partition, now func() time.Time) *State {
	if now == nil {
		now = time.Now
	}
	return &State{store: s, Partition: p, now: now, services: newRecordCache(deepCopier[model.Service]()), tasks: newRecordCache(cloneTask)}
}

// Now returns the current time, truncated to milliseconds as AWS reports times.
func (s *State) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Changes is the store's change notifier.
func (s *State) Changes() *store.Notifier { return s.store.Changes() }

// Tx is one transaction with typed accessors.
type Tx struct {
	store.Tx
	// Partition is the State's partition, for minting ARNs.
	Partition model.Partition
	services  *recordCache[model.Service]
	tasks     *recordCache[model.Task]
	// raw is the transaction over every region's buckets (OtherRegions).
	raw     store.Tx
	regions *Regions
}

// View runs fn in a read-only transaction.
func (s *State) View(ctx context.Context, fn func(Tx) error) error {
	return s.store.View(ctx, func(t store.Tx) error { return fn(s.tx(t)) })
}

// Update runs fn in a durable read-write transaction. As with store.Update,
// fn may run more than once.
func (s *State) Update(ctx context.Context, fn func(Tx) error) error {
	return s.store.Update(ctx, func(t store.Tx) error { return fn(s.tx(t)) })
}

func (s *State) tx(t store.Tx) Tx {
	return Tx{Tx: store.Prefixed(t, s.prefix), Partition: s.Partition, services: s.services, tasks: s.tasks, raw: t, regions: s.regions}
}

// notFound turns store.ErrNotFound into the typed sentinel, keeping both
// classifiable with errors.Is.
func notFound(err error, sentinel error) error {
	if errors.Is(err, store.ErrNotFound) {
		return errors.Join(sentinel, err)
	}
	return err
}

// NowTime returns Now as a model.Time.
func (s *State) NowTime() model.Time { return model.At(s.now()) }
