package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/docker"
	"github.com/slipway-dev/slipway/internal/runtime/process"
)

// Runtime choices (Config.Runtime, `slipway server --runtime`).
const (
	RuntimeAuto    = "auto"
	RuntimeDocker  = "docker"
	RuntimeProcess = "process"
)

// ErrRuntime means the runtime asked for cannot be used.
var ErrRuntime = errors.New("container runtime unavailable")

// engineProbeTimeout bounds how long auto waits for a Docker Engine.
const engineProbeTimeout = 3 * time.Second

// chosenRuntime is the runtime the agent runs tasks with, and why.
type chosenRuntime struct {
	rt     runtime.Runtime
	reason string
	// engine is the Docker Engine's version (docker runtime only).
	engine string
	closer io.Closer
}

// chooseRuntime makes the runtime Config.Runtime asks for: docker or
// process; auto takes docker when a Docker Engine answers, else process;
// empty means process (the embedded default for programs and tests that
// start a server themselves).
func (s *Server) chooseRuntime(ctx context.Context, storeID string) (chosenRuntime, error) {
	switch s.cfg.Runtime {
	case "", RuntimeProcess:
		reason := "--runtime process"
		if s.cfg.Runtime == "" {
			reason = "the embedded default"
		}
		return s.processRuntime(reason)
	case RuntimeDocker:
		c, err := s.dockerRuntime(ctx, storeID)
		if err != nil {
			return c, fmt.Errorf("%w: --runtime docker: %w; start the Docker Engine, or use --runtime process", ErrRuntime, err)
		}
		c.reason = "--runtime docker: " + c.reason
		return c, nil
	case RuntimeAuto:
		pctx, cancel := context.WithTimeout(ctx, engineProbeTimeout)
		defer cancel()
		c, err := s.dockerRuntime(pctx, storeID)
		if err == nil {
			c.reason = "auto: " + c.reason
			return c, nil
		}
		return s.processRuntime("auto: " + err.Error())
	}
	return chosenRuntime{}, fmt.Errorf("%w: --runtime %q: use docker, process or auto", ErrRuntime, s.cfg.Runtime)
}

func (s *Server) processRuntime(reason string) (chosenRuntime, error) {
	shim, shimEnv := s.cfg.ShimCommand, s.cfg.ShimEnv
	if len(shim) == 0 {
		var err error
		if shim, err = process.DefaultShimCommand(); err != nil {
			return chosenRuntime{}, err
		}
	}
	rt, err := process.New(process.Options{ShimCommand: shim, ShimEnv: shimEnv,
		StateDir: filepath.Join(s.cfg.DataDir, containersDir), Logger: s.cfg.Logger})
	if err != nil {
		return chosenRuntime{}, err
	}
	return chosenRuntime{rt: rt, reason: reason}, nil
}

func (s *Server) dockerRuntime(ctx context.Context, storeID string) (chosenRuntime, error) {
	rt, err := docker.New(ctx, docker.Options{StoreID: storeID, HolderBinary: s.cfg.HolderBinary, Logger: s.cfg.Logger})
	if err != nil {
		return chosenRuntime{}, err
	}
	e := rt.Engine()
	return chosenRuntime{rt: rt, closer: rt, engine: e.Version,
		reason: fmt.Sprintf("Docker Engine %s answered at %s with API %s", e.Version, e.Host, e.APIVersion)}, nil
}

// capabilities are the ECS capability attributes the runtime's instance
// reports, so that placement and people can see what it offers.
func (c chosenRuntime) capabilities() []model.Attribute {
	names := []string{
		"ecs.capability.container-health-check", "ecs.capability.container-ordering",
		"ecs.capability.env-files.s3", "ecs.capability.secrets.asm.environment-variables",
		"ecs.capability.secrets.ssm.environment-variables", "ecs.capability.task-eni",
	}
	if d, ok := c.rt.(*docker.Runtime); ok {
		names = append(names, "com.amazonaws.ecs.capability.docker-remote-api."+d.Engine().APIVersion,
			"ecs.capability.private-registry-authentication.secretsmanager", "ecs.capability.task-cpu-mem-limit")
	}
	out := make([]model.Attribute, 0, len(names))
	for _, n := range names {
		out = append(out, model.Attribute{Name: n})
	}
	return out
}

// describe fills what the node tells the control plane about its runtime.
func (c chosenRuntime) describe(n *agent.Node) {
	n.Runtime, n.RuntimeReason, n.DockerVersion, n.Attributes = c.rt.Name(), c.reason, c.engine, c.capabilities()
}

// Runtime names the container runtime the agent uses, and why it was chosen.
func (s *Server) Runtime() (name, reason string) { return s.rt, s.runtimeReason }

func (c *Config) secretsDir() string {
	if c.SecretsDir != "" {
		return c.SecretsDir
	}
	return filepath.Join(c.DataDir, "secrets")
}
