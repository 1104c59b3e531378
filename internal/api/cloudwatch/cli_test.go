package cloudwatch

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// The CLIs here: the AWS CLI v1 (pip, `aws`) sends JSON 1.0; Debian's v2.9
// (/usr/bin/aws) sends the Query protocol.
var clis = []struct{ name, path string }{{"v1", "aws"}, {"v2", "/usr/bin/aws"}}

type cli struct {
	t        *testing.T
	path     string
	endpoint string
	home     string
}

func (c cli) run(args ...string) (map[string]any, string, error) {
	c.t.Helper()
	cmd := exec.Command(c.path, append([]string{"--endpoint-url", c.endpoint, "--region", "us-east-1", "--output", "json", "cloudwatch"}, args...)...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "HOME="+c.home, "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_PAGER=",
		"AWS_CONFIG_FILE="+filepath.Join(c.home, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(c.home, "none"), "AWS_MAX_ATTEMPTS=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var v map[string]any
	if out.Len() > 0 {
		_ = json.Unmarshal(out.Bytes(), &v)
	}
	return v, errb.String(), err
}

func (c cli) ok(args ...string) map[string]any {
	c.t.Helper()
	v, stderr, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("aws cloudwatch %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return v
}

func (c cli) fails(code string, args ...string) {
	c.t.Helper()
	_, stderr, err := c.run(args...)
	if err == nil || !strings.Contains(stderr, "("+code+")") {
		c.t.Errorf("aws cloudwatch %s: %v %q, want error %s", strings.Join(args, " "), err, stderr, code)
	}
}

// TestCLIs runs every operation through both AWS CLIs, with errors.
func TestCLIs(t *testing.T) {
	for _, c := range clis {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath(c.path); err != nil {
				testutil.RequireInCI(t, "the AWS CLI "+c.name)
			}
			f := newFixture(t, 1)
			cl := cli{t: t, path: c.path, endpoint: f.url, home: t.TempDir()}
			now := time.Now().UTC()
			ts := now.Add(-90 * time.Second).Format(time.RFC3339)
			cl.ok("put-metric-data", "--namespace", "App", "--metric-name", "Latency", "--dimensions", "Service=web",
				"--unit", "Seconds", "--value", "0.25", "--timestamp", ts)
			cl.ok("put-metric-data", "--namespace", "App", "--metric-data",
				`[{"MetricName":"Latency","Dimensions":[{"Name":"Service","Value":"web"}],"Unit":"Seconds","Values":[0.5,1.0],"Counts":[2,1],"Timestamp":"`+ts+`"}]`)
			st := cl.ok("get-metric-statistics", "--namespace", "App", "--metric-name", "Latency", "--dimensions", "Name=Service,Value=web",
				"--start-time", now.Add(-10*time.Minute).Format(time.RFC3339), "--end-time", now.Format(time.RFC3339),
				"--period", "600", "--statistics", "SampleCount", "Maximum", "--extended-statistics", "p50")
			dps, _ := st["Datapoints"].([]any)
			if len(dps) != 1 {
				t.Fatalf("datapoints %v", st)
			}
			dp := dps[0].(map[string]any)
			if dp["SampleCount"] != 4.0 || dp["Maximum"] != 1.0 || dp["Unit"] != "Seconds" || dp["ExtendedStatistics"].(map[string]any)["p50"] == nil {
				t.Errorf("datapoint %v", dp)
			}
			lm := cl.ok("list-metrics", "--namespace", "App")
			if ms, _ := lm["Metrics"].([]any); len(ms) != 1 {
				t.Errorf("list-metrics %v", lm)
			}
			md := cl.ok("get-metric-data", "--start-time", now.Add(-10*time.Minute).Format(time.RFC3339), "--end-time", now.Format(time.RFC3339),
				"--metric-data-queries", `[{"Id":"m","MetricStat":{"Metric":{"Namespace":"App","MetricName":"Latency","Dimensions":[{"Name":"Service","Value":"web"}]},"Period":60,"Stat":"Sum"},"ReturnData":false},{"Id":"e","Expression":"m * 2"}]`)
			res := md["MetricDataResults"].([]any)[0].(map[string]any)
			if vals := res["Values"].([]any); len(vals) != 1 || vals[0] != 4.5 || res["Id"] != "e" {
				t.Errorf("get-metric-data %v", md)
			}
			// The alarm watches a metric with no data: it stays INSUFFICIENT_DATA
			// until set-alarm-state.
			cl.ok("put-metric-alarm", "--alarm-name", "web-latency", "--namespace", "App", "--metric-name", "Quiet",
				"--dimensions", "Name=Service,Value=web", "--extended-statistic", "p99", "--period", "60", "--evaluation-periods", "2",
				"--datapoints-to-alarm", "1", "--threshold", "0.8", "--comparison-operator", "GreaterThanThreshold",
				"--treat-missing-data", "missing", "--alarm-actions", "arn:aws:sns:us-east-1:000000000000:pager",
				"--tags", "Key=team,Value=web")
			da := cl.ok("describe-alarms", "--alarm-names", "web-latency")
			a := da["MetricAlarms"].([]any)[0].(map[string]any)
			if a["ExtendedStatistic"] != "p99" || a["StateValue"] != "INSUFFICIENT_DATA" || a["Threshold"] != 0.8 || a["DatapointsToAlarm"] != 1.0 ||
				a["AlarmActions"].([]any)[0] != "arn:aws:sns:us-east-1:000000000000:pager" || a["TreatMissingData"] != "missing" {
				t.Errorf("alarm %v", a)
			}
			fm := cl.ok("describe-alarms-for-metric", "--namespace", "App", "--metric-name", "Quiet", "--dimensions", "Name=Service,Value=web")
			if len(fm["MetricAlarms"].([]any)) != 1 {
				t.Errorf("describe-alarms-for-metric %v", fm)
			}
			cl.ok("set-alarm-state", "--alarm-name", "web-latency", "--state-value", "ALARM", "--state-reason", "drill")
			cl.ok("disable-alarm-actions", "--alarm-names", "web-latency")
			cl.ok("enable-alarm-actions", "--alarm-names", "web-latency")
			h := cl.ok("describe-alarm-history", "--alarm-name", "web-latency", "--history-item-type", "StateUpdate")
			items := h["AlarmHistoryItems"].([]any)
			if len(items) == 0 || items[len(items)-1].(map[string]any)["HistorySummary"] != "Alarm updated from INSUFFICIENT_DATA to ALARM" {
				t.Errorf("history %v", h)
			}
			arn := "arn:aws:cloudwatch:us-east-1:000000000000:alarm:web-latency"
			cl.ok("tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=prod")
			cl.ok("untag-resource", "--resource-arn", arn, "--tag-keys", "team")
			tags := cl.ok("list-tags-for-resource", "--resource-arn", arn)
			if tl := tags["Tags"].([]any); len(tl) != 1 || tl[0].(map[string]any)["Key"] != "env" {
				t.Errorf("tags %v", tags)
			}
			cl.fails("ResourceNotFound", "set-alarm-state", "--alarm-name", "nope", "--state-value", "OK", "--state-reason", "x")
			cl.fails("InvalidParameterValue", "put-metric-data", "--namespace", "AWS/ECS", "--metric-name", "x", "--value", "1")
			cl.fails("ValidationError", "put-metric-alarm", "--alarm-name", "x", "--namespace", "App", "--metric-name", "Latency",
				"--statistic", "Average", "--period", "45", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "GreaterThanThreshold")
			cl.fails("ResourceNotFoundException", "list-tags-for-resource", "--resource-arn", arn+"x")
			cl.ok("delete-alarms", "--alarm-names", "web-latency")
			cl.fails("ResourceNotFound", "delete-alarms", "--alarm-names", "web-latency")
			if da := cl.ok("describe-alarms"); len(da["MetricAlarms"].([]any)) != 0 {
				t.Errorf("alarms left: %v", da)
			}
		})
	}
}
