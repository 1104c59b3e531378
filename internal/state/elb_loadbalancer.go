package state

import (
	"errors"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// LoadBalancer returns the load balancer with the given ARN.
func (tx Tx) LoadBalancer(arn string) (model.ALB, error) {
	r, err := parseELB(arn, model.ELBResourceLoadBalancer, ErrLoadBalancerNotFound)
	if err != nil {
		return model.ALB{}, err
	}
	a, err := tx.LoadBalancerByName(r.Name)
	if err == nil && a.ARN != arn {
		// Same name, other id: the one asked for was deleted.
		return model.ALB{}, ErrLoadBalancerNotFound
	}
	return a, err
}

// LoadBalancerByName returns the named load balancer.
func (tx Tx) LoadBalancerByName(name string) (model.ALB, error) {
	a, err := store.GetJSON[model.ALB](tx, bucketLoadBalancers, name)
	return a, notFound(err, ErrLoadBalancerNotFound)
}

// PutLoadBalancer stores a.
func (tx Tx) PutLoadBalancer(a model.ALB) error {
	return store.PutJSON(tx, bucketLoadBalancers, a.Name, a)
}

// LoadBalancers returns every load balancer in name order.
func (tx Tx) LoadBalancers() ([]model.ALB, error) {
	return store.ListJSON[model.ALB](tx, bucketLoadBalancers, "")
}

// DeleteLoadBalancer removes a load balancer with its listeners, their rules
// and the tags of all of them, as ELB's DeleteLoadBalancer does. Deleting
// one that does not exist is not an error (ELB answers success too).
func (tx Tx) DeleteLoadBalancer(arn string) error {
	a, err := tx.LoadBalancer(arn)
	if err != nil {
		if errors.Is(err, ErrLoadBalancerNotFound) {
			return nil
		}
		return err
	}
	ls, err := tx.Listeners(arn)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if err := tx.DeleteListener(l.ARN); err != nil {
			return err
		}
	}
	if err := tx.PutELBTags(arn, nil); err != nil {
		return err
	}
	return tx.Delete(bucketLoadBalancers, a.Name)
}
