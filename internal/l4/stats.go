package l4

// Stats is a snapshot of the data plane's counters.
type Stats struct {
	Version           uint64
	ActiveConnections int64  // TCP and TLS connections open now
	ActiveFlows       int64  // UDP flows open now
	Rejected          uint64 // connections reset and datagrams dropped by the bounds (MaxConnections, MaxFlows, size)
	NoTarget          uint64 // connections and flows that found no routable target
	TargetGroups      map[string]GroupStats
}

// GroupStats are one target group's counters: per target ("id:port") and in
// total, including targets that have finished draining.
type GroupStats struct {
	Total   TargetStats
	Targets map[string]TargetStats
}

// TargetStats counts one target's connections and bytes.
type TargetStats struct {
	Active          int64  // connections and flows open now
	Flows           uint64 // connections and flows relayed in all
	BytesIn         uint64 // client to target
	BytesOut        uint64 // target to client
	ConnectFailures uint64 // connections that could not be made to the target
}

func (a TargetStats) add(b TargetStats) TargetStats {
	return TargetStats{Active: a.Active + b.Active, Flows: a.Flows + b.Flows, BytesIn: a.BytesIn + b.BytesIn,
		BytesOut: a.BytesOut + b.BytesOut, ConnectFailures: a.ConnectFailures + b.ConnectFailures}
}

func (t *target) stats() TargetStats {
	return TargetStats{Active: t.active.Load(), Flows: t.flows.Load(), BytesIn: t.bytesIn.Load(),
		BytesOut: t.bytesOut.Load(), ConnectFailures: t.failed.Load()}
}

// Stats returns a snapshot of the counters of every target group.
func (d *DataPlane) Stats() Stats {
	s := Stats{Version: d.version.Load(), ActiveConnections: d.conns.Load(), ActiveFlows: d.flows.Load(),
		Rejected: d.rejected.Load(), NoTarget: d.noTarget.Load(), TargetGroups: map[string]GroupStats{}}
	d.regMu.Lock()
	defer d.regMu.Unlock()
	for arn := range d.groups {
		s.TargetGroups[arn] = GroupStats{Total: d.gone[arn], Targets: map[string]TargetStats{}}
	}
	for key, t := range d.targets {
		g, ok := s.TargetGroups[key.group]
		if !ok {
			g = GroupStats{Total: d.gone[key.group], Targets: map[string]TargetStats{}}
		}
		c := t.stats()
		g.Targets[targetName(key)] = g.Targets[targetName(key)].add(c)
		g.Total = g.Total.add(c)
		s.TargetGroups[key.group] = g
	}
	return s
}
