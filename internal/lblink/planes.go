package lblink

import (
	"context"
	"errors"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
)

// NetworkPlane is the layer-4 data plane of network load balancers that a
// node may serve beside the HTTP one; *l4.DataPlane satisfies it.
type NetworkPlane interface {
	Apply(ctx context.Context, cfg l4.Config) error
	TargetHealth(targetGroupARN string) []lb.TargetHealth
	HealthSnapshot() map[string][]lb.TargetHealth
	FlushEvents()
	NetworkStats() l4.NetworkStats
}

// networkStatser is what a Node's DataPlane implements when it can answer
// network-stats (Planes does).
type networkStatser interface {
	NetworkStats() l4.NetworkStats
}

var _ NetworkPlane = (*l4.DataPlane)(nil)

// networkApplier is what a Node's DataPlane implements when it also serves
// network load balancers (Planes does).
type networkApplier interface {
	ApplyNetwork(ctx context.Context, cfg l4.Config) error
}

// Planes serves an HTTP data plane and a network one as one DataPlane: the
// link's apply goes to HTTP, apply-network to Network, and health is both
// planes' (their target groups are distinct). Versions, statistics and
// metrics are HTTP's; NetworkStats the network plane's.
type Planes struct {
	HTTP    DataPlane
	Network NetworkPlane
	// CloseNetwork stops Network (ends its Run and waits); called by Close.
	CloseNetwork func() error
}

var _ DataPlane = (*Planes)(nil)

// Apply applies the HTTP configuration.
func (p *Planes) Apply(ctx context.Context, cfg lb.Config) error { return p.HTTP.Apply(ctx, cfg) }

// ApplyNetwork applies the network configuration and flushes the health
// events it caused.
func (p *Planes) ApplyNetwork(ctx context.Context, cfg l4.Config) error {
	err := p.Network.Apply(ctx, cfg)
	p.Network.FlushEvents()
	return err
}

// AppliedVersion is the HTTP plane's.
func (p *Planes) AppliedVersion() uint64 { return p.HTTP.AppliedVersion() }

// TargetHealth is the group's health in whichever plane has it.
func (p *Planes) TargetHealth(arn string) []lb.TargetHealth {
	return append(p.HTTP.TargetHealth(arn), p.Network.TargetHealth(arn)...)
}

// HealthSnapshot merges both planes' groups.
func (p *Planes) HealthSnapshot() map[string][]lb.TargetHealth {
	out := p.HTTP.HealthSnapshot()
	for arn, ths := range p.Network.HealthSnapshot() {
		out[arn] = append(out[arn], ths...)
	}
	return out
}

// FlushEvents flushes both planes' health events.
func (p *Planes) FlushEvents() {
	p.HTTP.FlushEvents()
	p.Network.FlushEvents()
}

// Stats are the HTTP plane's.
func (p *Planes) Stats() lb.Stats { return p.HTTP.Stats() }

// NetworkStats are the network plane's counters (none without one).
func (p *Planes) NetworkStats() l4.NetworkStats {
	if p.Network == nil {
		return l4.NetworkStats{}
	}
	return p.Network.NetworkStats()
}

// Close closes both planes.
func (p *Planes) Close() error {
	err := p.HTTP.Close()
	if p.CloseNetwork != nil {
		err = errors.Join(err, p.CloseNetwork())
	}
	return err
}
