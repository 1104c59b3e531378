package elbv2

import (
	"context"
	"errors"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

type loadBalancersResult struct {
	LoadBalancers list[wireLoadBalancer]
	NextMarker    string `xml:",omitempty"`
}

func (h *Handler) createLoadBalancer(ctx context.Context, f form) (any, error) {
	if f.has("SubnetMappings") && f.has("Subnets") {
		return nil, validation("You can specify subnets or subnet mappings, not both")
	}
	spec := model.ALBSpec{
		Name: f.str("Name"), Subnets: f.strList("Subnets"), SecurityGroups: f.strList("SecurityGroups"),
		Scheme: f.str("Scheme"), Type: f.str("Type"), IPAddressType: f.str("IpAddressType"),
		CustomerOwnedIpv4Pool: f.str("CustomerOwnedIpv4Pool"),
	}
	for _, m := range f.list("SubnetMappings") {
		spec.Subnets = append(spec.Subnets, m.str("SubnetId"))
	}
	tags, err := parseTags(f)
	if err != nil {
		return nil, err
	}
	fresh, err := model.NewALB(h.st.Partition, spec, h.st.Now())
	if err != nil {
		return nil, err
	}
	var out model.ALB
	err = h.st.Update(ctx, func(tx state.Tx) error {
		existing, err := tx.LoadBalancerByName(spec.Name)
		if err == nil {
			// ELB's CreateLoadBalancer is idempotent for identical settings.
			if !existing.SameSettings(spec) {
				return awsproto.ClientError(codeDuplicateLoadBalancer, "A load balancer with the same name '%s' exists, but with different settings", spec.Name)
			}
			out = existing
			return nil
		}
		if !errors.Is(err, state.ErrLoadBalancerNotFound) {
			return err
		}
		all, err := tx.LoadBalancers()
		if err != nil {
			return err
		}
		if len(all) >= model.MaxLoadBalancers {
			return awsproto.ClientError(codeTooManyLoadBalancers, "You've reached the limit on the number of load balancers for your account (%d)", model.MaxLoadBalancers)
		}
		out = fresh
		if err := tx.PutLoadBalancer(out); err != nil {
			return err
		}
		return putNewTags(tx, out.ARN, tags)
	})
	if err != nil {
		return nil, err
	}
	h.log.Info("load balancer created", "name", out.Name, "arn", out.ARN)
	// ELB reports a new load balancer as provisioning.
	return loadBalancersResult{LoadBalancers: listOf([]wireLoadBalancer{toWireLB(out, model.ALBStateProvisioning, "")})}, nil
}

// maxDescribeLoadBalancers is how many ARNs DescribeLoadBalancers takes.
const maxDescribeLoadBalancers = 20

func (h *Handler) describeLoadBalancers(ctx context.Context, f form) (any, error) {
	names, arns := f.strList("Names"), f.strList("LoadBalancerArns")
	if len(names) > 0 && len(arns) > 0 {
		return nil, validation("Load balancer names and load balancer ARNs cannot be specified at the same time")
	}
	// ELB: "You can specify up to 20 load balancers in a single call."
	if len(arns) > maxDescribeLoadBalancers {
		return nil, validation("At most %d load balancer ARNs can be specified", maxDescribeLoadBalancers)
	}
	var lbs []model.ALB
	err := h.st.View(ctx, func(tx state.Tx) error {
		var err error
		switch {
		case len(names) > 0:
			lbs, err = lookupAll(names, tx.LoadBalancerByName)
		case len(arns) > 0:
			lbs, err = lookupAll(arns, tx.LoadBalancer)
		default:
			lbs, err = tx.LoadBalancers()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	pageLBs, next, err := page(f, lbs, func(a model.ALB) string { return a.Name })
	if err != nil {
		return nil, err
	}
	res := loadBalancersResult{NextMarker: next, LoadBalancers: list[wireLoadBalancer]{Member: []wireLoadBalancer{}}}
	for _, a := range pageLBs {
		code, reason := h.lbState(a.ARN)
		res.LoadBalancers.Member = append(res.LoadBalancers.Member, toWireLB(a, code, reason))
	}
	return res, nil
}

// lbState is the load balancer's state as the data plane sees it.
func (h *Handler) lbState(arn string) (string, string) {
	if h.health == nil {
		return model.ALBStateActive, ""
	}
	return h.health.LoadBalancerState(arn)
}

func (h *Handler) deleteLoadBalancer(ctx context.Context, f form) (any, error) {
	arn := f.str("LoadBalancerArn")
	if arn == "" {
		return nil, validation("A load balancer ARN must be specified")
	}
	err := h.st.Update(ctx, func(tx state.Tx) error { return tx.DeleteLoadBalancer(arn) })
	if err != nil {
		return nil, err
	}
	h.log.Info("load balancer deleted", "arn", arn)
	return nil, nil
}

// lookupAll resolves every key or fails with the lookup's not-found error,
// as ELB's Describe calls do when any one is missing.
func lookupAll[T any](keys []string, get func(string) (T, error)) ([]T, error) {
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		v, err := get(k)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
