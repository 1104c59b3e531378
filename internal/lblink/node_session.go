package lblink

import (
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// nodeSession is one control-plane connection of a Node. Its writer is the
// only goroutine that writes after the handshake; it sends, in one batch,
// the health of every group marked dirty since the last batch (read as it
// writes) and then the queued replies, so health caused by a request always
// precedes the request's reply.
type nodeSession struct {
	n    *Node
	conn net.Conn
	fr   *frameReader
	fw   *frameWriter

	mu      sync.Mutex // guards dirty, out, flushed
	dirty   map[string]bool
	out     []*Message
	flushed []chan struct{} // closed once the batch that follows is written
	wake    chan struct{}

	closeOnce sync.Once
	done      chan struct{}
}

func newNodeSession(n *Node, conn net.Conn) *nodeSession {
	return &nodeSession{n: n, conn: conn, fr: newFrameReader(conn), fw: newFrameWriter(conn),
		dirty: map[string]bool{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func pid() int { return os.Getpid() }

// writeNow writes and flushes m directly (handshake only, before writeLoop).
func (s *nodeSession) writeNow(m *Message) error {
	if err := s.fw.write(m); err != nil {
		return err
	}
	return s.fw.flush()
}

func (s *nodeSession) markDirty(arn string) {
	s.mu.Lock()
	s.dirty[arn] = true
	s.mu.Unlock()
	s.poke()
}

func (s *nodeSession) enqueue(m *Message) {
	s.mu.Lock()
	s.out = append(s.out, m)
	s.mu.Unlock()
	s.poke()
}

// waitWritten returns once everything enqueued so far has been written, or
// the connection ended.
func (s *nodeSession) waitWritten() {
	ch := make(chan struct{})
	s.mu.Lock()
	s.flushed = append(s.flushed, ch)
	s.mu.Unlock()
	s.poke()
	select {
	case <-ch:
	case <-s.done:
	}
}

func (s *nodeSession) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *nodeSession) close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.conn.Close()
	})
}

func (s *nodeSession) isClosed() bool { return isStopped(s.done) }

func (s *nodeSession) writeLoop() {
	defer s.close()
	for {
		select {
		case <-s.wake:
		case <-s.done:
			return
		}
		s.mu.Lock()
		dirty, out, flushed := s.dirty, s.out, s.flushed
		s.dirty, s.out, s.flushed = map[string]bool{}, nil, nil
		s.mu.Unlock()
		if err := s.writeBatch(dirty, out); err != nil {
			if !s.isClosed() {
				s.n.log.Warn("writing to the control plane failed", "err", err)
			}
			return
		}
		for _, ch := range flushed {
			close(ch)
		}
	}
}

func (s *nodeSession) writeBatch(dirty map[string]bool, out []*Message) error {
	dp := s.n.dp
	s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if len(dirty) > 0 {
		arns := make([]string, 0, len(dirty))
		for arn := range dirty {
			arns = append(arns, arn)
		}
		slices.Sort(arns)
		m := &Message{Type: typeHealth}
		for _, arn := range arns {
			m.Health = append(m.Health, GroupHealth{ARN: arn, Targets: dp.TargetHealth(arn)})
		}
		if err := s.fw.write(m); err != nil {
			return err
		}
	}
	for _, m := range out {
		if m.Type == typeWelcome {
			m.Version = dp.AppliedVersion()
			m.Health = snapshot(dp)
		}
		if err := s.fw.write(m); err != nil {
			return err
		}
	}
	return s.fw.flush()
}

// snapshot is the health of every group the data plane knows, by ARN.
func snapshot(dp DataPlane) []GroupHealth {
	all := dp.HealthSnapshot()
	out := make([]GroupHealth, 0, len(all))
	for arn, ths := range all {
		out = append(out, GroupHealth{ARN: arn, Targets: ths})
	}
	slices.SortFunc(out, func(a, b GroupHealth) int { return strings.Compare(a.ARN, b.ARN) })
	return out
}
