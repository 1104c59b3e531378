package lblink

import (
	"context"
	"net"
	"sync"
	"time"
)

// clientSession is one connection of a Client. Requests from any goroutine
// write under wmu and wait for the reply with their id; one reader applies
// health frames to the mirror and hands replies to their callers, in the
// order the node sent them.
type clientSession struct {
	c    *Client
	conn net.Conn
	fr   *frameReader

	wmu sync.Mutex // serializes writes
	fw  *frameWriter

	pmu     sync.Mutex // guards pending
	pending map[uint64]chan *Message

	closeOnce sync.Once
	done      chan struct{}
	err       error // why the session ended; set before done is closed
}

func newClientSession(c *Client, conn net.Conn) *clientSession {
	return &clientSession{c: c, conn: conn, fr: newFrameReader(conn), fw: newFrameWriter(conn),
		pending: map[uint64]chan *Message{}, done: make(chan struct{})}
}

func (s *clientSession) send(m *Message) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := s.fw.write(m); err != nil {
		return err
	}
	return s.fw.flush()
}

// call sends a request and waits for its reply. errLost means the
// connection ended first; the request may or may not have been carried out.
func (s *clientSession) call(ctx context.Context, m *Message) (*Message, error) {
	m.ID = s.c.ids.Add(1)
	ch := make(chan *Message, 1)
	s.pmu.Lock()
	s.pending[m.ID] = ch
	s.pmu.Unlock()
	defer func() {
		s.pmu.Lock()
		delete(s.pending, m.ID)
		s.pmu.Unlock()
	}()
	if err := s.send(m); err != nil {
		s.fail(err)
		return nil, errLost
	}
	select {
	case r := <-ch:
		return r, nil
	case <-s.done:
		select {
		case r := <-ch: // the reply came just before the connection ended
			return r, nil
		default:
			return nil, errLost
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *clientSession) readLoop() {
	timeout := missedKeepAlives * s.c.opts.KeepAlive
	for {
		s.conn.SetReadDeadline(time.Now().Add(timeout))
		m, err := s.fr.read()
		if err != nil {
			s.fail(err)
			return
		}
		switch m.Type {
		case typeHealth:
			s.c.applyHealth(m.Health)
			continue
		case typePong:
			continue
		case typeApplied:
			s.c.noteApplied(s, m.Version)
		}
		s.pmu.Lock()
		ch := s.pending[m.ID]
		s.pmu.Unlock()
		if ch != nil {
			ch <- m
		}
	}
}

func (s *clientSession) keepAlive(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := s.send(&Message{Type: typePing}); err != nil {
				s.fail(err)
				return
			}
		case <-s.done:
			return
		}
	}
}

// fail ends the session with err (the first cause wins).
func (s *clientSession) fail(err error) {
	s.closeOnce.Do(func() {
		s.err = err
		close(s.done)
		s.conn.Close()
		s.c.dropSession(s)
	})
}
