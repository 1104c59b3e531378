package lblink

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
)

// gatherTimeout bounds a metrics request (Gather has no context).
const gatherTimeout = 5 * time.Second

// Apply sends cfg to the node and returns once the node acknowledged it:
// its routing is what every new request sees, and the health it caused
// (targets draining) is in the mirror. It waits for a connection while
// there is none; a connection lost before the acknowledgement is retried on
// the next one (applying a version twice is a no-op). Errors match the lb
// sentinels (ErrBind with an *lb.BindError, ErrCertificate,
// ErrInvalidConfig) as the node's Apply returned them.
func (c *Client) Apply(ctx context.Context, cfg lb.Config) error {
	return c.apply(ctx, &Message{Type: typeApply, Config: &cfg})
}

// ApplyNetwork sends the network load balancers' configuration to the node
// and returns once the node acknowledged it, as Apply does (the health it
// caused is in the mirror). Errors match the lb sentinels, as Apply's.
func (c *Client) ApplyNetwork(ctx context.Context, cfg l4.Config) error {
	return c.apply(ctx, &Message{Type: typeApplyNetwork, Network: &cfg})
}

// apply sends an apply request, waiting for a connection while there is none
// and retrying on the next one a request whose connection was lost before
// the acknowledgement (applying a version twice is a no-op).
func (c *Client) apply(ctx context.Context, m *Message) error {
	for {
		s, err := c.awaitSession(ctx)
		if err != nil {
			return err
		}
		r, err := s.call(ctx, m)
		if errors.Is(err, errLost) {
			continue
		}
		if err != nil {
			return err
		}
		if r.Error != nil {
			return r.Error
		}
		return nil
	}
}

// Stats asks the node for its statistics (lb.Stats); ErrNotConnected while
// it is not reachable.
func (c *Client) Stats(ctx context.Context) (lb.Stats, error) {
	r, err := c.request(ctx, typeStats)
	if err != nil {
		return lb.Stats{}, err
	}
	if r.Stats == nil {
		return lb.Stats{}, fmt.Errorf("%w: stats reply without stats", ErrProtocol)
	}
	return *r.Stats, nil
}

// NetworkStats asks the node for its network plane's counters
// (l4.NetworkStats); ErrNotConnected while it is not reachable, an error
// from a node that serves no network load balancers.
func (c *Client) NetworkStats(ctx context.Context) (l4.NetworkStats, error) {
	r, err := c.request(ctx, typeNetworkStats)
	if err != nil {
		return l4.NetworkStats{}, err
	}
	if r.NetworkStats == nil {
		return l4.NetworkStats{}, fmt.Errorf("%w: network-stats reply without stats", ErrProtocol)
	}
	return *r.NetworkStats, nil
}

// InFlight returns the number of requests in flight to a target (registered
// or draining), as lb.DataPlane.InFlight; 0 when the node cannot be asked.
func (c *Client) InFlight(tgARN, id string, port int) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), gatherTimeout)
	defer cancel()
	st, err := c.Stats(ctx)
	if err != nil {
		return 0
	}
	return st.TargetGroups[tgARN].InFlight[id+":"+strconv.Itoa(port)]
}

// Gather implements prometheus.Gatherer: the node's metrics, and the
// client's own (slipway_lb_data_plane_connected). While the node is not
// reachable only the client's are returned, without an error, so that
// /metrics still answers.
func (c *Client) Gather() ([]*dto.MetricFamily, error) {
	own, err := c.reg.Gather()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), gatherTimeout)
	defer cancel()
	r, err := c.request(ctx, typeMetrics)
	if errors.Is(err, ErrNotConnected) {
		return own, nil
	}
	if err != nil {
		return own, err
	}
	remote, err := parseDelimited(r.Metrics)
	if err != nil {
		return own, err
	}
	return append(remote, own...), nil
}

// Shutdown asks the node to close its listeners and exit, and stops the
// client from connecting again. It returns once the node acknowledged and
// closed the connection.
func (c *Client) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	c.stopping = true
	s := c.sess
	c.mu.Unlock()
	if s == nil {
		return ErrNotConnected
	}
	r, err := s.call(ctx, &Message{Type: typeShutdown})
	if err != nil {
		return err
	}
	if r.Error != nil {
		return r.Error
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// request sends a request without payload on the current connection.
func (c *Client) request(ctx context.Context, typ string) (*Message, error) {
	s := c.current()
	if s == nil {
		return nil, ErrNotConnected
	}
	r, err := s.call(ctx, &Message{Type: typ})
	if errors.Is(err, errLost) {
		return nil, ErrNotConnected
	}
	if err != nil {
		return nil, err
	}
	if r.Error != nil {
		return nil, r.Error
	}
	return r, nil
}
