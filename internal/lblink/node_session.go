package lblink

import (
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// nodeSession is one control-plane connection of a Node. Writes happen
// under wmu, from the request loop (replies) and from the health writer
// (changes pushed unasked); each takes the groups marked dirty so far and
// writes their health, read then, before anything else, so the health a
// request caused always precedes its reply.
type nodeSession struct {
	n    *Node
	conn net.Conn
	fr   *frameReader

	wmu sync.Mutex // serializes writes
	fw  *frameWriter

	mu    sync.Mutex // guards dirty
	dirty map[string]bool
	wake  chan struct{}

	closeOnce sync.Once
	done      chan struct{}
}

func newNodeSession(n *Node, conn net.Conn) *nodeSession {
	return &nodeSession{n: n, conn: conn, fr: newFrameReader(conn), fw: newFrameWriter(conn),
		dirty: map[string]bool{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func pid() int { return os.Getpid() }

// writeNow writes and flushes m directly (handshake only).
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
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// send writes the pending health and then reply (nil: health only). A
// failed write ends the session.
func (s *nodeSession) send(reply *Message) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	dirty := s.dirty
	s.dirty = map[string]bool{}
	s.mu.Unlock()
	err := s.writeBatch(dirty, reply)
	if err != nil {
		if !s.isClosed() {
			s.n.log.Warn("writing to the control plane failed", "err", err)
		}
		s.close()
	}
	return err
}

func (s *nodeSession) close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.conn.Close()
	})
}

func (s *nodeSession) isClosed() bool { return isStopped(s.done) }

// healthWriter pushes health changes as they are marked, until the session ends.
func (s *nodeSession) healthWriter() {
	for {
		select {
		case <-s.wake:
		case <-s.done:
			return
		}
		if s.send(nil) != nil {
			return
		}
	}
}

func (s *nodeSession) writeBatch(dirty map[string]bool, reply *Message) error {
	if len(dirty) == 0 && reply == nil {
		return nil
	}
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
	if reply != nil {
		if reply.Type == typeWelcome {
			reply.Version = dp.AppliedVersion()
			reply.Health = snapshot(dp)
		}
		if err := s.fw.write(reply); err != nil {
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
