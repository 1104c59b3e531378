package agent

import (
	"os"
	"path/filepath"
	"time"
)

// Log retention: a stopped task's logs stay readable about as long as ECS
// keeps describing the task, then the agent deletes them, so the disk holds
// only recent tasks' logs (each stream is bounded by the runtime).
const (
	logRetention  = 2 * time.Hour
	logGCInterval = 10 * time.Minute
)

// collectLogs removes the log directories of tasks this agent no longer
// supervises that have not been written for logRetention.
func (a *Agent) collectLogs(now time.Time) {
	entries, err := os.ReadDir(a.opts.LogDir)
	if err != nil {
		return
	}
	a.mu.Lock()
	live := map[string]bool{}
	for _, r := range a.runners {
		live[r.id] = true
	}
	a.mu.Unlock()
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() || live[e.Name()] || now.Sub(info.ModTime()) < logRetention {
			continue
		}
		if err := os.RemoveAll(filepath.Join(a.opts.LogDir, e.Name())); err != nil {
			a.logger.Warn("removing old task logs", "task", e.Name(), "err", err)
		}
	}
}
