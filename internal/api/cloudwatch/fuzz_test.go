package cloudwatch

import (
	"bytes"
	"encoding/json"
	"net/url"
	"reflect"
	"testing"

	"github.com/slipway-dev/slipway/internal/ops/cwops"
)

// FuzzDecode feeds arbitrary bodies, read as JSON, CBOR and a Query form,
// to every operation's input: decoding must fail cleanly, never panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"AlarmNames":["a"],"MaxRecords":5,"StartTime":1.7e9}`))
	f.Add([]byte("\xa1\x69Namespace\x63App"))
	f.Add([]byte("MetricData.member.1.MetricName=x&MetricData.member.1.Values.member.1=2&StartTime=2026-01-01T00:00:00Z"))
	f.Add([]byte(`{"MetricDataQueries":[{"Id":"a","MetricStat":{"Metric":{"Dimensions":[{"Name":1}]}}}]}`))
	h := New(cwops.New(cwops.Options{}), nil)
	inputs := []any{cwops.PutMetricDataInput{}, cwops.GetMetricDataInput{}, cwops.PutMetricAlarmInput{},
		cwops.DescribeAlarmsInput{}, cwops.GetMetricStatisticsInput{}, cwops.ListMetricsInput{}}
	f.Fuzz(func(t *testing.T, body []byte) {
		var jtree, ctree any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		jerr := dec.Decode(&jtree)
		cerr := h.cbor.dec.Unmarshal(body, &ctree)
		values, qerr := url.ParseQuery(string(body))
		for _, in := range inputs {
			typ := reflect.TypeOf(in)
			if jerr == nil {
				_ = assign(jtree, reflect.New(typ).Elem(), "")
			}
			if cerr == nil {
				_ = assign(ctree, reflect.New(typ).Elem(), "")
			}
			if qerr == nil {
				v := reflect.New(typ).Elem()
				fm := newForm(values)
				for i := 0; i < v.NumField(); i++ {
					_ = decodeForm(fm, typ.Field(i).Name, v.Field(i))
				}
			}
		}
	})
}
