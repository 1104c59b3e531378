// Package cwops is CloudWatch's operations layer: alarms and metrics as the
// API defines them, in typed inputs and outputs, with *awserr.Error for
// everything the caller must see in CloudWatch's words. It holds no HTTP:
// the wire (internal/api/cloudwatch) decodes and encodes, and in-process
// callers (Application Auto Scaling's target tracking, CloudFormation) call
// it directly.
package cwops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/metricstore"
)

// MaxAlarms bounds the alarms of one Slipway (CloudWatch's default quota
// per Region is far higher, but each alarm costs an evaluation per minute).
const MaxAlarms = 5000

// Metrics is the metric store as the operations use it.
type Metrics interface {
	Put(samples []metricstore.Sample) error
	Flush() error
	Query(q metricstore.Query) ([]metricstore.Window, error)
	List() []metricstore.Series
}

// Options configure a Service.
type Options struct {
	Region, Account string
	Alarms          *alarms.Engine
	Metrics         Metrics
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Service runs CloudWatch's operations.
type Service struct {
	opts Options
}

// New returns a Service.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts}
}

// AlarmARN is the ARN of the alarm called name.
func (s *Service) AlarmARN(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", s.opts.Region, s.opts.Account, name)
}

// internal wraps an unexpected failure as CloudWatch's server fault.
func internal(err error) error {
	if _, ok := awserr.As(err); ok || err == nil {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &awserr.Error{Code: "InternalServiceError", Message: "Internal service error.", Status: http.StatusInternalServerError, Cause: err}
}
