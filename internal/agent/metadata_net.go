package agent

import (
	"net/netip"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// listenForContainers makes the metadata endpoint reachable from containers
// with a network namespace of their own: besides loopback it listens where
// they reach the host (the Docker bridge's gateway, 172.17.0.1 by default),
// and such containers get that address in ECS_CONTAINER_METADATA_URI_V4.
// ECS serves the endpoint on 169.254.170.2 through a NAT rule instead; a
// gateway address needs no rule and no privileges. The gateway is reachable
// only from this machine and its containers; the URI's token, random per
// container, is what picks a container's answers.
func (a *Agent) listenForContainers() {
	gw, ok := a.rt.(runtime.HostGateway)
	if !ok || gw.HostGateway() == "" {
		return
	}
	if err := a.meta.listenAlso(gw.HostGateway()); err != nil {
		a.logger.Warn("the task metadata endpoint is not reachable from containers", "gateway", gw.HostGateway(), "err", err)
	}
}

// metadataURI is the metadata URI of a container in a task of network mode.
func (a *Agent) metadataURI(token, mode string) string {
	host := ""
	if gw, ok := a.rt.(runtime.HostGateway); ok && mode != runtime.NetworkHost {
		host = gw.HostGateway()
	}
	return a.meta.uri(token, host)
}

// metadataNetworks is the container's Networks entry: an awsvpc task's own
// interface, or the node's loopback for the other modes.
func metadataNetworks(t model.Task, td model.TaskDefinition) []metaNetwork {
	mode := td.Spec.NetworkMode
	if mode == "" {
		mode = runtime.NetworkBridge
	}
	eni := t.ENI()
	if mode != runtime.NetworkAwsvpc || eni == nil || t.Address() == "" {
		return []metaNetwork{{NetworkMode: mode, IPv4Addresses: []string{"127.0.0.1"}}}
	}
	n := metaNetwork{
		AttachmentIndex: new(int), NetworkMode: mode, IPv4Addresses: []string{t.Address()},
		MACAddress: eni.Detail(model.DetailMACAddress), PrivateDNSName: eni.Detail(model.DetailPrivateDNSName),
	}
	if a, err := netip.ParseAddr(t.Address()); err == nil {
		if p, err := a.Prefix(16); err == nil {
			n.SubnetCIDR = p.String()
		}
	}
	return []metaNetwork{n}
}

// handleOf returns the named container's handle once it started, else nil.
func (r *runner) handleOf(name string) runtime.Handle {
	if v, ok := r.live.Load(name); ok {
		return v.(runtime.Handle)
	}
	return nil
}
