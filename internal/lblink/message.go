package lblink

import (
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
)

// Protocol is the version of the messages below. A node and a control plane
// speaking different protocols refuse each other; the hello exchange itself
// must stay readable by every version. 2: apply-network, the network load
// balancers' configuration (internal/l4). 3: listeners' TLS policies and
// ALPN lists, which a node of protocol 2 would decode and ignore (a TLS
// 1.3-only listener would then serve TLS 1.2), so it is replaced instead.
const Protocol = 3

// Sentinel errors.
var (
	// ErrProtocol means the other end speaks another protocol version.
	ErrProtocol = errors.New("lblink: protocol version mismatch")
	// ErrForeignNode means the other end belongs to another installation
	// (another data directory): its identity is not ours.
	ErrForeignNode = errors.New("lblink: the other end belongs to another installation")
	// ErrClosed is returned by calls on a closed Client.
	ErrClosed = errors.New("lblink: closed")
	// ErrNotConnected is returned by requests that need the node (Stats,
	// Gather) while no connection is up.
	ErrNotConnected = errors.New("lblink: data plane not connected")
	// ErrFrameTooLarge means a frame exceeded MaxFrame.
	ErrFrameTooLarge = errors.New("lblink: frame too large")
)

// Message types.
const (
	typeHello   = "hello"
	typeWelcome = "welcome"
	typeApply   = "apply"
	// typeApplyNetwork carries an l4.Config, answered by applied.
	typeApplyNetwork = "apply-network"
	typeApplied      = "applied"
	typeHealth       = "health"
	typeStats        = "stats"
	// typeNetworkStats asks for the network plane's l4.NetworkStats (a
	// node without one answers an error).
	typeNetworkStats = "network-stats"
	typeMetrics      = "metrics"
	typePing         = "ping"
	typePong         = "pong"
	typeShutdown     = "shutdown"
	typeError        = "error" // a refusal before the connection closes
)

// Message is one frame. Type names it; the fields it uses are set, the
// others empty. ID pairs a reply with its request.
type Message struct {
	Type    string        `json:"type"`
	ID      uint64        `json:"id,omitempty"`
	Hello   *Hello        `json:"hello,omitempty"`
	Version uint64        `json:"version,omitempty"` // welcome, applied: the node's applied version
	Config  *lb.Config    `json:"config,omitempty"`  // apply
	Network *l4.Config    `json:"network,omitempty"` // apply-network
	Health  []GroupHealth `json:"health,omitempty"`  // welcome (every group), health (changed groups)
	Stats   *lb.Stats     `json:"stats,omitempty"`
	// NetworkStats answers network-stats.
	NetworkStats *l4.NetworkStats `json:"networkStats,omitempty"`
	Metrics      []byte           `json:"metrics,omitempty"` // delimited protobuf MetricFamily records
	Error        *Error           `json:"error,omitempty"`
}

// Hello introduces one end to the other.
type Hello struct {
	Protocol int `json:"protocol"`
	// Identity names the installation (the data directory's node id); both
	// ends must have the same.
	Identity string `json:"identity"`
	// Node only: its process id, the address its listeners bind on and its
	// applied version.
	PID     int    `json:"pid,omitempty"`
	Host    string `json:"host,omitempty"`
	Version uint64 `json:"version,omitempty"`
}

// GroupHealth is the health of every registered and draining target of one
// target group.
type GroupHealth struct {
	ARN     string            `json:"arn"`
	Targets []lb.TargetHealth `json:"targets"`
}

// CheckHello returns nil when h is from an end of the same protocol and
// installation.
func CheckHello(h *Hello, identity string) error {
	if h == nil {
		return fmt.Errorf("%w: no hello", ErrProtocol)
	}
	if h.Protocol != Protocol {
		return fmt.Errorf("%w: it speaks %d, we speak %d", ErrProtocol, h.Protocol, Protocol)
	}
	if h.Identity != identity {
		return fmt.Errorf("%w: identity %q, ours is %q", ErrForeignNode, h.Identity, identity)
	}
	return nil
}

// Error kinds: the lb sentinel an error matches on the other side.
const (
	kindBind        = "bind"
	kindCertificate = "certificate"
	kindInvalid     = "invalid"
	kindClosed      = "closed"
	kindProtocol    = "protocol"
	kindForeign     = "foreign"
	kindInternal    = "internal"
)

// Error is an error carried in a Message. It keeps what callers classify
// by: errors.Is matches the lb sentinel of its Kind, and a bind error
// unwraps to an *lb.BindError with the port.
type Error struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Port    int    `json:"port,omitempty"`
}

func (e *Error) Error() string {
	if e.Kind == kindBind {
		return e.Unwrap().Error()
	}
	return e.Message
}

// Unwrap lets errors.Is and errors.As see the sentinel (and the port of a
// bind error) as they would on the node.
func (e *Error) Unwrap() error {
	switch e.Kind {
	case kindBind:
		return &lb.BindError{Port: e.Port, Err: errors.New(e.Message)}
	case kindCertificate:
		return lb.ErrCertificate
	case kindInvalid:
		return lb.ErrInvalidConfig
	case kindClosed:
		return lb.ErrClosed
	case kindProtocol:
		return ErrProtocol
	case kindForeign:
		return ErrForeignNode
	}
	return nil
}

// wireError turns an error into its message form.
func wireError(err error) *Error {
	e := &Error{Kind: kindInternal, Message: err.Error()}
	var be *lb.BindError
	switch {
	case errors.As(err, &be):
		e.Kind, e.Port, e.Message = kindBind, be.Port, be.Err.Error()
	case errors.Is(err, lb.ErrCertificate), errors.Is(err, l4.ErrCertificate):
		e.Kind = kindCertificate
	case errors.Is(err, lb.ErrInvalidConfig), errors.Is(err, l4.ErrInvalidConfig):
		e.Kind = kindInvalid
	case errors.Is(err, lb.ErrClosed), errors.Is(err, l4.ErrClosed):
		e.Kind = kindClosed
	case errors.Is(err, ErrProtocol):
		e.Kind = kindProtocol
	case errors.Is(err, ErrForeignNode):
		e.Kind = kindForeign
	}
	return e
}
