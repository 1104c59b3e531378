package elbv2

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

type listenersResult struct {
	Listeners  list[wireListener]
	NextMarker string `xml:",omitempty"`
}

// listenerInput is what CreateListener and ModifyListener carry.
type listenerInput struct {
	port                          *int
	protocol, sslPolicy           *string
	certs                         []model.ListenerCertificate
	actions                       []model.ELBAction
	hasCerts, hasActions, hasALPN bool
	alpn                          []string
}

func parseListenerInput(f form) (listenerInput, error) {
	var in listenerInput
	var err error
	if in.port, err = f.intPtr("Port"); err != nil {
		return in, err
	}
	in.protocol, in.sslPolicy = f.strPtr("Protocol"), f.strPtr("SslPolicy")
	in.hasCerts, in.hasActions, in.hasALPN = f.has("Certificates"), f.has("DefaultActions"), f.has("AlpnPolicy")
	if in.certs, err = parseCertificates(f); err != nil {
		return in, err
	}
	if in.actions, err = parseActions(f.list("DefaultActions")); err != nil {
		return in, err
	}
	in.alpn = f.strList("AlpnPolicy")
	return in, nil
}

// apply sets the given fields on l and validates the result.
func (in listenerInput) apply(l *model.Listener, log *slog.Logger) error {
	if in.port != nil {
		l.Port = *in.port
	}
	if in.protocol != nil && *in.protocol != l.Protocol {
		l.Protocol = *in.protocol
		if l.Protocol == model.ProtocolHTTP {
			// ELB drops TLS settings when a listener changes to HTTP.
			l.Certificates, l.SSLPolicy = nil, ""
		}
	}
	if in.sslPolicy != nil {
		l.SSLPolicy = *in.sslPolicy
	}
	if in.hasCerts {
		l.Certificates = in.certs
	}
	if in.hasALPN {
		l.ALPNPolicy = in.alpn
	}
	if in.hasActions {
		actions, err := model.NormalizeActions(in.actions)
		if err != nil {
			return err
		}
		l.DefaultActions = actions
	}
	if err := l.ValidateListener(); err != nil {
		return err
	}
	return checkCertificates(log, l.Certificates)
}

func (h *Handler) createListener(ctx context.Context, f form) (any, error) {
	in, err := parseListenerInput(f)
	if err != nil {
		return nil, err
	}
	if in.port == nil {
		return nil, validation("A listener port must be specified")
	}
	if !in.hasActions {
		return nil, validation("At least one default action must be specified")
	}
	tags, err := parseTags(f)
	if err != nil {
		return nil, err
	}
	lbARN := f.str("LoadBalancerArn")
	l := model.Listener{LoadBalancerARN: lbARN}
	if err := in.apply(&l, h.log); err != nil {
		return nil, err
	}
	l.ARN = model.ListenerARN(lbARN, model.NewELBID())
	l.DefaultRuleARN = model.RuleARN(l.ARN, model.NewELBID())
	var out model.Listener
	err = h.st.Update(ctx, func(tx state.Tx) error {
		if _, err := tx.LoadBalancer(lbARN); err != nil {
			return err
		}
		existing, err := checkListenerPlacement(tx, l)
		if existing != nil {
			out = *existing
			return nil
		}
		if err != nil {
			return err
		}
		if err := checkTargetGroups(tx, lbARN, l.DefaultActions); err != nil {
			return err
		}
		out = l
		if err := tx.PutListener(l); err != nil {
			return err
		}
		return putNewTags(tx, l.ARN, tags)
	})
	if err != nil {
		return nil, err
	}
	h.log.Info("listener created", "arn", out.ARN, "port", out.Port, "protocol", out.Protocol)
	return listenersResult{Listeners: listOf([]wireListener{toWireListener(out)})}, nil
}

// checkListenerPlacement enforces ELB's listener quota and that listener
// ports are unique. Ports are unique across all load balancers here, not
// per load balancer as in ELB, because every listener binds on this host.
// An identical listener on the same load balancer is returned as existing
// (ELB's CreateListener is idempotent).
func checkListenerPlacement(tx state.Tx, l model.Listener) (*model.Listener, error) {
	all, err := tx.AllListeners()
	if err != nil {
		return nil, err
	}
	count := 0
	for _, o := range all {
		if o.ARN == l.ARN {
			continue
		}
		if o.LoadBalancerARN == l.LoadBalancerARN {
			count++
		}
		if o.Port != l.Port {
			continue
		}
		if o.LoadBalancerARN == l.LoadBalancerARN && sameListener(o, l) {
			return &o, nil
		}
		if o.LoadBalancerARN == l.LoadBalancerARN {
			return nil, awsproto.ClientError(codeDuplicateListener, "A listener already exists on this port for this load balancer '%s'", l.LoadBalancerARN)
		}
		return nil, awsproto.ClientError(codeDuplicateListener,
			"A listener already exists on port %d of load balancer '%s': all load balancers share this host's ports", l.Port, o.LoadBalancerARN)
	}
	if count >= model.MaxListenersPerALB {
		return nil, awsproto.ClientError(codeTooManyListeners, "You've reached the limit on the number of listeners per load balancer (%d)", model.MaxListenersPerALB)
	}
	return nil, nil
}

func sameListener(a, b model.Listener) bool {
	return a.Protocol == b.Protocol && a.SSLPolicy == b.SSLPolicy &&
		reflect.DeepEqual(a.Certificates, b.Certificates) && reflect.DeepEqual(a.DefaultActions, b.DefaultActions)
}

// checkTargetGroups makes sure the target groups the actions forward to
// exist and are not used by another load balancer: ELB associates an ALB
// target group with at most one load balancer.
func checkTargetGroups(tx state.Tx, lbARN string, actions []model.ELBAction) error {
	users, err := tx.TargetGroupLoadBalancers()
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for tg, lbs := range users {
		if slices.Contains(lbs, lbARN) {
			used[tg] = true
		}
	}
	for _, arn := range model.TargetGroupARNs(actions) {
		used[arn] = true
	}
	if len(used) > model.MaxTargetGroupsPerALB {
		return awsproto.ClientError(codeTooManyTargetGroups, "You've reached the limit on the number of target groups per load balancer (%d)", model.MaxTargetGroupsPerALB)
	}
	for _, arn := range model.TargetGroupARNs(actions) {
		if _, err := tx.TargetGroup(arn); err != nil {
			return err
		}
		for _, other := range users[arn] {
			if other != lbARN {
				return awsproto.ClientError(codeAssociationLimit, "The following target groups cannot be associated with more than one load balancer: %s", arn)
			}
		}
	}
	return nil
}

func (h *Handler) describeListeners(ctx context.Context, f form) (any, error) {
	lbARN, arns := f.str("LoadBalancerArn"), f.strList("ListenerArns")
	if (lbARN == "") == (len(arns) == 0) {
		return nil, validation("You must specify either listener ARNs or a load balancer ARN")
	}
	var ls []model.Listener
	err := h.st.View(ctx, func(tx state.Tx) error {
		var err error
		if lbARN != "" {
			if _, err = tx.LoadBalancer(lbARN); err != nil {
				return err
			}
			ls, err = tx.Listeners(lbARN)
			return err
		}
		ls, err = lookupAll(arns, tx.Listener)
		return err
	})
	if err != nil {
		return nil, err
	}
	key := func(l model.Listener) string { return fmt.Sprintf("%05d %s", l.Port, l.ARN) }
	pg, next, err := page(f, ls, key)
	if err != nil {
		return nil, err
	}
	res := listenersResult{NextMarker: next, Listeners: list[wireListener]{Member: []wireListener{}}}
	for _, l := range pg {
		res.Listeners.Member = append(res.Listeners.Member, toWireListener(l))
	}
	return res, nil
}

func (h *Handler) modifyListener(ctx context.Context, f form) (any, error) {
	in, err := parseListenerInput(f)
	if err != nil {
		return nil, err
	}
	arn := f.str("ListenerArn")
	var out model.Listener
	err = h.st.Update(ctx, func(tx state.Tx) error {
		l, err := tx.Listener(arn)
		if err != nil {
			return err
		}
		if err := in.apply(&l, h.log); err != nil {
			return err
		}
		if existing, err := checkListenerPlacement(tx, l); err != nil || existing != nil {
			if existing != nil {
				err = awsproto.ClientError(codeDuplicateListener, "A listener already exists on this port for this load balancer '%s'", l.LoadBalancerARN)
			}
			return err
		}
		if err := checkTargetGroups(tx, l.LoadBalancerARN, l.DefaultActions); err != nil {
			return err
		}
		out = l
		return tx.PutListener(l)
	})
	if err != nil {
		return nil, err
	}
	h.log.Info("listener modified", "arn", out.ARN, "port", out.Port, "protocol", out.Protocol)
	return listenersResult{Listeners: listOf([]wireListener{toWireListener(out)})}, nil
}

func (h *Handler) deleteListener(ctx context.Context, f form) (any, error) {
	arn := f.str("ListenerArn")
	err := h.st.Update(ctx, func(tx state.Tx) error {
		if _, err := tx.Listener(arn); err != nil {
			return err
		}
		return tx.DeleteListener(arn)
	})
	if err == nil {
		h.log.Info("listener deleted", "arn", arn)
	}
	return nil, err
}
