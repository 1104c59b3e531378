package logs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// newClient serves the CloudWatch Logs API on 127.0.0.1:0, SigV4 checked, over a
// store in a temporary directory, and returns an aws-sdk-go-v2 client for it.
func newClient(t *testing.T) *cwl.Client {
	t.Helper()
	st, err := logstore.Open(t.TempDir(), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := logsops.New(st, logsops.Options{Region: "us-east-1", Account: "000000000000"})
	creds, err := awsproto.LoadCredentials("", "AKIDTEST:secret")
	if err != nil {
		t.Fatal(err)
	}
	router := awsproto.NewRouter(awsproto.NewVerifier(creds, []string{"us-east-1"}, nil), nil, slog.New(slog.DiscardHandler))
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: TargetPrefix, SigningName: SigningName}, New(svc, nil))
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: testutil.SDKHTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1})
}

// wantCode fails unless err is the AWS error code, with a message containing msg.
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("got %v, want %s containing %q", err, code, msg)
	}
}

// must returns v; an error fails the test (by a panic: Go cannot pass a call's
// two results on beside t).
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

func TestLogGroups(t *testing.T) {
	c := newClient(t)
	ctx := t.Context()
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("talk-service-cloudwatch"),
		Tags: map[string]string{"team": "talks"}}))
	_, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("talk-service-cloudwatch")})
	wantCode(t, err, "ResourceAlreadyExistsException", "The specified log group already exists")
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name")})
	wantCode(t, err, "InvalidParameterException", `1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern`)
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("aws/mine")})
	wantCode(t, err, "InvalidParameterException", "aws/")
	for _, n := range []string{"/ecs/a", "/ecs/b", "other"} {
		must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(n)}))
	}

	out := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/ecs/")}))
	if len(out.LogGroups) != 2 || aws.ToString(out.LogGroups[0].LogGroupName) != "/ecs/a" {
		t.Fatalf("by prefix: %+v", out.LogGroups)
	}
	g := out.LogGroups[0]
	if aws.ToString(g.Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:/ecs/a:*" ||
		aws.ToString(g.LogGroupArn) != "arn:aws:logs:us-east-1:000000000000:log-group:/ecs/a" ||
		g.RetentionInDays != nil || aws.ToInt64(g.CreationTime) == 0 || g.LogGroupClass != types.LogGroupClassStandard {
		t.Fatalf("group = %+v", g)
	}
	// Pages of one, in name order, through the SDK's paginator.
	var names []string
	p := cwl.NewDescribeLogGroupsPaginator(c, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page := must(p.NextPage(ctx))
		for _, g := range page.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
	}
	if strings.Join(names, ",") != "/ecs/a,/ecs/b,other,talk-service-cloudwatch" {
		t.Fatalf("paginated = %v", names)
	}
	pat := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("ecs")}))
	if len(pat.LogGroups) != 2 {
		t.Fatalf("by pattern: %d groups", len(pat.LogGroups))
	}
	_, err = c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("a"), LogGroupNamePattern: aws.String("b")})
	wantCode(t, err, "InvalidParameterException", "mutually exclusive")
	_, err = c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(51)})
	wantCode(t, err, "InvalidParameterException", "Member must have value less than or equal to 50")
	_, err = c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{NextToken: aws.String("garbage")})
	wantCode(t, err, "InvalidParameterException", "nextToken")

	must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("other")}))
	_, err = c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("other")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("kept"), DeletionProtectionEnabled: aws.Bool(true)}))
	_, err = c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("kept")})
	wantCode(t, err, "ValidationException", "deletion protection")
}

func TestRetentionPolicy(t *testing.T) {
	c := newClient(t)
	ctx := t.Context()
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}))
	must(c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(7)}))
	out := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{}))
	if aws.ToInt32(out.LogGroups[0].RetentionInDays) != 7 {
		t.Fatalf("retention = %v", out.LogGroups[0].RetentionInDays)
	}
	_, err := c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(2)})
	wantCode(t, err, "InvalidParameterException", "Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14,")
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("nope"), RetentionInDays: aws.Int32(1)})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	must(c.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("g")}))
	out = must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{}))
	if out.LogGroups[0].RetentionInDays != nil {
		t.Fatalf("retention after delete = %v", *out.LogGroups[0].RetentionInDays)
	}
	// Events older than the retention are rejected as expired.
	must(c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}))
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}))
	now := time.Now().UnixMilli()
	put := must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now - 3*86_400_000), Message: aws.String("old")},
			{Timestamp: aws.Int64(now), Message: aws.String("new")}}}))
	if r := put.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.ExpiredLogEventEndIndex) != 1 || r.TooOldLogEventEndIndex != nil {
		t.Fatalf("rejected = %+v", put.RejectedLogEventsInfo)
	}
}

func TestLogStreams(t *testing.T) {
	c := newClient(t)
	ctx := t.Context()
	_, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}))
	for _, s := range []string{"web/app/1", "web/app/2", "worker/1"} {
		must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(s)}))
	}
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("web/app/1")})
	wantCode(t, err, "ResourceAlreadyExistsException", "The specified log stream already exists")
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a:b")})
	wantCode(t, err, "InvalidParameterException", "Member must satisfy regular expression pattern: [^:*]*")
	now := time.Now().UnixMilli()
	for i, s := range []string{"worker/1", "web/app/1"} {
		must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(s),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now + int64(i)), Message: aws.String("x")}}}))
	}
	out := must(c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogStreamNamePrefix: aws.String("web/")}))
	if len(out.LogStreams) != 2 || aws.ToString(out.LogStreams[0].LogStreamName) != "web/app/1" {
		t.Fatalf("by prefix: %+v", out.LogStreams)
	}
	s := out.LogStreams[0]
	if aws.ToInt64(s.LastEventTimestamp) != now+1 || aws.ToInt64(s.FirstEventTimestamp) != now+1 || s.LastIngestionTime == nil ||
		aws.ToString(s.Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:web/app/1" || out.LogStreams[1].LastEventTimestamp != nil {
		t.Fatalf("stream = %+v", s)
	}
	byTime := must(c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g"),
		OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)}))
	if len(byTime.LogStreams) != 1 || aws.ToString(byTime.LogStreams[0].LogStreamName) != "web/app/1" || byTime.NextToken == nil {
		t.Fatalf("newest first: %+v", byTime.LogStreams)
	}
	next := must(c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"),
		OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1), NextToken: byTime.NextToken}))
	if aws.ToString(next.LogStreams[0].LogStreamName) != "worker/1" {
		t.Fatalf("second page: %+v", next.LogStreams)
	}
	_, err = c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: types.OrderByLastEventTime,
		LogStreamNamePrefix: aws.String("w")})
	wantCode(t, err, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
	_, err = c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogGroupIdentifier: aws.String("g")})
	wantCode(t, err, "InvalidParameterException", "mutually exclusive")
	_, err = c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("none")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	must(c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("worker/1")}))
	_, err = c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("worker/1")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func putEvents(t *testing.T, c *cwl.Client, group, stream string, ts int64, msgs ...string) {
	t.Helper()
	var evs []types.InputLogEvent
	for i, m := range msgs {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(ts + int64(i)), Message: aws.String(m)})
	}
	must(c.PutLogEvents(t.Context(), &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs}))
}

func TestPutLogEventsRules(t *testing.T) {
	c := newClient(t)
	ctx := t.Context()
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}))
	_, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(1), Message: aws.String("x")}}})
	wantCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}))
	now := time.Now().UnixMilli()
	put := func(evs ...types.InputLogEvent) (*cwl.PutLogEventsOutput, error) {
		return c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs})
	}
	ev := func(ts int64, m string) types.InputLogEvent {
		return types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(m)}
	}
	_, err = put(ev(now, "b"), ev(now-1, "a"))
	wantCode(t, err, "InvalidParameterException", "must be in chronological order")
	_, err = put(ev(now-25*3_600_000, "a"), ev(now, "b"))
	wantCode(t, err, "InvalidParameterException", "cannot span more than 24 hours")
	_, err = put(ev(now, strings.Repeat("x", 1_048_576)))
	wantCode(t, err, "InvalidParameterException", "Upload too large: 1048602 bytes exceeds limit of 1048576")
	_, err = put(ev(now, ""))
	wantCode(t, err, "InvalidParameterException", "Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1")
	out := must(put(ev(now-15*86_400_000, "too old"), ev(now, "ok"), ev(now+3*3_600_000, "too new")))
	r := out.RejectedLogEventsInfo
	if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || aws.ToInt32(r.TooNewLogEventStartIndex) != 2 || out.NextSequenceToken == nil {
		t.Fatalf("rejected = %+v", r)
	}
	got := must(c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}))
	if len(got.Events) != 1 || aws.ToString(got.Events[0].Message) != "ok" {
		t.Fatalf("stored: %+v", got.Events)
	}
}

func TestGetLogEventsTokens(t *testing.T) {
	c := newClient(t)
	ctx := t.Context()
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}))
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}))
	base := time.Now().UnixMilli() - 100
	var msgs []string
	for i := range 10 {
		msgs = append(msgs, fmt.Sprintf("m%d", i))
	}
	putEvents(t, c, "g", "s", base, msgs...)
	get := func(in *cwl.GetLogEventsInput) (*cwl.GetLogEventsOutput, []string) {
		t.Helper()
		in.LogGroupName, in.LogStreamName = aws.String("g"), aws.String("s")
		out := must(c.GetLogEvents(ctx, in))
		var got []string
		for _, e := range out.Events {
			got = append(got, aws.ToString(e.Message))
			if aws.ToInt64(e.IngestionTime) == 0 {
				t.Fatalf("event without ingestion time: %+v", e)
			}
		}
		return out, got
	}
	// By default the newest events, in ascending order.
	out, got := get(&cwl.GetLogEventsInput{Limit: aws.Int32(3)})
	if strings.Join(got, ",") != "m7,m8,m9" {
		t.Fatalf("tail = %v", got)
	}
	_, got = get(&cwl.GetLogEventsInput{Limit: aws.Int32(3), NextToken: out.NextBackwardToken})
	if strings.Join(got, ",") != "m4,m5,m6" {
		t.Fatalf("backward = %v", got)
	}
	// From the head, page by page forward, until the token comes back unchanged.
	var all []string
	in := &cwl.GetLogEventsInput{StartFromHead: aws.Bool(true), Limit: aws.Int32(4)}
	for {
		out, got := get(in)
		all = append(all, got...)
		if in.NextToken != nil && aws.ToString(out.NextForwardToken) == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = out.NextForwardToken
	}
	if strings.Join(all, ",") != strings.Join(msgs, ",") {
		t.Fatalf("forward = %v", all)
	}
	_, got = get(&cwl.GetLogEventsInput{StartFromHead: aws.Bool(true), StartTime: aws.Int64(base + 2), EndTime: aws.Int64(base + 5)})
	if strings.Join(got, ",") != "m2,m3,m4" {
		t.Fatalf("start/end = %v", got)
	}
	// New events appear behind a forward token.
	putEvents(t, c, "g", "s", base+50, "late")
	_, got = get(&cwl.GetLogEventsInput{StartFromHead: aws.Bool(true), NextToken: out.NextForwardToken})
	if strings.Join(got, ",") != "late" {
		t.Fatalf("after the forward token = %v", got)
	}
	_, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("f/nope")})
	wantCode(t, err, "InvalidParameterException", "The specified nextToken is invalid.")
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogStreamName: aws.String("s")})
	wantCode(t, err, "InvalidParameterException", "LogGroup name or LogGroup identifier")
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(10001)})
	wantCode(t, err, "InvalidParameterException", "Member must have value less than or equal to 10000")
}

func TestFilterLogEvents(t *testing.T) {
	c := newClient(t)
	ctx := t.Context()
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}))
	base := time.Now().UnixMilli() - 1000
	for _, s := range []string{"web/1", "web/2", "worker/1"} {
		must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(s)}))
	}
	putEvents(t, c, "g", "web/1", base, `{"level":"error","latency":900}`, "GET /talk 200", "ERROR boom")
	putEvents(t, c, "g", "web/2", base+1, `{"level":"info","latency":10}`, "GET /health 200")
	putEvents(t, c, "g", "worker/1", base+2, "WARN slow", "ERROR Exiting")
	filter := func(in *cwl.FilterLogEventsInput) []string {
		t.Helper()
		in.LogGroupName = aws.String("g")
		var got []string
		p := cwl.NewFilterLogEventsPaginator(c, in)
		for p.HasMorePages() {
			page := must(p.NextPage(ctx))
			for _, e := range page.Events {
				if len(aws.ToString(e.EventId)) != 56 {
					t.Fatalf("event id %q", aws.ToString(e.EventId))
				}
				got = append(got, aws.ToString(e.LogStreamName)+":"+aws.ToString(e.Message))
			}
		}
		return got
	}
	cases := []struct {
		in   *cwl.FilterLogEventsInput
		want string
	}{
		// By timestamp, then by ingestion (web/1's events were put first).
		{&cwl.FilterLogEventsInput{}, `web/1:{"level":"error","latency":900}|web/1:GET /talk 200|web/2:{"level":"info","latency":10}|web/1:ERROR boom|web/2:GET /health 200|worker/1:WARN slow|worker/1:ERROR Exiting`},
		{&cwl.FilterLogEventsInput{FilterPattern: aws.String("ERROR -Exiting")}, "web/1:ERROR boom"},
		{&cwl.FilterLogEventsInput{FilterPattern: aws.String("?WARN ?boom")}, "web/1:ERROR boom|worker/1:WARN slow"},
		{&cwl.FilterLogEventsInput{FilterPattern: aws.String(`{ $.level = "error" }`)}, `web/1:{"level":"error","latency":900}`},
		{&cwl.FilterLogEventsInput{FilterPattern: aws.String(`{ $.latency > 100 || $.level = info }`)}, `web/1:{"level":"error","latency":900}|web/2:{"level":"info","latency":10}`},
		{&cwl.FilterLogEventsInput{FilterPattern: aws.String(`[method, path, status = 2*]`)}, "web/1:GET /talk 200|web/2:GET /health 200"},
		{&cwl.FilterLogEventsInput{LogStreamNamePrefix: aws.String("web/"), FilterPattern: aws.String(`"GET /"`)}, "web/1:GET /talk 200|web/2:GET /health 200"},
		{&cwl.FilterLogEventsInput{LogStreamNames: []string{"worker/1"}, StartTime: aws.Int64(base + 3), EndTime: aws.Int64(base + 3)}, "worker/1:ERROR Exiting"},
		{&cwl.FilterLogEventsInput{Limit: aws.Int32(2), FilterPattern: aws.String("200")}, "web/1:GET /talk 200|web/2:GET /health 200"},
	}
	for _, tc := range cases {
		if got := strings.Join(filter(tc.in), "|"); got != tc.want {
			t.Errorf("filter %s / %v:\n got %s\nwant %s", aws.ToString(tc.in.FilterPattern), tc.in.LogStreamNames, got, tc.want)
		}
	}
	_, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`{ $.level = `)})
	wantCode(t, err, "InvalidParameterException", "Invalid filter pattern")
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: []string{"a"}, LogStreamNamePrefix: aws.String("a")})
	wantCode(t, err, "InvalidParameterException", "Cannot specify both logStreamNames and logStreamNamePrefix.")
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("none")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestTags(t *testing.T) {
	c := newClient(t)
	ctx := t.Context()
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:g"
	_, err := c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1"}})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"team": "x"}}))
	must(c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1", "team": "y"}}))
	list := must(c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn)}))
	if len(list.Tags) != 2 || list.Tags["team"] != "y" || list.Tags["a"] != "1" {
		t.Fatalf("tags = %v", list.Tags)
	}
	must(c.UntagResource(ctx, &cwl.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}}))
	old := must(c.ListTagsLogGroup(ctx, &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("g")}))
	if len(old.Tags) != 1 || old.Tags["team"] != "y" {
		t.Fatalf("ListTagsLogGroup = %v", old.Tags)
	}
	must(c.TagLogGroup(ctx, &cwl.TagLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"b": "2"}}))
	must(c.UntagLogGroup(ctx, &cwl.UntagLogGroupInput{LogGroupName: aws.String("g"), Tags: []string{"team"}}))
	list = must(c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn)}))
	if len(list.Tags) != 1 || list.Tags["b"] != "2" {
		t.Fatalf("tags after old-style calls = %v", list.Tags)
	}
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	_, err = c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	wantCode(t, err, "TooManyTagsException", "no more than 50 tags")
	_, err = c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:eu-west-1:000000000000:log-group:g")})
	wantCode(t, err, "ResourceNotFoundException", "does not exist")
}

// TestUnknownOperation answers an operation the API does not serve in its shape.
func TestUnknownOperation(t *testing.T) {
	c := newClient(t)
	_, err := c.StartQuery(context.Background(), &cwl.StartQueryInput{LogGroupName: aws.String("g"),
		QueryString: aws.String("fields @message"), StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	wantCode(t, err, "UnknownOperationException", "Logs_20140328.StartQuery")
}
