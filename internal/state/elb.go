package state

import (
	"errors"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// Not-found and conflict errors of the ELBv2 records. Not-found errors wrap
// store.ErrNotFound when the record is missing from the store.
var (
	ErrLoadBalancerNotFound = errors.New("load balancer not found")
	ErrTargetGroupNotFound  = errors.New("target group not found")
	ErrListenerNotFound     = errors.New("listener not found")
	ErrRuleNotFound         = errors.New("rule not found")
	// ErrTargetGroupInUse reports deleting a target group that a listener
	// or rule still forwards to (ELB's ResourceInUse).
	ErrTargetGroupInUse = errors.New("target group is in use by a listener or a rule")
)

// Buckets of ELBv2 records. Load balancers and target groups are keyed by
// name (unique per account and region), listeners and rules by their ARN
// path ("app/LB/LBID/LID[/RID]") so that a prefix scan finds a load
// balancer's listeners and a listener's rules; targets by "TGNAME/TGID/"
// plus id and port; tags by ARN.
const (
	bucketLoadBalancers store.Bucket = "elb_loadbalancers"
	bucketTargetGroups  store.Bucket = "elb_targetgroups"
	bucketTargets       store.Bucket = "elb_targets"
	bucketListeners     store.Bucket = "elb_listeners"
	bucketRules         store.Bucket = "elb_rules"
	bucketELBTags       store.Bucket = "elb_tags"
)

// parseELB parses arn as an ELBv2 ARN of the given type, or returns sentinel.
func parseELB(arn, typ string, sentinel error) (model.ELBResource, error) {
	r, ok := model.ParseELBARN(arn)
	if !ok || r.Type != typ {
		return r, sentinel
	}
	return r, nil
}

// ELBTags returns the tags of an ELBv2 resource (none if unset).
func (tx Tx) ELBTags(arn string) ([]model.Tag, error) {
	tags, err := store.GetJSON[[]model.Tag](tx, bucketELBTags, arn)
	if isNotFound(err) {
		return []model.Tag{}, nil
	}
	return tags, err
}

// PutELBTags replaces the tags of an ELBv2 resource; none removes the record.
func (tx Tx) PutELBTags(arn string, tags []model.Tag) error {
	if len(tags) == 0 {
		return tx.Delete(bucketELBTags, arn)
	}
	return store.PutJSON(tx, bucketELBTags, arn, tags)
}

// ELBResourceExists returns nil when arn names an existing load balancer,
// target group, listener or rule (including a listener's default rule), and
// otherwise the not-found error of the type the ARN names.
func (tx Tx) ELBResourceExists(arn string) error {
	r, ok := model.ParseELBARN(arn)
	var err error
	switch {
	case !ok:
		return ErrLoadBalancerNotFound
	case r.Type == model.ELBResourceLoadBalancer:
		_, err = tx.LoadBalancer(arn)
	case r.Type == model.ELBResourceTargetGroup:
		_, err = tx.TargetGroup(arn)
	case r.Type == model.ELBResourceListener:
		_, err = tx.Listener(arn)
	default:
		_, _, err = tx.AnyRule(arn)
	}
	return err
}
