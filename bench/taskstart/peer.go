package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// peerDocker times n creates and starts of the talk-service image through
// the engine's API, as `docker run -d` does them; for awsvpc, of a pair: a
// holder-like container publishing the port and one joining its network.
func (b *bench) peerDocker(ctx context.Context, v variant, n int) ([]time.Duration, string, error) {
	var ids []string
	defer func() {
		for _, id := range slices.Backward(ids) {
			_, _ = b.docker.ContainerRemove(context.Background(), id, client.ContainerRemoveOptions{Force: true})
		}
	}()
	run := func(cfg *container.Config, host *container.HostConfig) error {
		c, err := b.docker.ContainerCreate(ctx, client.ContainerCreateOptions{Config: cfg, HostConfig: host})
		if err != nil {
			return err
		}
		ids = append(ids, c.ID)
		_, err = b.docker.ContainerStart(ctx, c.ID, client.ContainerStartOptions{})
		return err
	}
	port := network.MustParsePort("8080/tcp")
	published := func() *container.HostConfig {
		return &container.HostConfig{PortBindings: network.PortMap{port: {{HostIP: mustAddr("127.0.0.1")}}}}
	}
	var out []time.Duration
	what := "engine create+start, port published"
	for range n {
		start := time.Now()
		cfg := &container.Config{Image: talkImage, ExposedPorts: network.PortSet{port: {}}}
		switch v.mode {
		case "host":
			what = "engine create+start, host network"
			if err := run(&container.Config{Image: talkImage, Env: []string{"PORT=0"}}, &container.HostConfig{NetworkMode: "host"}); err != nil {
				return nil, "", err
			}
		case "awsvpc":
			what = "engine create+start of 2, one joining"
			if err := run(cfg, published()); err != nil {
				return nil, "", err
			}
			if err := run(&container.Config{Image: talkImage, Env: []string{"PORT=9090"}},
				&container.HostConfig{NetworkMode: container.NetworkMode("container:" + ids[len(ids)-1])}); err != nil {
				return nil, "", err
			}
		default:
			if err := run(cfg, published()); err != nil {
				return nil, "", err
			}
		}
		out = append(out, time.Since(start))
	}
	return out, what, nil
}

// result is one variant's measurements.
type result struct {
	v        variant
	starts   []time.Duration
	peer     []time.Duration
	peerName string
}

// p is the q-quantile of the starts (nearest rank).
func (r result) p(q float64) time.Duration { return quantile(r.starts, q) }

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func (r result) print(w io.Writer) {
	fmt.Fprintf(w, "%-15s %6d %9s %9s %9s   %-34s %9s %9s\n", r.v.name, len(r.starts), round(r.p(0.5)), round(r.p(0.99)),
		round(quantile(r.starts, 1)), r.peerName, round(quantile(r.peer, 0.5)), round(quantile(r.peer, 0.99)))
}

func round(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
