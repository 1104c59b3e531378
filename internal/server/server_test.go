package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestMain(m *testing.M) {
	// The test binary also serves as its servers' children: the process
	// runtime's shim, the data plane and the reaper.
	if code, ok := testutil.RunAsChild(testutil.Children{ShimArg: process.ShimArg, Shim: process.ShimMain,
		DataPlaneArg: lbnode.Arg, DataPlane: lbnode.Main}); ok {
		os.Exit(code)
	}
	testutil.OwnChildren()
	os.Exit(testutil.RunWithReaper(m))
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.ShimCommand, cfg.ShimEnv = testutil.ShimCommand()
	if cfg.APIAddr == "" {
		cfg.APIAddr = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// A test that closed the server itself left its tasks running on purpose
		// (a restart adopts them); KillLeftovers ends them if none did.
		if err := s.StopAllTasks(ctx); err != nil && !errors.Is(err, store.ErrClosed) {
			t.Errorf("StopAllTasks: %v", err)
		}
		if err := s.StopDataPlane(ctx); err != nil {
			t.Errorf("StopDataPlane: %v", err)
		}
		s.Close()
		testutil.KillLeftovers(t, cfg.DataDir)
	})
	return s
}

func TestRefusesToListenBeyondLoopbackWithoutCredentials(t *testing.T) {
	for _, cfg := range []Config{
		{APIAddr: "0.0.0.0:0", DataDir: t.TempDir()},
		{APIAddr: "127.0.0.1:0", LBHost: "0.0.0.0", DataDir: t.TempDir()},
	} {
		if _, err := Start(context.Background(), cfg); !errors.Is(err, ErrInsecureListen) {
			t.Errorf("%+v: err = %v, want ErrInsecureListen", cfg, err)
		}
	}
	s := start(t, Config{CredentialList: "AKID:secret"})
	if s.cfg.LBHost != "0.0.0.0" {
		t.Errorf("with credentials the load balancer binds %q, want 0.0.0.0", s.cfg.LBHost)
	}
}

func TestFreshDataDirHasDefaultClusterAndEndpoints(t *testing.T) {
	dir := t.TempDir()
	s := start(t, Config{DataDir: dir})
	err := s.State().View(context.Background(), func(tx state.Tx) error {
		c, err := tx.ActiveCluster(model.DefaultClusterName)
		if err == nil && c.ARN != "arn:aws:ecs:us-east-1:000000000000:cluster/default" {
			t.Errorf("default cluster: %+v", c)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for url, want := range map[string]string{s.URL() + "/health": "ok", s.MetricsURL() + "/metrics": "go_goroutines",
		s.MetricsURL() + "/slipway/lb/stats": "TargetGroups"} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %.200s", url, resp.StatusCode, body)
		}
	}
	first := s.agent.MetadataAddr()
	s.Close()
	again := start(t, Config{DataDir: dir})
	if got := again.agent.MetadataAddr(); got != first {
		t.Errorf("metadata endpoint moved from %s to %s across a restart", first, got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "node-id")); err != nil || len(strings.TrimSpace(string(b))) != 32 {
		t.Errorf("node id: %q %v", b, err)
	}
}

func TestDeletedDefaultClusterStaysDeleted(t *testing.T) {
	dir := t.TempDir()
	s := start(t, Config{DataDir: dir})
	err := s.State().Update(context.Background(), func(tx state.Tx) error {
		c, err := tx.Cluster(model.DefaultClusterName)
		if err != nil {
			return err
		}
		c.Status = model.ClusterInactive
		return tx.PutCluster(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	again := start(t, Config{DataDir: dir})
	_ = again.State().View(context.Background(), func(tx state.Tx) error {
		if _, err := tx.ActiveCluster(model.DefaultClusterName); err == nil {
			t.Error("a deleted default cluster came back after a restart")
		}
		return nil
	})
}
