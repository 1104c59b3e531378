// Package ecsops is the typed operations layer of the Amazon ECS API:
// clusters, task definitions, services, tasks, container instances, tags and
// service deployments, with ECS's validation, quotas, pagination and errors
// (*awserr.Error, in ECS's codes and words). It reads and writes desired
// state through package state; controllers, not this package, act on it.
//
// It knows nothing of HTTP: the wire (internal/api/ecs) decodes requests
// into these inputs and encodes the outputs, and in-process callers
// (CloudFormation, Application Auto Scaling, the console) call it directly.
// Inputs carry the API's member names as json tags so that the wire can
// decode a request straight into them; optional members are pointers (or
// empty strings and nil slices where ECS gives the empty value no meaning of
// its own). Outputs are the stored records (package model) with what ECS
// derives from them; they carry no wire shape of their own.
package ecsops

import (
	"context"
	"log/slog"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// State is the desired-state store the operations read and write;
// *state.State implements it.
type State interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(state.Tx) error) error
	// Update runs fn in a read-write transaction, committed when fn returns nil.
	Update(ctx context.Context, fn func(state.Tx) error) error
	// Now is the store's clock, truncated to milliseconds.
	Now() time.Time
	// NowTime is Now as a model.Time.
	NowTime() model.Time
}

// TargetGroups is what the ECS operations need to know of ELB target groups
// to validate a service's loadBalancers.
type TargetGroups interface {
	// TargetGroupInUse reports whether the target group exists and whether a
	// load balancer's listener or rule forwards to it.
	TargetGroupInUse(ctx context.Context, arn string) (exists, attached bool, err error)
}

// Options configure an Ops.
type Options struct {
	// Logger receives the operations' state changes (discarded when nil).
	Logger *slog.Logger
}

// Ops runs the ECS operations. It is safe for concurrent use: all its state
// is in the store.
type Ops struct {
	st  State
	tgs TargetGroups
	log *slog.Logger
}

// New returns the operations over st. tgs may be nil when no load balancer
// is wired; then services cannot use loadBalancers.
func New(st State, tgs TargetGroups, opts Options) *Ops {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Ops{st: st, tgs: tgs, log: opts.Logger.With("component", "ecs")}
}

// Failure is one item a Describe or RunTask could not answer for, as ECS
// reports it (reason MISSING for a resource that does not exist).
type Failure struct {
	ARN    string
	Reason string
	Detail string
}

// Include values of the Describe operations.
const (
	// IncludeTags asks a Describe operation for each resource's tags.
	IncludeTags = "TAGS"
)
