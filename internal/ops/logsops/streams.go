package logsops

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/logstore"
)

// Stream orders of DescribeLogStreams.
const (
	orderByName      = "LogStreamName"
	orderByEventTime = "LastEventTime"
)

// CreateLogStream creates a log stream in a group.
func (s *Service) CreateLogStream(_ context.Context, in *CreateLogStreamInput) error {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	v.streamName("logStreamName", in.LogStreamName, true)
	if err := v.err(); err != nil {
		return err
	}
	return storeErr(s.store.CreateStream(in.LogGroupName, in.LogStreamName))
}

// DeleteLogStream deletes a log stream and its events.
func (s *Service) DeleteLogStream(_ context.Context, in *DeleteLogStreamInput) error {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	v.streamName("logStreamName", in.LogStreamName, true)
	if err := v.err(); err != nil {
		return err
	}
	return storeErr(s.store.DeleteStream(in.LogGroupName, in.LogStreamName))
}

// DescribeLogStreams lists a group's streams by name or by last event time.
func (s *Service) DescribeLogStreams(_ context.Context, in *DescribeLogStreamsInput) (*DescribeLogStreamsOutput, error) {
	v := &validation{}
	v.streamName("logStreamNamePrefix", in.LogStreamNamePrefix, false)
	v.enum("orderBy", in.OrderBy, []string{orderByName, orderByEventTime})
	v.intRange("limit", in.Limit, 1, maxDescribeLimit)
	v.nextToken("nextToken", in.NextToken)
	group, err := s.resolveGroup(v, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	byTime := in.OrderBy == orderByEventTime
	if byTime && in.LogStreamNamePrefix != "" {
		return nil, awserr.New(codeInvalidParameter, "Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	after := ""
	if in.NextToken != "" {
		if after, err = parseNameToken(in.NextToken); err != nil {
			return nil, err
		}
	}
	streams, err := s.store.Streams(group)
	if err != nil {
		return nil, storeErr(err)
	}
	// key sorts streams in the requested order; tokens carry the last key returned.
	key := func(st logstore.StreamInfo) string { return st.Name }
	if byTime {
		key = func(st logstore.StreamInfo) string {
			return fmt.Sprintf("%020d/%s", uint64(st.LastEventMs)+1<<63, st.Name)
		}
		slices.SortFunc(streams, func(a, b logstore.StreamInfo) int { return strings.Compare(key(a), key(b)) })
	}
	desc := in.Descending != nil && *in.Descending
	if desc {
		slices.Reverse(streams)
	}
	limit := limitOr(in.Limit, maxDescribeLimit)
	out := &DescribeLogStreamsOutput{LogStreams: []LogStream{}}
	lastKey := ""
	for _, st := range streams {
		k := key(st)
		if after != "" && (!desc && k <= after || desc && k >= after) || !strings.HasPrefix(st.Name, in.LogStreamNamePrefix) {
			continue
		}
		if len(out.LogStreams) == limit {
			out.NextToken = nameToken(lastKey)
			break
		}
		out.LogStreams = append(out.LogStreams, s.logStream(group, st))
		lastKey = k
	}
	return out, nil
}

func (s *Service) logStream(group string, st logstore.StreamInfo) LogStream {
	ls := LogStream{LogStreamName: st.Name, CreationTime: st.CreatedMs, ARN: s.StreamARN(group, st.Name),
		UploadSequenceToken: sequenceToken(st)}
	if st.HasEvents {
		ls.FirstEventTimestamp, ls.LastEventTimestamp, ls.LastIngestionTime =
			ptr(st.FirstEventMs), ptr(st.LastEventMs), ptr(st.LastIngestionMs)
	}
	return ls
}

// sequenceToken is the (ignored) upload sequence token CloudWatch still reports: a
// decimal number that grows with each ingestion.
func sequenceToken(st logstore.StreamInfo) string {
	return fmt.Sprintf("49%054d", max(st.LastIngestionMs, st.CreatedMs))
}
