package lblink

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestFrameLargerThanTheBoundIsRefused(t *testing.T) {
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], MaxFrame+1)
	if _, err := newFrameReader(bytes.NewReader(hdr[:])).read(); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("read = %v, want ErrFrameTooLarge", err)
	}
	var buf bytes.Buffer
	w := newFrameWriter(&buf)
	if err := w.write(&Message{Type: typePing, ID: 9}); err != nil {
		t.Fatal(err)
	}
	w.flush()
	m, err := newFrameReader(&buf).read()
	if err != nil || m.Type != typePing || m.ID != 9 {
		t.Fatalf("round trip: %+v %v", m, err)
	}
}

// TestSilentNodeIsDropped: a node that completes the handshake and then
// answers nothing (hung) loses its connection after the missed keep-alives.
func TestSilentNodeIsDropped(t *testing.T) {
	sock := socketPath(t)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	hung := make(chan struct{})
	defer close(hung)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		fr, fw := newFrameReader(conn), newFrameWriter(conn)
		fw.write(&Message{Type: typeHello, Hello: &Hello{Protocol: Protocol, Identity: testIdentity}})
		fw.flush()
		fr.read()
		fw.write(&Message{Type: typeWelcome})
		fw.flush()
		<-hung // reads and writes nothing more
	}()
	c := NewClient(unixDialer(sock), ClientOptions{Identity: testIdentity, KeepAlive: 20 * time.Millisecond})
	defer c.Close()
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) { return !c.Connected(), "still connected to a silent node" })
}
