package agent

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCollectLogsKeepsLiveAndRecentTasks(t *testing.T) {
	dir := t.TempDir()
	a := &Agent{opts: Options{LogDir: dir}, runners: map[string]*runner{"default/live": {id: "live"}}}
	a.logger = discardLogger()
	old := time.Now().Add(-3 * time.Hour)
	for _, name := range []string{"live", "old", "recent"} {
		if err := os.MkdirAll(filepath.Join(dir, name, "web"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"live", "old"} {
		if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	a.collectLogs(time.Now())
	for name, want := range map[string]bool{"live": true, "old": false, "recent": true} {
		_, err := os.Stat(filepath.Join(dir, name))
		if (err == nil) != want {
			t.Errorf("%s: exists=%v, want %v", name, err == nil, want)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
