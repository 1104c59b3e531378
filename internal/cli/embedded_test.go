package cli

import (
	"context"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// stopTimeout bounds each step of an embedded server's cleanup, sized for a
// loaded machine.
const stopTimeout = 60 * time.Second

// startEmbedded starts a server on dataDir (a new temporary directory when
// empty) whose shim and data plane are this test binary. Cleanup stops its
// tasks (unless the server is already down), its data plane and it, and then
// kills and reports any process of dataDir still left, even when the test
// failed.
func startEmbedded(t *testing.T, dataDir string) *server.Server {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	shim, shimEnv := testutil.ShimCommand()
	srv, err := server.Start(t.Context(), server.Config{APIAddr: "127.0.0.1:0", DataDir: dataDir, LBHost: "127.0.0.1",
		ShimCommand: shim, ShimEnv: shimEnv})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		select {
		case <-srv.Done(): // already down
		default:
			if err := srv.StopAllTasks(ctx); err != nil {
				t.Errorf("StopAllTasks: %v", err)
			}
		}
		if err := srv.StopDataPlane(ctx); err != nil {
			t.Errorf("StopDataPlane: %v", err)
		}
		srv.Close()
		testutil.KillLeftovers(t, dataDir)
	})
	return srv
}
