package elbops

import (
	"reflect"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func duplicateListener(lbARN string) *awserr.Error {
	return clientErr(CodeDuplicateListener, "A listener already exists on this port for this load balancer '%s'", lbARN)
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
			return nil, duplicateListener(l.LoadBalancerARN)
		}
		return nil, clientErr(CodeDuplicateListener,
			"A listener already exists on port %d of load balancer '%s': all load balancers share this host's ports", l.Port, o.LoadBalancerARN)
	}
	if err := checkOtherRegionsPort(tx, l.Port); err != nil {
		return nil, err
	}
	if count >= model.MaxListenersPerALB {
		return nil, clientErr(CodeTooManyListeners, "You've reached the limit on the number of listeners per load balancer (%d)", model.MaxListenersPerALB)
	}
	return nil, nil
}

// checkOtherRegionsPort refuses a port a listener of another region holds:
// every region's listeners bind on this same host.
func checkOtherRegionsPort(tx state.Tx, port int) error {
	for _, other := range tx.OtherRegions() {
		all, err := other.AllListeners()
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.Port == port {
				return clientErr(CodeDuplicateListener,
					"A listener already exists on port %d of load balancer '%s' in region %s: all regions' load balancers share this host's ports",
					port, o.LoadBalancerARN, other.Partition.Region)
			}
		}
	}
	return nil
}

func sameListener(a, b model.Listener) bool {
	return a.Protocol == b.Protocol && a.SSLPolicy == b.SSLPolicy &&
		reflect.DeepEqual(a.DefaultCertificates(), b.DefaultCertificates()) && reflect.DeepEqual(a.DefaultActions, b.DefaultActions)
}
