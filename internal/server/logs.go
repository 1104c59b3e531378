package server

import (
	"context"
	"path/filepath"

	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
)

// cloudwatchLogsDir holds the CloudWatch Logs store in the data directory (the
// containers' own files are in logsDir).
const cloudwatchLogsDir = "cloudwatch-logs"

// openLogs opens the CloudWatch Logs store and its operations, and runs its
// retention until ctx ends.
func (s *Server) openLogs(ctx context.Context) error {
	st, err := logstore.Open(filepath.Join(s.cfg.DataDir, cloudwatchLogsDir),
		logstore.Options{MaxBytes: s.cfg.LogsMaxBytes, Logger: s.cfg.Logger})
	if err != nil {
		return err
	}
	s.logs = st
	s.logsOps = logsops.New(st, logsops.Options{Region: s.cfg.Region, Account: s.cfg.Account, Logger: s.cfg.Logger})
	s.wg.Add(1)
	go func() { defer s.wg.Done(); _ = st.Run(ctx) }()
	return nil
}

// LogsUsage returns the bytes the CloudWatch Logs store takes and its bound.
func (s *Server) LogsUsage() (bytes, bound int64) { return s.logs.Usage() }
