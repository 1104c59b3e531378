package metricstore

import "time"

// Tier is one resolution the store keeps: datapoints are summed into
// buckets of Resolution, aligned to the Unix epoch, and kept for Retention.
type Tier struct {
	Resolution time.Duration
	Retention  time.Duration
}

// DefaultTiers are CloudWatch's own retention schedule: one-second data for
// three hours, one-minute data for 15 days, five-minute data for 63 days and
// one-hour data for 455 days. Every datapoint is rolled up into every tier
// as it is written (whatever its StorageResolution), so one-second data is
// there for Slipway's own analysis and for periods shortened by
// --time-scale.
var DefaultTiers = []Tier{
	{Resolution: time.Second, Retention: 3 * time.Hour},
	{Resolution: time.Minute, Retention: 15 * 24 * time.Hour},
	{Resolution: 5 * time.Minute, Retention: 63 * 24 * time.Hour},
	{Resolution: time.Hour, Retention: 455 * 24 * time.Hour},
}

// align returns the start of the tier bucket holding t, in Unix seconds.
func (t Tier) align(sec int64) int64 {
	r := int64(t.Resolution / time.Second)
	return sec - ((sec%r)+r)%r
}

func (t Tier) resSeconds() int64 { return int64(t.Resolution / time.Second) }
