package l4

import (
	"io"
	"net"
	"strconv"
	"testing"
	"time"
)

// BenchmarkConnect measures a whole relayed connection: connect through a TCP
// listener, 64 bytes echoed by the target, close.
func BenchmarkConnect(b *testing.B) {
	d := newDP(b, Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	e := &echoServer{ln: ln}
	port := freePort(b)
	apply(b, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tcpGroup("tg", e)}})
	waitHealthy(b, d, "tg", 1)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		msg, buf := make([]byte, 64), make([]byte, 64)
		for pb.Next() {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				b.Error(err)
				return
			}
			c.Write(msg)
			if _, err := io.ReadFull(c, buf); err != nil {
				b.Error(err)
			}
			c.Close()
		}
	})
}
