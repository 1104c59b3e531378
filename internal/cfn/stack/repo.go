package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slipway-dev/slipway/internal/store"
)

// The buckets of CloudFormation's records. Keys of per-stack records start
// with the stack id and keySep, so one stack's records scan together.
const (
	bucketStacks     store.Bucket = "cfn.stacks"     // stack id → Stack
	bucketNames      store.Bucket = "cfn.names"      // name of a live stack → its id
	bucketResources  store.Bucket = "cfn.resources"  // stack id | logical id → Resource
	bucketEvents     store.Bucket = "cfn.events"     // stack id | sequence → Event
	bucketChangeSets store.Bucket = "cfn.changesets" // stack id | name → ChangeSet
	bucketExports    store.Bucket = "cfn.exports"    // export name → Export
	keySep                        = "|"
)

func childKey(stackID, id string) string { return stackID + keySep + id }

// tx is a transaction over CloudFormation's records.
type tx struct{ store.Tx }

func (t tx) stack(id string) (*Stack, error) {
	s, err := store.GetJSON[Stack](t.Tx, bucketStacks, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrStackNotFound
	}
	return &s, err
}

// stackByName finds a live stack by name, or any stack by its id (as
// CloudFormation takes either in StackName).
func (t tx) stackByName(nameOrID string) (*Stack, error) {
	if strings.HasPrefix(nameOrID, "arn:") {
		return t.stack(nameOrID)
	}
	id, err := t.Get(bucketNames, nameOrID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrStackNotFound
	}
	if err != nil {
		return nil, err
	}
	return t.stack(string(id))
}

func (t tx) putStack(s *Stack) error {
	if err := store.PutJSON(t.Tx, bucketStacks, s.ID, s); err != nil {
		return err
	}
	if s.Status == StatusDeleteComplete {
		if cur, err := t.Get(bucketNames, s.Name); err == nil && string(cur) == s.ID {
			return t.Delete(bucketNames, s.Name)
		}
		return nil
	}
	return t.Put(bucketNames, s.Name, []byte(s.ID))
}

func (t tx) stacks() ([]Stack, error) { return store.ListJSON[Stack](t.Tx, bucketStacks, "") }

func (t tx) resources(stackID string) ([]Resource, error) {
	return store.ListJSON[Resource](t.Tx, bucketResources, stackID+keySep)
}

func (t tx) putResource(r *Resource) error {
	return store.PutJSON(t.Tx, bucketResources, childKey(r.StackID, r.LogicalID), r)
}

func (t tx) deleteResource(stackID, logicalID string) error {
	return t.Delete(bucketResources, childKey(stackID, logicalID))
}

func (t tx) addEvent(e *Event) error {
	seq, err := t.NextSequence(bucketEvents)
	if err != nil {
		return err
	}
	return store.PutJSON(t.Tx, bucketEvents, childKey(e.StackID, fmt.Sprintf("%016x", seq)), e)
}

func (t tx) events(stackID string) ([]Event, error) {
	return store.ListJSON[Event](t.Tx, bucketEvents, stackID+keySep)
}

func (t tx) changeSet(stackID, name string) (*ChangeSet, error) {
	cs, err := store.GetJSON[ChangeSet](t.Tx, bucketChangeSets, childKey(stackID, name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrChangeSetNotFound
	}
	return &cs, err
}

func (t tx) changeSets(stackID string) ([]ChangeSet, error) {
	return store.ListJSON[ChangeSet](t.Tx, bucketChangeSets, stackID+keySep)
}

func (t tx) putChangeSet(cs *ChangeSet) error {
	return store.PutJSON(t.Tx, bucketChangeSets, childKey(cs.StackID, cs.Name), cs)
}

func (t tx) deleteChangeSet(stackID, name string) error {
	return t.Delete(bucketChangeSets, childKey(stackID, name))
}

func (t tx) exports() ([]Export, error) { return store.ListJSON[Export](t.Tx, bucketExports, "") }

func (t tx) putExport(e Export) error { return store.PutJSON(t.Tx, bucketExports, e.Name, e) }

func (t tx) deleteExport(name string) error { return t.Delete(bucketExports, name) }

func (t tx) export(name string) (Export, error) {
	return store.GetJSON[Export](t.Tx, bucketExports, name)
}

func decodeChangeSet(v []byte) (*ChangeSet, error) {
	var cs ChangeSet
	err := json.Unmarshal(v, &cs)
	return &cs, err
}
