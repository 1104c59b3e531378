package logs

import "github.com/slipway-dev/slipway/internal/ops/logsops"

// The answers' JSON shapes, member for member as CloudWatch Logs sends them.

type logGroupOut struct {
	LogGroupName              string `json:"logGroupName"`
	CreationTime              int64  `json:"creationTime"`
	RetentionInDays           *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount         int    `json:"metricFilterCount"`
	Arn                       string `json:"arn"`
	StoredBytes               int64  `json:"storedBytes"`
	KmsKeyID                  string `json:"kmsKeyId,omitempty"`
	LogGroupClass             string `json:"logGroupClass,omitempty"`
	LogGroupArn               string `json:"logGroupArn"`
	DeletionProtectionEnabled bool   `json:"deletionProtectionEnabled,omitempty"`
}

type describeLogGroupsResp struct {
	LogGroups []logGroupOut `json:"logGroups"`
	NextToken string        `json:"nextToken,omitempty"`
}

func describeLogGroupsOut(o *logsops.DescribeLogGroupsOutput) any {
	resp := describeLogGroupsResp{LogGroups: make([]logGroupOut, 0, len(o.LogGroups)), NextToken: o.NextToken}
	for _, g := range o.LogGroups {
		resp.LogGroups = append(resp.LogGroups, logGroupOut{LogGroupName: g.LogGroupName, CreationTime: g.CreationTime,
			RetentionInDays: g.RetentionInDays, MetricFilterCount: g.MetricFilterCount, Arn: g.ARN, StoredBytes: g.StoredBytes,
			KmsKeyID: g.KMSKeyID, LogGroupClass: g.LogGroupClass, LogGroupArn: g.LogGroupARN,
			DeletionProtectionEnabled: g.DeletionProtectionEnabled})
	}
	return resp
}

type logStreamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken"`
	Arn                 string `json:"arn"`
	// StoredBytes has been reported as 0 for streams since 2019.
	StoredBytes int64 `json:"storedBytes"`
}

type describeLogStreamsResp struct {
	LogStreams []logStreamOut `json:"logStreams"`
	NextToken  string         `json:"nextToken,omitempty"`
}

func describeLogStreamsOut(o *logsops.DescribeLogStreamsOutput) any {
	resp := describeLogStreamsResp{LogStreams: make([]logStreamOut, 0, len(o.LogStreams)), NextToken: o.NextToken}
	for _, s := range o.LogStreams {
		resp.LogStreams = append(resp.LogStreams, logStreamOut{LogStreamName: s.LogStreamName, CreationTime: s.CreationTime,
			FirstEventTimestamp: s.FirstEventTimestamp, LastEventTimestamp: s.LastEventTimestamp,
			LastIngestionTime: s.LastIngestionTime, UploadSequenceToken: s.UploadSequenceToken, Arn: s.ARN})
	}
	return resp
}

type rejectedOut struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

type putLogEventsResp struct {
	NextSequenceToken     string       `json:"nextSequenceToken,omitempty"`
	RejectedLogEventsInfo *rejectedOut `json:"rejectedLogEventsInfo,omitempty"`
}

func putLogEventsOut(o *logsops.PutLogEventsOutput) any {
	resp := putLogEventsResp{NextSequenceToken: o.NextSequenceToken}
	if r := o.RejectedLogEventsInfo; r != nil {
		resp.RejectedLogEventsInfo = &rejectedOut{TooNewLogEventStartIndex: r.TooNewLogEventStartIndex,
			TooOldLogEventEndIndex: r.TooOldLogEventEndIndex, ExpiredLogEventEndIndex: r.ExpiredLogEventEndIndex}
	}
	return resp
}

type outputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type getLogEventsResp struct {
	Events            []outputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken"`
	NextBackwardToken string           `json:"nextBackwardToken"`
}

func getLogEventsOut(o *logsops.GetLogEventsOutput) any {
	resp := getLogEventsResp{Events: make([]outputLogEvent, 0, len(o.Events)),
		NextForwardToken: o.NextForwardToken, NextBackwardToken: o.NextBackwardToken}
	for _, e := range o.Events {
		resp.Events = append(resp.Events, outputLogEvent(e))
	}
	return resp
}

type filteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type filterLogEventsResp struct {
	Events []filteredLogEvent `json:"events"`
	// SearchedLogStreams has been empty since 2020.
	SearchedLogStreams []struct{} `json:"searchedLogStreams"`
	NextToken          string     `json:"nextToken,omitempty"`
}

func filterLogEventsOut(o *logsops.FilterLogEventsOutput) any {
	resp := filterLogEventsResp{Events: make([]filteredLogEvent, 0, len(o.Events)), SearchedLogStreams: []struct{}{},
		NextToken: o.NextToken}
	for _, e := range o.Events {
		resp.Events = append(resp.Events, filteredLogEvent(e))
	}
	return resp
}

type tagsOut struct {
	Tags map[string]string `json:"tags"`
}
