package state

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

type familyRecord struct {
	Latest int `json:"latest"`
}

func taskDefKey(family string, rev int) string { return fmt.Sprintf("%s/%010d", family, rev) }

// TaskDefinition returns family:revision with its Spec decoded.
func (tx Tx) TaskDefinition(family string, rev int) (model.TaskDefinition, error) {
	td, err := store.GetJSON[model.TaskDefinition](tx, bucketTaskDefs, taskDefKey(family, rev))
	if err != nil {
		return td, notFound(err, ErrTaskDefinitionNotFound)
	}
	return td, td.DecodeSpec()
}

// ResolveTaskDefinition finds a task definition by "family" (the latest ACTIVE
// revision), "family:revision" or its full ARN.
func (tx Tx) ResolveTaskDefinition(ref string) (model.TaskDefinition, error) {
	if a, ok := model.ParseARN(ref); ok {
		name, found := strings.CutPrefix(a.Resource, "task-definition/")
		if !found {
			return model.TaskDefinition{}, ErrTaskDefinitionNotFound
		}
		ref = name
	}
	family, revText, hasRev := strings.Cut(ref, ":")
	if !hasRev {
		return tx.LatestActiveTaskDefinition(family)
	}
	rev, err := strconv.Atoi(revText)
	if err != nil || rev < 1 {
		return model.TaskDefinition{}, ErrTaskDefinitionNotFound
	}
	return tx.TaskDefinition(family, rev)
}

// LatestActiveTaskDefinition returns the highest ACTIVE revision of family.
func (tx Tx) LatestActiveTaskDefinition(family string) (model.TaskDefinition, error) {
	var found *model.TaskDefinition
	err := store.ScanJSON(tx, bucketTaskDefs, family+"/", "", func(_ string, td model.TaskDefinition) bool {
		if td.Status == model.TaskDefinitionActive {
			found = &td
		}
		return true
	})
	if err != nil {
		return model.TaskDefinition{}, err
	}
	if found == nil {
		return model.TaskDefinition{}, ErrTaskDefinitionNotFound
	}
	return *found, found.DecodeSpec()
}

// NextRevision reserves the next revision number of family. Revisions are
// never reused, even after every revision is deregistered.
func (tx Tx) NextRevision(family string) (int, error) {
	rec, err := store.GetJSON[familyRecord](tx, bucketFamilies, family)
	if err != nil && !isNotFound(err) {
		return 0, err
	}
	rec.Latest++
	return rec.Latest, store.PutJSON(tx, bucketFamilies, family, rec)
}

// PutTaskDefinition stores td.
func (tx Tx) PutTaskDefinition(td model.TaskDefinition) error {
	return store.PutJSON(tx, bucketTaskDefs, taskDefKey(td.Family, td.Revision), td)
}

// ScanTaskDefinitions calls fn for every revision in family/revision order,
// starting after the key `after` ("" for the start), until fn returns false.
// The key passed to fn is the pagination position.
func (tx Tx) ScanTaskDefinitions(prefix, after string, fn func(key string, td model.TaskDefinition) bool) error {
	return store.ScanJSON(tx, bucketTaskDefs, prefix, after, fn)
}

// Families returns every family name that was ever registered, in order.
func (tx Tx) Families() ([]string, error) {
	var out []string
	err := tx.Scan(bucketFamilies, "", "", func(k string, _ []byte) (bool, error) {
		out = append(out, k)
		return true, nil
	})
	return out, err
}
