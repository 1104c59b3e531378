package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/slipway-dev/slipway/internal/cfn/template"
)

// op is one stack's operation in progress: the stack and its resources as
// stored, kept in memory while the operation's steps change them. Every
// change is written (record and event in one transaction) before the step
// goes on, so a restart finds what was done.
type op struct {
	e   *Engine
	ctx context.Context // Run's: when it ends the operation stops unrecorded

	// mu guards stack and res: resource steps run in parallel.
	mu      sync.Mutex
	stack   *Stack
	res     map[string]*Resource
	exports map[string]Export
	// imported collects the export names the templates' Fn::ImportValue read.
	imported map[string]bool
}

func (e *Engine) loadOp(ctx context.Context, id string) (*op, error) {
	o := &op{e: e, ctx: ctx, res: map[string]*Resource{}, exports: map[string]Export{}, imported: map[string]bool{}}
	err := e.view(ctx, func(t tx) error {
		s, err := t.stack(id)
		if err != nil {
			return err
		}
		o.stack = s
		rs, err := t.resources(id)
		if err != nil {
			return err
		}
		for i := range rs {
			o.res[rs[i].LogicalID] = &rs[i]
		}
		xs, err := t.exports()
		for _, x := range xs {
			o.exports[x.Name] = x
		}
		return err
	})
	return o, err
}

// Ref implements template.Resolver: a resource's physical id.
func (o *op) Ref(logicalID string) (any, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.res[logicalID]
	if r == nil || r.PhysicalID == "" || !live(r.Status) {
		return nil, false
	}
	return r.PhysicalID, true
}

// GetAtt implements template.Resolver.
func (o *op) GetAtt(logicalID, attribute string) (any, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.res[logicalID]
	if r == nil || r.PhysicalID == "" || !live(r.Status) {
		return nil, false
	}
	v, ok := r.Attributes[attribute]
	return v, ok
}

// Export implements template.ExportLookup over the exports as they were when
// the operation started, noting each name read.
func (o *op) Export(name string) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	x, ok := o.exports[name]
	if ok {
		o.imported[name] = true
	}
	return x.Value, ok
}

// live reports whether a resource in this status exists.
func live(status string) bool {
	switch status {
	case StatusCreateComplete, StatusUpdateInProgress, StatusUpdateComplete, StatusUpdateFailed,
		StatusUpdateRollbackInProgress, StatusUpdateRollbackComplete, StatusUpdateRollbackFailed, StatusDeleteFailed:
		return true
	}
	return false
}

// evaluator binds a configuration's template to its parameters.
func (o *op) evaluator(cfg Config) (*template.Evaluator, error) {
	t, err := template.Parse([]byte(cfg.Template))
	if err != nil {
		return nil, err
	}
	return template.NewEvaluator(t, template.Inputs{Parameters: paramMap(cfg.Parameters), Pseudo: o.e.pseudo(o.stack.Name, o.stack.ID), Exports: o})
}

func paramMap(ps []Parameter) map[string]string {
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[p.Key] = p.Value
	}
	return m
}

func (e *Engine) pseudo(name, id string) template.Pseudo {
	return template.Pseudo{AccountID: e.part.account, Region: e.part.region, StackName: name, StackID: id,
		Partition: e.part.name, URLSuffix: e.part.urlSuffix}
}

// staticGraph is the graph of a configuration's template over every
// resource: the order deletions follow, which needs no parameters.
func staticGraph(cfg Config) *template.Graph {
	t, err := template.Parse([]byte(cfg.Template))
	if err == nil {
		if g, err := t.StaticGraph(); err == nil {
			return g
		}
	}
	return &template.Graph{Deps: map[string][]string{}, Dependents: map[string][]string{}}
}

// resource returns a copy of a resource's record, or nil.
func (o *op) resource(id string) *Resource {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.res[id]
	if !ok {
		return nil
	}
	c := *r
	return &c
}

// record writes a resource's new status with its event. props, if not nil,
// go into the event's ResourceProperties.
func (o *op) record(r *Resource, status, reason string, props map[string]any) error {
	r.Status, r.StatusReason, r.Updated = status, reason, o.e.now()
	ev := o.event(r.LogicalID, r.PhysicalID, r.Type, status, reason)
	if props != nil {
		if b, err := json.Marshal(props); err == nil {
			ev.Properties = string(b)
		}
	}
	return o.save(r, ev)
}

// note writes a resource's record with an event about another of its
// physical resources (the one a replacement leaves behind), or none (ev nil).
func (o *op) note(r *Resource, physicalID, status string) error {
	var ev *Event
	if status != "" {
		ev = o.event(r.LogicalID, physicalID, r.Type, status, "")
	}
	return o.save(r, ev)
}

func (o *op) save(r *Resource, ev *Event) error {
	c := *r
	if err := o.e.update(o.ctx, func(t tx) error {
		if err := t.putResource(&c); err != nil || ev == nil {
			return err
		}
		return t.addEvent(ev)
	}); err != nil {
		return err
	}
	o.mu.Lock()
	o.res[r.LogicalID] = &c
	o.mu.Unlock()
	return nil
}

// forget removes a resource's record after it is deleted, with its event.
func (o *op) forget(r *Resource, physicalID, status string) error {
	ev := o.event(r.LogicalID, physicalID, r.Type, status, "")
	if err := o.e.update(o.ctx, func(t tx) error {
		if err := t.deleteResource(r.StackID, r.LogicalID); err != nil {
			return err
		}
		return t.addEvent(ev)
	}); err != nil {
		return err
	}
	o.mu.Lock()
	delete(o.res, r.LogicalID)
	o.mu.Unlock()
	return nil
}

func (o *op) event(logicalID, physicalID, typ, status, reason string) *Event {
	return o.e.newEvent(o.stack, logicalID, physicalID, typ, status, reason)
}

func (e *Engine) newEvent(s *Stack, logicalID, physicalID, typ, status, reason string) *Event {
	now := e.now()
	id := logicalID + "-" + status + "-" + now.UTC().Format("2006-01-02T15:04:05.000Z")
	if typ == stackType {
		id = newUUID()
	}
	return &Event{StackID: s.ID, StackName: s.Name, EventID: id, LogicalID: logicalID,
		PhysicalID: physicalID, Type: typ, Timestamp: now, Status: status, Reason: reason, Token: s.Token}
}

// stackEvent is a stack's own event for its status.
func (e *Engine) stackEvent(s *Stack) *Event {
	return e.newEvent(s, s.Name, s.ID, stackType, s.Status, s.StatusReason)
}

// transition moves the stack to a new status with its stack event; mutate,
// if not nil, changes the record in the same write.
func (o *op) transition(status, reason string, mutate func(*Stack)) error {
	o.mu.Lock()
	s := *o.stack
	o.mu.Unlock()
	s.Status, s.StatusReason = status, reason
	if mutate != nil {
		mutate(&s)
	}
	ev := o.e.stackEvent(&s)
	if err := o.e.update(o.ctx, func(t tx) error {
		if err := t.putStack(&s); err != nil {
			return err
		}
		if _, inProgress := steps[status]; !inProgress {
			if err := executed(t, &s); err != nil {
				return err
			}
		}
		return t.addEvent(ev)
	}); err != nil {
		return err
	}
	o.mu.Lock()
	o.stack = &s
	o.mu.Unlock()
	o.e.changed(s.ID)
	o.e.log.Info("stack status", "stack", s.Name, "status", status, "reason", reason)
	return nil
}

// stackType is the resource type of a stack's own events.
const stackType = "AWS::CloudFormation::Stack"

// failedReason is CloudFormation's stack status reason for failed resources.
func failedReason(verb string, ids []string, rollback bool) string {
	s := fmt.Sprintf("The following resource(s) failed to %s: [%s]. ", verb, strings.Join(ids, ", "))
	if rollback {
		s += "Rollback requested by user."
	}
	return s
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
