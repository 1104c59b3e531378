package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
)

// serveEcho is the target of every proxy: each connection's bytes are sent back
// (io.Copy between two TCP sockets, which Linux splices), and its EOF ends the echo.
func serveEcho(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			io.Copy(c, c)
		}()
	}
}

// serveSlipway runs our layer-4 data plane with one TCP listener forwarding to
// one target, until SIGTERM.
func serveSlipway(port int, target, cpuprofile string) error {
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	host, tport, err := net.SplitHostPort(target)
	if err != nil {
		return err
	}
	p, _ := strconv.Atoi(tport)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	d := l4.New(l4.Options{Host: "127.0.0.1", MaxConnections: 9000})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	cfg := l4.Config{Version: 1,
		Listeners: []l4.Listener{{ARN: "bench", Port: port, Protocol: l4.ProtocolTCP,
			Forward: []lb.WeightedTargetGroup{{ARN: "tg", Weight: 1}}}},
		TargetGroups: []l4.TargetGroup{{ARN: "tg", Protocol: l4.ProtocolTCP,
			HealthCheck: l4.HealthCheck{Enabled: true, Interval: 30 * time.Second},
			Targets:     []lb.Target{{ID: host, Host: host, Port: p}}}}}
	if err := d.Apply(ctx, cfg); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	return <-done
}
