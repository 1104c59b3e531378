package logsops

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/logstore"
)

// PutLogEvents' and the event reads' quotas, as CloudWatch Logs documents them.
const (
	// MaxBatchBytes bounds a PutLogEvents batch: its messages' UTF-8 bytes plus
	// EventOverhead per event. It also bounds a page of events read.
	MaxBatchBytes = 1_048_576
	// MaxBatchEvents bounds the events of one PutLogEvents call.
	MaxBatchEvents = 10_000
	// MaxEventBytes bounds one event (its message plus EventOverhead).
	MaxEventBytes = 1_048_576
	// EventOverhead is what each event counts on top of its message.
	EventOverhead = logstore.EventOverhead

	maxBatchSpan = 24 * time.Hour
	tooNewAfter  = 2 * time.Hour
	tooOldBefore = 14 * 24 * time.Hour
	dayMs        = 24 * 60 * 60 * 1000
)

// PutLogEvents uploads a batch of events to a stream. Events more than 2 hours in
// the future, older than 14 days or older than the group's retention are left out
// (and reported in rejectedLogEventsInfo); the rest are stored durably before it
// returns.
func (s *Service) PutLogEvents(_ context.Context, in *PutLogEventsInput) (*PutLogEventsOutput, error) {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	v.streamName("logStreamName", in.LogStreamName, true)
	if in.LogEvents == nil {
		v.fail(nil, "logEvents", "Member must not be null")
	} else {
		v.listLen("logEvents", len(in.LogEvents), 1, MaxBatchEvents)
	}
	size := 0
	for i, e := range in.LogEvents {
		member := fmt.Sprintf("logEvents.%d.member", i+1)
		if e.Timestamp == nil {
			v.fail(nil, member+".timestamp", "Member must not be null")
		}
		v.timestamp(member+".timestamp", e.Timestamp)
		switch {
		case e.Message == nil:
			v.fail(nil, member+".message", "Member must not be null")
		case *e.Message == "":
			v.fail("", member+".message", "Member must have length greater than or equal to 1")
		default:
			size += len(*e.Message) + EventOverhead
		}
	}
	if in.SequenceToken != "" {
		v.str("sequenceToken", in.SequenceToken, 1, 0, nil, "")
	}
	if in.Entity != nil && in.Entity.KeyAttributes != nil {
		v.listLen("entity.keyAttributes", len(in.Entity.KeyAttributes), 2, maxEntityKeyAttrs)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if size > MaxBatchBytes {
		return nil, awserr.New(codeInvalidParameter, "Upload too large: %d bytes exceeds limit of %d", size, MaxBatchBytes)
	}
	for i := 1; i < len(in.LogEvents); i++ {
		if *in.LogEvents[i].Timestamp < *in.LogEvents[i-1].Timestamp {
			return nil, awserr.New(codeInvalidParameter, "Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	g, err := s.store.Group(in.LogGroupName)
	if err != nil {
		return nil, storeErr(err)
	}
	if _, err := s.store.Stream(in.LogGroupName, in.LogStreamName); err != nil {
		return nil, storeErr(err)
	}
	accepted, rejected := s.admit(in.LogEvents, g.RetentionDays)
	if len(accepted) > 1 && accepted[len(accepted)-1].Timestamp-accepted[0].Timestamp > maxBatchSpan.Milliseconds() {
		return nil, awserr.New(codeInvalidParameter, "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	if err := s.store.Append(in.LogGroupName, in.LogStreamName, accepted, nil); err != nil {
		return nil, storeErr(err)
	}
	st, err := s.store.Stream(in.LogGroupName, in.LogStreamName)
	if err != nil {
		return nil, storeErr(err)
	}
	return &PutLogEventsOutput{NextSequenceToken: sequenceToken(st), RejectedLogEventsInfo: rejected}, nil
}

// admit splits a chronological batch into the events to store and the report of
// those left out: a prefix too old (14 days) or expired (retention), a suffix too
// new (2 hours ahead).
func (s *Service) admit(events []InputLogEvent, retentionDays int) ([]logstore.Event, *RejectedLogEventsInfo) {
	now := s.nowMs()
	oldest, newest := now-tooOldBefore.Milliseconds(), now+tooNewAfter.Milliseconds()
	expiry := int64(-1)
	if retentionDays > 0 {
		expiry = now - int64(retentionDays)*dayMs
	}
	tooOld := countWhile(events, func(ts int64) bool { return ts < oldest })
	expired := countWhile(events, func(ts int64) bool { return ts < expiry })
	tooNew := len(events) - countWhileBack(events, func(ts int64) bool { return ts > newest })
	var info *RejectedLogEventsInfo
	if tooOld > 0 || expired > 0 || tooNew < len(events) {
		info = &RejectedLogEventsInfo{}
		if tooOld > 0 {
			info.TooOldLogEventEndIndex = ptr(tooOld)
		}
		if expired > 0 {
			info.ExpiredLogEventEndIndex = ptr(expired)
		}
		if tooNew < len(events) {
			info.TooNewLogEventStartIndex = ptr(tooNew)
		}
	}
	from := max(tooOld, expired)
	out := make([]logstore.Event, 0, max(tooNew-from, 0))
	for _, e := range events[from:max(tooNew, from)] {
		out = append(out, logstore.Event{Timestamp: *e.Timestamp, Message: []byte(*e.Message)})
	}
	return out, info
}

func countWhile(events []InputLogEvent, f func(int64) bool) int {
	n := 0
	for n < len(events) && f(*events[n].Timestamp) {
		n++
	}
	return n
}

func countWhileBack(events []InputLogEvent, f func(int64) bool) int {
	n := 0
	for n < len(events) && f(*events[len(events)-1-n].Timestamp) {
		n++
	}
	return n
}

// GetLogEvents reads a stream's events in timestamp order: from its start
// (startFromHead), from its end (the newest events, the default), or on from a
// token in the token's direction; each page comes in ascending order.
func (s *Service) GetLogEvents(_ context.Context, in *GetLogEventsInput) (*GetLogEventsOutput, error) {
	v := &validation{}
	v.streamName("logStreamName", in.LogStreamName, true)
	v.timestamp("startTime", in.StartTime)
	v.timestamp("endTime", in.EndTime)
	v.intRange("limit", in.Limit, 1, maxEventsLimit)
	v.nextToken("nextToken", in.NextToken)
	group, err := s.resolveGroup(v, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.Stream(group, in.LogStreamName); err != nil {
		return nil, storeErr(err)
	}
	q := logstore.Query{Group: group, Streams: []string{in.LogStreamName}, Limit: limitOr(in.Limit, maxEventsLimit),
		MaxBytes: MaxBatchBytes, After: timeBound(in.StartTime, false), Before: timeBound(in.EndTime, false)}
	q.Backward = in.StartFromHead == nil || !*in.StartFromHead
	var tokenPos *logstore.Position
	if in.NextToken != "" {
		dir, pos, err := parsePosToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		tokenPos, q.Backward = &pos, dir == 'b'
		if q.Backward && (q.Before == nil || pos.Before(*q.Before)) {
			q.Before = &pos
		} else if !q.Backward && (q.After == nil || q.After.Before(pos)) {
			q.After = &pos
		}
	}
	page, err := s.store.Read(q)
	if err != nil {
		return nil, storeErr(err)
	}
	if q.Backward {
		slices.Reverse(page.Events)
	}
	out := &GetLogEventsOutput{Events: make([]OutputLogEvent, 0, len(page.Events))}
	for _, e := range page.Events {
		out.Events = append(out.Events, OutputLogEvent{Timestamp: e.Timestamp, Message: string(e.Message), IngestionTime: e.IngestionMs})
	}
	first, last := emptyBounds(q, tokenPos)
	if n := len(page.Events); n > 0 {
		first, last = page.Events[0].Pos, page.Events[n-1].Pos
	}
	out.NextForwardToken, out.NextBackwardToken = posToken('f', last), posToken('b', first)
	if len(page.Events) == 0 && in.NextToken != "" {
		// At the end in the token's direction: CloudWatch hands the same token back.
		if q.Backward {
			out.NextBackwardToken = in.NextToken
		} else {
			out.NextForwardToken = in.NextToken
		}
	}
	return out, nil
}

// emptyBounds are the token positions of a page without events: the token's own,
// or the range's start (so reading forward later finds every newer event).
func emptyBounds(q logstore.Query, tokenPos *logstore.Position) (first, last logstore.Position) {
	if tokenPos != nil {
		return *tokenPos, *tokenPos
	}
	p := logstore.First
	if q.After != nil {
		p = *q.After
	}
	return p, p
}
