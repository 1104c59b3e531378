package logsops

import (
	"context"
	"errors"

	"github.com/slipway-dev/slipway/internal/logstore"
)

// The awslogs log driver's side of the API: what the agent calls to ship a
// container's output. Unlike PutLogEvents it carries a cursor, the position in the
// container's output the events end at, stored atomically with them, so a
// restarted agent resumes shipping exactly where the store stopped.

// PrepareStream makes sure a container's log stream exists before the container
// starts, as the awslogs driver does: it creates the group first when createGroup
// (awslogs-create-group) is set. A missing group otherwise fails with
// ResourceNotFoundException, as in CloudWatch.
func (s *Service) PrepareStream(ctx context.Context, group, stream string, createGroup bool) error {
	v := &validation{}
	v.groupName("awslogs-group", group, true)
	v.streamName("logStreamName", stream, true)
	if err := v.err(); err != nil {
		return err
	}
	if createGroup {
		err := s.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: group})
		if err != nil && !errors.Is(err, logstore.ErrGroupExists) {
			return err
		}
	}
	err := s.CreateLogStream(ctx, &CreateLogStreamInput{LogGroupName: group, LogStreamName: stream})
	if err != nil && !errors.Is(err, logstore.ErrStreamExists) {
		return err
	}
	return nil
}

// Ship stores a container's events in its stream durably, with the cursor at
// their end.
func (s *Service) Ship(_ context.Context, group, stream string, events []logstore.Event, cursor []byte) error {
	return storeErr(s.store.Append(group, stream, events, cursor))
}

// ShippedCursor returns the cursor of the last Ship to a stream, nil if none.
func (s *Service) ShippedCursor(_ context.Context, group, stream string) ([]byte, error) {
	c, _, err := s.store.Cursor(group, stream)
	return c, storeErr(err)
}
