package state

import (
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// TargetGroup returns the target group with the given ARN, or
// ErrTargetGroupNotFound.
func (tx Tx) TargetGroup(arn string) (model.TargetGroup, error) {
	r, err := parseELB(arn, model.ELBResourceTargetGroup, ErrTargetGroupNotFound)
	if err != nil {
		return model.TargetGroup{}, err
	}
	tg, err := tx.TargetGroupByName(r.Name)
	if err == nil && tg.ARN != arn {
		return model.TargetGroup{}, ErrTargetGroupNotFound
	}
	return tg, err
}

// TargetGroupByName returns the named target group.
func (tx Tx) TargetGroupByName(name string) (model.TargetGroup, error) {
	tg, err := store.GetJSON[model.TargetGroup](tx, bucketTargetGroups, name)
	return tg, notFound(err, ErrTargetGroupNotFound)
}

// PutTargetGroup stores tg.
func (tx Tx) PutTargetGroup(tg model.TargetGroup) error {
	return store.PutJSON(tx, bucketTargetGroups, tg.Name, tg)
}

// TargetGroups returns every target group in name order.
func (tx Tx) TargetGroups() ([]model.TargetGroup, error) {
	return store.ListJSON[model.TargetGroup](tx, bucketTargetGroups, "")
}

// DeleteTargetGroup removes a target group with its registrations and tags.
// It fails with ErrTargetGroupInUse while a listener or rule forwards to it
// (ELB's ResourceInUse); a missing group is not an error.
func (tx Tx) DeleteTargetGroup(arn string) error {
	tg, err := tx.TargetGroup(arn)
	if err != nil {
		if errors.Is(err, ErrTargetGroupNotFound) {
			return nil
		}
		return err
	}
	users, err := tx.TargetGroupLoadBalancers()
	if err != nil {
		return err
	}
	if _, used := users[arn]; used {
		return ErrTargetGroupInUse
	}
	var keys []string
	err = tx.Scan(bucketTargets, targetPrefix(tg), "", func(k string, _ []byte) (bool, error) {
		keys = append(keys, k)
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(bucketTargets, k); err != nil {
			return err
		}
	}
	if err := tx.PutELBTags(arn, nil); err != nil {
		return err
	}
	return tx.Delete(bucketTargetGroups, tg.Name)
}

// TargetGroupLoadBalancers maps each target group that a listener or rule
// forwards to onto the ARNs of those load balancers, sorted.
func (tx Tx) TargetGroupLoadBalancers() (map[string][]string, error) {
	out := map[string][]string{}
	add := func(lbARN string, actions []model.ELBAction) {
		for _, tg := range model.TargetGroupARNs(actions) {
			if !slices.Contains(out[tg], lbARN) {
				out[tg] = append(out[tg], lbARN)
				slices.Sort(out[tg])
			}
		}
	}
	listeners, err := store.ListJSON[model.Listener](tx, bucketListeners, "")
	if err != nil {
		return nil, err
	}
	lbOf := map[string]string{}
	for _, l := range listeners {
		lbOf[l.ARN] = l.LoadBalancerARN
		add(l.LoadBalancerARN, l.DefaultActions)
	}
	rules, err := store.ListJSON[model.Rule](tx, bucketRules, "")
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		add(lbOf[r.ListenerARN], r.Actions)
	}
	return out, nil
}
