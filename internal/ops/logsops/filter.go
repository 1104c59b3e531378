package logsops

import (
	"context"
	"errors"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/logfilter"
	"github.com/slipway-dev/slipway/internal/logstore"
)

// MaxScannedPerPage bounds the events one FilterLogEvents call examines, so a
// selective pattern over much data answers in bounded time; the page may then hold
// fewer events than the limit, or none, and a nextToken to go on (as CloudWatch
// documents: "A returned page might only be partially full, or even empty").
const MaxScannedPerPage = 100_000

// FilterLogEvents returns a group's events that match a filter pattern, from all
// its streams or the named ones, in timestamp order; startTime and endTime are
// inclusive. A nextToken is returned while there may be more.
func (s *Service) FilterLogEvents(_ context.Context, in *FilterLogEventsInput) (*FilterLogEventsOutput, error) {
	v := &validation{}
	if in.LogStreamNames != nil {
		v.listLen("logStreamNames", len(in.LogStreamNames), 1, maxStreamNames)
		for _, name := range in.LogStreamNames {
			v.streamName("logStreamNames.member", name, true)
		}
	}
	v.streamName("logStreamNamePrefix", in.LogStreamNamePrefix, false)
	v.timestamp("startTime", in.StartTime)
	v.timestamp("endTime", in.EndTime)
	if in.FilterPattern != nil {
		v.str("filterPattern", *in.FilterPattern, 0, maxFilterPattern, nil, "")
	}
	v.intRange("limit", in.Limit, 1, maxEventsLimit)
	v.nextToken("nextToken", in.NextToken)
	group, err := s.resolveGroup(v, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != "" {
		return nil, awserr.New(codeInvalidParameter, "Cannot specify both logStreamNames and logStreamNamePrefix.")
	}
	q := logstore.Query{Group: group, Streams: in.LogStreamNames, Prefix: in.LogStreamNamePrefix,
		Limit: limitOr(in.Limit, maxEventsLimit), MaxBytes: MaxBatchBytes, MaxScan: MaxScannedPerPage,
		After: timeBound(in.StartTime, false), Before: timeBound(in.EndTime, true)}
	if in.FilterPattern != nil {
		p, err := logfilter.Compile(*in.FilterPattern)
		if err != nil {
			var se *logfilter.SyntaxError
			if errors.As(err, &se) {
				return nil, awserr.Wrap(err, codeInvalidParameter, "Invalid filter pattern: %s", se.Msg)
			}
			return nil, err
		}
		q.Match = p.Match
	}
	if in.NextToken != "" {
		dir, pos, err := parsePosToken(in.NextToken)
		if err != nil || dir != 'f' {
			return nil, errBadToken
		}
		if q.After == nil || q.After.Before(pos) {
			q.After = &pos
		}
	}
	page, err := s.store.Read(q)
	if err != nil {
		return nil, storeErr(err)
	}
	out := &FilterLogEventsOutput{Events: make([]FilteredLogEvent, 0, len(page.Events))}
	for _, e := range page.Events {
		out.Events = append(out.Events, FilteredLogEvent{LogStreamName: e.Stream, Timestamp: e.Timestamp,
			Message: string(e.Message), IngestionTime: e.IngestionMs, EventID: e.Pos.EventID()})
	}
	if page.More {
		out.NextToken = posToken('f', page.Last)
	}
	return out, nil
}
