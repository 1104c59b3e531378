package state

import (
	"fmt"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// targetPrefix is the key prefix of tg's registrations: its ARN path, so
// that a re-created group of the same name starts empty.
func targetPrefix(tg model.TargetGroup) string {
	return tg.Name + "/" + tg.ARN[strings.LastIndex(tg.ARN, "/")+1:] + "/"
}

func targetKey(tg model.TargetGroup, t model.TargetDescription) string {
	return fmt.Sprintf("%s%s/%05d", targetPrefix(tg), t.ID, t.Port)
}

// RegisterTargets registers targets with the target group tgARN. A target
// without a port gets the group's port; registering a target again updates
// its availability zone and revision (an empty revision keeps the old one).
// Invalid targets fail with a *model.ValidationError (InvalidTarget,
// TooManyTargets, ValidationError) and change nothing.
func (tx Tx) RegisterTargets(tgARN string, targets []model.TargetDescription) error {
	tg, err := tx.TargetGroup(tgARN)
	if err != nil {
		return err
	}
	targets, err = tg.NormalizeTargets(targets)
	if err != nil {
		return err
	}
	existing, err := tx.Targets(tgARN)
	if err != nil {
		return err
	}
	have := map[string]model.TargetDescription{}
	for _, t := range existing {
		have[t.Key()] = t
	}
	for _, t := range targets {
		if old, ok := have[t.Key()]; ok && t.Revision == "" {
			t.Revision = old.Revision
		}
		have[t.Key()] = t
	}
	if len(have) > model.MaxTargetsPerGroup {
		return &model.ValidationError{Kind: model.ELBTooManyTargets,
			Message: fmt.Sprintf("You've reached the limit on the number of targets per target group (%d)", model.MaxTargetsPerGroup)}
	}
	for _, t := range targets {
		if err := store.PutJSON(tx, bucketTargets, targetKey(tg, have[t.Key()]), have[t.Key()]); err != nil {
			return err
		}
	}
	return nil
}

// DeregisterTargets removes registrations from the target group tgARN. A
// target without a port means the group's port; targets that are not
// registered are ignored, so that retries are harmless.
func (tx Tx) DeregisterTargets(tgARN string, targets []model.TargetDescription) error {
	tg, err := tx.TargetGroup(tgARN)
	if err != nil {
		return err
	}
	targets, err = tg.NormalizeTargets(targets)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if err := tx.Delete(bucketTargets, targetKey(tg, t)); err != nil {
			return err
		}
	}
	return nil
}

// Targets returns the registered targets of tgARN ordered by id and port.
func (tx Tx) Targets(tgARN string) ([]model.TargetDescription, error) {
	tg, err := tx.TargetGroup(tgARN)
	if err != nil {
		return nil, err
	}
	ts, err := store.ListJSON[model.TargetDescription](tx, bucketTargets, targetPrefix(tg))
	if ts == nil {
		ts = []model.TargetDescription{}
	}
	return ts, err
}
