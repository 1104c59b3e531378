package state

import (
	"errors"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// Listener returns the listener with the given ARN.
func (tx Tx) Listener(arn string) (model.Listener, error) {
	r, err := parseELB(arn, model.ELBResourceListener, ErrListenerNotFound)
	if err != nil {
		return model.Listener{}, err
	}
	l, err := store.GetJSON[model.Listener](tx, bucketListeners, r.Path)
	return l, notFound(err, ErrListenerNotFound)
}

// PutListener stores l.
func (tx Tx) PutListener(l model.Listener) error {
	r, err := parseELB(l.ARN, model.ELBResourceListener, ErrListenerNotFound)
	if err != nil {
		return err
	}
	return store.PutJSON(tx, bucketListeners, r.Path, l)
}

// Listeners returns the listeners of the load balancer lbARN in ARN order.
func (tx Tx) Listeners(lbARN string) ([]model.Listener, error) {
	r, err := parseELB(lbARN, model.ELBResourceLoadBalancer, ErrLoadBalancerNotFound)
	if err != nil {
		return nil, err
	}
	return store.ListJSON[model.Listener](tx, bucketListeners, r.Path+"/")
}

// AllListeners returns every listener of every load balancer.
func (tx Tx) AllListeners() ([]model.Listener, error) {
	return store.ListJSON[model.Listener](tx, bucketListeners, "")
}

// DeleteListener removes a listener with its rules and their tags. A missing
// listener is not an error.
func (tx Tx) DeleteListener(arn string) error {
	l, err := tx.Listener(arn)
	if errors.Is(err, ErrListenerNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	rules, err := tx.Rules(arn)
	if err != nil {
		return err
	}
	for _, rule := range rules {
		if err := tx.DeleteRule(rule.ARN); err != nil {
			return err
		}
	}
	for _, a := range []string{l.ARN, l.DefaultRuleARN} {
		if err := tx.PutELBTags(a, nil); err != nil {
			return err
		}
	}
	r, _ := model.ParseELBARN(arn)
	return tx.Delete(bucketListeners, r.Path)
}
