// Package logsops is the typed operations layer of the CloudWatch Logs API: log
// groups, streams, events, retention and tags, with CloudWatch's validation,
// quotas, pagination and errors (*awserr.Error, in CloudWatch's codes and words).
// It knows nothing of HTTP: the wire (internal/api/logs) decodes requests into
// these inputs and encodes the outputs, and in-process callers (the agent's awslogs
// driver, CloudFormation, the console) call it directly. Events live in a
// logstore.Store.
package logsops

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/logstore"
)

// Store is what the operations need of the log store; *logstore.Store implements it.
type Store interface {
	CreateGroup(logstore.GroupSettings) error
	Group(name string) (logstore.GroupInfo, error)
	Groups() []logstore.GroupInfo
	UpdateGroup(name string, fn func(*logstore.GroupSettings) error) error
	DeleteGroup(name string) error
	CreateStream(group, name string) error
	DeleteStream(group, name string) error
	Streams(group string) ([]logstore.StreamInfo, error)
	Stream(group, name string) (logstore.StreamInfo, error)
	Append(group, name string, events []logstore.Event, cursor []byte) error
	Cursor(group, name string) ([]byte, bool, error)
	Read(q logstore.Query) (logstore.Page, error)
}

// Options configure a Service.
type Options struct {
	// Region and Account go into ARNs.
	Region, Account string
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Service runs the CloudWatch Logs operations.
type Service struct {
	store  Store
	region string
	acct   string
	now    func() time.Time
	log    *slog.Logger
}

// New returns the operations over store.
func New(store Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, region: opts.Region, acct: opts.Account, now: opts.Now,
		log: opts.Logger.With("component", "logs")}
}

// MaxLogGroups is CloudWatch's quota of log groups per account and region.
const MaxLogGroups = 1_000_000

// Errors in CloudWatch's words.
var (
	errGroupNotFound  = awserr.Wrap(logstore.ErrGroupNotFound, codeNotFound, "The specified log group does not exist.")
	errStreamNotFound = awserr.Wrap(logstore.ErrStreamNotFound, codeNotFound, "The specified log stream does not exist.")
	errGroupExists    = awserr.Wrap(logstore.ErrGroupExists, codeAlreadyExists, "The specified log group already exists")
	errStreamExists   = awserr.Wrap(logstore.ErrStreamExists, codeAlreadyExists, "The specified log stream already exists")
	errBadToken       = awserr.New(codeInvalidParameter, "The specified nextToken is invalid.")
)

// storeErr classifies a store error; unclassified ones are server faults.
func storeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, logstore.ErrGroupNotFound):
		return errGroupNotFound
	case errors.Is(err, logstore.ErrStreamNotFound):
		return errStreamNotFound
	case errors.Is(err, logstore.ErrGroupExists):
		return errGroupExists
	case errors.Is(err, logstore.ErrStreamExists):
		return errStreamExists
	}
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return err
	}
	return &awserr.Error{Code: "ServiceUnavailableException", Message: "The service cannot complete the request: " + err.Error(),
		Status: 500, Cause: err}
}

// GroupARN is a group's ARN with the trailing ":*" (the "arn" member).
func (s *Service) GroupARN(name string) string { return s.GroupARNBare(name) + ":*" }

// GroupARNBare is a group's ARN without ":*" (logGroupArn, and the tagging APIs').
func (s *Service) GroupARNBare(name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", s.region, s.acct, name)
}

// StreamARN is a stream's ARN.
func (s *Service) StreamARN(group, stream string) string {
	return s.GroupARNBare(group) + ":log-stream:" + stream
}

// groupFromARN returns the group name an ARN of this account and region names
// (with or without ":*"); ok is false for anything else.
func (s *Service) groupFromARN(arn string) (string, bool) {
	name, ok := strings.CutPrefix(arn, fmt.Sprintf("arn:aws:logs:%s:%s:log-group:", s.region, s.acct))
	if !ok {
		return "", false
	}
	name = strings.TrimSuffix(name, ":*")
	return name, name != "" && !strings.Contains(name, ":")
}

// resolveGroup applies the logGroupName / logGroupIdentifier rule, after the
// other members were validated into v: exactly one is given; an identifier is a
// name or an ARN.
func (s *Service) resolveGroup(v *validation, name, ident string) (string, error) {
	v.groupName("logGroupName", name, false)
	if ident != "" {
		v.str("logGroupIdentifier", ident, 1, maxIdentLen, reGroupIdent, patGroupIdent)
	}
	if err := v.err(); err != nil {
		return "", err
	}
	switch {
	case name != "" && ident != "":
		return "", awserr.New(codeInvalidParameter, "LogGroup name and LogGroup identifier are mutually exclusive parameters.")
	case name == "" && ident == "":
		return "", awserr.New(codeInvalidParameter, "Either LogGroup name or LogGroup identifier must be specified.")
	case ident == "":
		return name, nil
	}
	if g, ok := s.groupFromARN(ident); ok {
		return g, nil
	}
	if strings.HasPrefix(ident, "arn:") {
		return "", errGroupNotFound
	}
	return ident, nil
}

func (s *Service) nowMs() int64 { return s.now().UnixMilli() }

func ptr[T any](v T) *T { return &v }
