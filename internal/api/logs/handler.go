// Package logs serves the Amazon CloudWatch Logs API (JSON 1.1, target prefix
// Logs_20140328) over the typed operations of package logsops: it decodes each
// request into the operation's input, calls it, and encodes the output or the
// *awserr.Error in CloudWatch's JSON shapes. It holds no logic of its own.
package logs

import (
	"log/slog"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
)

// TargetPrefix is the X-Amz-Target prefix of CloudWatch Logs operations;
// SigningName is the service its requests are signed for. Register the handler
// with router.HandleJSON(awsproto.JSONAPI{TargetPrefix: logs.TargetPrefix,
// SigningName: logs.SigningName}, handler).
const (
	TargetPrefix = "Logs_20140328"
	SigningName  = "logs"
)

// serverFault is the code of errors that are the service's fault.
const serverFault = "ServiceUnavailableException"

// Handler serves CloudWatch Logs operations.
type Handler struct {
	awsproto.JSONHandler
}

// New returns the handler over the operations svc.
func New(svc *logsops.Service, logger *slog.Logger) *Handler {
	ops := map[string]awsproto.JSONOp{
		"CreateLogGroup":        awsproto.NoOutput(svc.CreateLogGroup),
		"DescribeLogGroups":     awsproto.Op(svc.DescribeLogGroups, describeLogGroupsOut),
		"DeleteLogGroup":        awsproto.NoOutput(svc.DeleteLogGroup),
		"PutRetentionPolicy":    awsproto.NoOutput(svc.PutRetentionPolicy),
		"DeleteRetentionPolicy": awsproto.NoOutput(svc.DeleteRetentionPolicy),
		"CreateLogStream":       awsproto.NoOutput(svc.CreateLogStream),
		"DeleteLogStream":       awsproto.NoOutput(svc.DeleteLogStream),
		"DescribeLogStreams":    awsproto.Op(svc.DescribeLogStreams, describeLogStreamsOut),
		"PutLogEvents":          awsproto.Op(svc.PutLogEvents, putLogEventsOut),
		"GetLogEvents":          awsproto.Op(svc.GetLogEvents, getLogEventsOut),
		"FilterLogEvents":       awsproto.Op(svc.FilterLogEvents, filterLogEventsOut),
		"TagResource":           awsproto.NoOutput(svc.TagResource),
		"UntagResource":         awsproto.NoOutput(svc.UntagResource),
		"ListTagsForResource":   awsproto.Op(svc.ListTagsForResource, func(o *logsops.ListTagsForResourceOutput) any { return tagsOut{o.Tags} }),
		"TagLogGroup":           awsproto.NoOutput(svc.TagLogGroup),
		"UntagLogGroup":         awsproto.NoOutput(svc.UntagLogGroup),
		"ListTagsLogGroup":      awsproto.Op(svc.ListTagsLogGroup, func(o *logsops.ListTagsLogGroupOutput) any { return tagsOut{o.Tags} }),
	}
	return &Handler{awsproto.JSONHandler{TargetPrefix: TargetPrefix, Ops: ops, ServerFault: serverFault, Logger: logger}}
}
