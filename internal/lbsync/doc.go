// Package lbsync is the controller between the ELBv2 records in the store
// and the load balancer data planes: it compiles load balancers, listeners,
// rules, target groups and registered targets into one lb.Config, applies
// it to every data plane with a version that increases with every change,
// and reports back target health and draining.
//
// A listener that a data plane cannot serve (its port is in use, or its
// certificate files no longer load) does not hold back other changes: that
// plane gets the configuration without the listener, the problem is logged
// once, Run keeps retrying with backoff, and the load balancer's state
// reads "active_impaired" with the reason (LoadBalancerState, shown by
// DescribeLoadBalancers) until the listener is served.
package lbsync
