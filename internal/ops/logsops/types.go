package logsops

// Inputs and outputs of the operations, named and shaped as in the CloudWatch Logs
// API reference. Timestamps are milliseconds since the epoch, as on the wire.
// Optional members are pointers (or empty strings and nil slices where the API
// gives the empty value no meaning of its own).

// Tags are a resource's tags.
type Tags = map[string]string

// CreateLogGroupInput is CreateLogGroup's input.
type CreateLogGroupInput struct {
	LogGroupName              string
	KMSKeyID                  string
	Tags                      Tags
	LogGroupClass             string
	DeletionProtectionEnabled *bool
	// systemTags are set only in process (SetSystemTags): the wire decoder
	// cannot reach an unexported field.
	systemTags Tags
}

// SetSystemTags sets the tags with the reserved aws: prefix that an
// in-process caller adds to the new log group (CloudFormation's;
// model.ValidateSystemTags). They do not count against the tag quota.
func (in *CreateLogGroupInput) SetSystemTags(tags Tags) { in.systemTags = tags }

// DescribeLogGroupsInput is DescribeLogGroups' input.
type DescribeLogGroupsInput struct {
	LogGroupNamePrefix    string
	LogGroupNamePattern   string
	LogGroupIdentifiers   []string
	LogGroupClass         string
	IncludeLinkedAccounts *bool
	AccountIdentifiers    []string
	NextToken             string
	Limit                 *int
}

// LogGroup is one log group as DescribeLogGroups describes it.
type LogGroup struct {
	LogGroupName              string
	CreationTime              int64
	RetentionInDays           *int
	MetricFilterCount         int
	ARN                       string
	LogGroupARN               string
	StoredBytes               int64
	KMSKeyID                  string
	LogGroupClass             string
	DeletionProtectionEnabled bool
}

// DescribeLogGroupsOutput is DescribeLogGroups' output.
type DescribeLogGroupsOutput struct {
	LogGroups []LogGroup
	NextToken string
}

// DeleteLogGroupInput is DeleteLogGroup's input.
type DeleteLogGroupInput struct{ LogGroupName string }

// PutRetentionPolicyInput is PutRetentionPolicy's input.
type PutRetentionPolicyInput struct {
	LogGroupName    string
	RetentionInDays *int
}

// DeleteRetentionPolicyInput is DeleteRetentionPolicy's input.
type DeleteRetentionPolicyInput struct{ LogGroupName string }

// CreateLogStreamInput is CreateLogStream's input.
type CreateLogStreamInput struct{ LogGroupName, LogStreamName string }

// DeleteLogStreamInput is DeleteLogStream's input.
type DeleteLogStreamInput struct{ LogGroupName, LogStreamName string }

// DescribeLogStreamsInput is DescribeLogStreams' input.
type DescribeLogStreamsInput struct {
	LogGroupName        string
	LogGroupIdentifier  string
	LogStreamNamePrefix string
	OrderBy             string
	Descending          *bool
	NextToken           string
	Limit               *int
}

// LogStream is one log stream as DescribeLogStreams describes it. The event times
// are nil for a stream without events.
type LogStream struct {
	LogStreamName       string
	CreationTime        int64
	FirstEventTimestamp *int64
	LastEventTimestamp  *int64
	LastIngestionTime   *int64
	UploadSequenceToken string
	ARN                 string
}

// DescribeLogStreamsOutput is DescribeLogStreams' output.
type DescribeLogStreamsOutput struct {
	LogStreams []LogStream
	NextToken  string
}

// InputLogEvent is one event given to PutLogEvents; both members are required.
type InputLogEvent struct {
	Timestamp *int64
	Message   *string
}

// PutLogEventsInput is PutLogEvents' input. SequenceToken is accepted and, as in
// CloudWatch Logs today, not checked. Entity associates the events with telemetry
// entities, which have no meaning here: it is validated and otherwise unused.
type PutLogEventsInput struct {
	LogGroupName  string
	LogStreamName string
	LogEvents     []InputLogEvent
	SequenceToken string
	Entity        *Entity
}

// Entity is PutLogEvents' entity.
type Entity struct {
	KeyAttributes map[string]string
	Attributes    map[string]string
}

// RejectedLogEventsInfo says which events PutLogEvents left out.
type RejectedLogEventsInfo struct {
	TooNewLogEventStartIndex *int
	TooOldLogEventEndIndex   *int
	ExpiredLogEventEndIndex  *int
}

// PutLogEventsOutput is PutLogEvents' output.
type PutLogEventsOutput struct {
	NextSequenceToken     string
	RejectedLogEventsInfo *RejectedLogEventsInfo
}

// GetLogEventsInput is GetLogEvents' input. Unmask is accepted: nothing is ever
// masked here.
type GetLogEventsInput struct {
	LogGroupName       string
	LogGroupIdentifier string
	LogStreamName      string
	StartTime          *int64
	EndTime            *int64
	NextToken          string
	Limit              *int
	StartFromHead      *bool
	Unmask             *bool
}

// OutputLogEvent is one event GetLogEvents returns.
type OutputLogEvent struct {
	Timestamp     int64
	Message       string
	IngestionTime int64
}

// GetLogEventsOutput is GetLogEvents' output.
type GetLogEventsOutput struct {
	Events            []OutputLogEvent
	NextForwardToken  string
	NextBackwardToken string
}

// FilterLogEventsInput is FilterLogEvents' input. Interleaved is deprecated and,
// as in CloudWatch Logs, always true in effect; Unmask as in GetLogEvents.
type FilterLogEventsInput struct {
	LogGroupName        string
	LogGroupIdentifier  string
	LogStreamNames      []string
	LogStreamNamePrefix string
	StartTime           *int64
	EndTime             *int64
	FilterPattern       *string
	NextToken           string
	Limit               *int
	Interleaved         *bool
	Unmask              *bool
}

// FilteredLogEvent is one event FilterLogEvents returns.
type FilteredLogEvent struct {
	LogStreamName string
	Timestamp     int64
	Message       string
	IngestionTime int64
	EventID       string
}

// FilterLogEventsOutput is FilterLogEvents' output. SearchedLogStreams is always
// empty, as CloudWatch Logs has sent it since 2020.
type FilterLogEventsOutput struct {
	Events    []FilteredLogEvent
	NextToken string
}

// TagResourceInput is TagResource's input.
type TagResourceInput struct {
	ResourceARN string
	Tags        Tags
}

// UntagResourceInput is UntagResource's input.
type UntagResourceInput struct {
	ResourceARN string
	TagKeys     []string
}

// ListTagsForResourceInput is ListTagsForResource's input.
type ListTagsForResourceInput struct{ ResourceARN string }

// ListTagsForResourceOutput is ListTagsForResource's output.
type ListTagsForResourceOutput struct{ Tags Tags }

// TagLogGroupInput is the deprecated TagLogGroup's input.
type TagLogGroupInput struct {
	LogGroupName string
	Tags         Tags
}

// UntagLogGroupInput is the deprecated UntagLogGroup's input.
type UntagLogGroupInput struct {
	LogGroupName string
	Tags         []string
}

// ListTagsLogGroupInput is the deprecated ListTagsLogGroup's input.
type ListTagsLogGroupInput struct{ LogGroupName string }

// ListTagsLogGroupOutput is the deprecated ListTagsLogGroup's output.
type ListTagsLogGroupOutput struct{ Tags Tags }
