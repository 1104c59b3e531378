package analysis

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// Thresholds decide when the new revision is clearly worse. The zero
// Thresholds are Defaults().
type Thresholds struct {
	// Off turns the analysis off.
	Off bool
	// MinRequests: the new revision's requests needed before its error
	// rate is judged.
	MinRequests int
	// Confidence of each one-sided bound (error rates and p99s), a
	// percentage above 50 and below 100.
	Confidence float64
	// MinErrorIncrease: how many percentage points higher the new error
	// rate must be, beyond significance.
	MinErrorIncrease float64
	// MinLatencySamples: latencies needed on each side to judge the p99.
	MinLatencySamples int
	// LatencyRatio and MinLatencyIncrease: the new p99's lower bound must
	// be at least this many times and this much above the old p99's
	// upper bound.
	LatencyRatio       float64
	MinLatencyIncrease time.Duration
}

// Defaults are the thresholds used unless a setting changes them: judged
// from 30 requests, bounds at 99.9999% one-sided (z = 4.75), errors at least
// one percentage point higher, p99 from 100 samples on each side, at least
// 1.5 times and 100 ms slower.
func Defaults() Thresholds {
	return Thresholds{MinRequests: 30, Confidence: 99.9999, MinErrorIncrease: 1,
		MinLatencySamples: 100, LatencyRatio: 1.5, MinLatencyIncrease: 100 * time.Millisecond}
}

func (t Thresholds) withDefaults() Thresholds {
	if t == (Thresholds{}) {
		return Defaults()
	}
	return t
}

func (t Thresholds) z() float64 { return zFor(t.Confidence / 100) }

// Tag is the service tag that sets the analysis for one service: a
// setting as Parse reads it, over the server's. ECS has no field for it,
// so it is a tag in Slipway's own namespace rather than a made-up
// deploymentConfiguration field.
const Tag = "slipway:analysis"

// CheckTags refuses a Tag among tags whose value Parse cannot read, so a
// setting is never stored and then ignored.
func CheckTags(tags []model.Tag) error {
	for _, t := range tags {
		if t.Key != Tag {
			continue
		}
		if _, err := Parse(t.Value, Defaults()); err != nil {
			return fmt.Errorf("tag %s: %w", Tag, err)
		}
	}
	return nil
}

// ErrSetting means an analysis setting could not be read.
var ErrSetting = errors.New("invalid analysis setting")

// Setting keys, as they appear in a setting ("key=value").
const (
	keyMinRequests       = "min-requests"
	keyConfidence        = "confidence"
	keyErrorIncrease     = "error-increase"
	keyMinLatencySamples = "min-latency-samples"
	keyLatencyRatio      = "latency-ratio"
	keyLatencyIncrease   = "latency-increase"
)

// Parse reads a setting over base: "off", "on", or space-separated
// key=value pairs (optionally after "on"), with keys min-requests (1 to
// 1,000,000), confidence (a percentage above 50 and below 100),
// error-increase (percentage points, 0 to 100), min-latency-samples (1 to
// 1,000,000), latency-ratio (1 to 100) and latency-increase (a Go
// duration, 0 to 60s). The syntax keeps to the characters an ECS tag value
// may hold. The empty setting is base.
func Parse(s string, base Thresholds) (Thresholds, error) {
	t := base.withDefaults()
	fields := strings.Fields(s)
	for i, f := range fields {
		switch {
		case f == "off" && len(fields) == 1:
			t.Off = true
			continue
		case f == "on" && i == 0:
			t.Off = false
			continue
		}
		key, val, ok := strings.Cut(f, "=")
		if !ok {
			return base, fmt.Errorf("%w: %q is not off, on or key=value", ErrSetting, f)
		}
		if err := t.set(key, val); err != nil {
			return base, err
		}
	}
	return t, nil
}

func (t *Thresholds) set(key, val string) error {
	bad := func(want string) error { return fmt.Errorf("%w: %s must be %s, not %q", ErrSetting, key, want, val) }
	num := func(lo, hi float64, open bool) (float64, bool) {
		f, err := strconv.ParseFloat(val, 64)
		// NaN compares false with every bound, so the range is checked as
		// "inside" rather than "not outside": NaN would otherwise pass and
		// turn every judgement off without a word.
		if err != nil || math.IsNaN(f) || !(f >= lo && f <= hi) || (open && (f == lo || f == hi)) {
			return 0, false
		}
		return f, true
	}
	count := func(dst *int) error {
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 1_000_000 {
			return bad("a whole number from 1 to 1000000")
		}
		*dst = n
		return nil
	}
	switch key {
	case keyMinRequests:
		return count(&t.MinRequests)
	case keyMinLatencySamples:
		return count(&t.MinLatencySamples)
	case keyConfidence:
		f, ok := num(50, 100, true)
		if !ok {
			return bad("a percentage above 50 and below 100")
		}
		t.Confidence = f
	case keyErrorIncrease:
		f, ok := num(0, 100, false)
		if !ok {
			return bad("percentage points from 0 to 100")
		}
		t.MinErrorIncrease = f
	case keyLatencyRatio:
		f, ok := num(1, 100, false)
		if !ok {
			return bad("a ratio from 1 to 100")
		}
		t.LatencyRatio = f
	case keyLatencyIncrease:
		d, err := time.ParseDuration(val)
		if err != nil || d < 0 || d > time.Minute {
			return bad("a duration from 0s to 60s (e.g. 100ms)")
		}
		t.MinLatencyIncrease = d
	default:
		return fmt.Errorf("%w: unknown key %q (known: %s)", ErrSetting, key,
			strings.Join([]string{keyMinRequests, keyConfidence, keyErrorIncrease, keyMinLatencySamples, keyLatencyRatio, keyLatencyIncrease}, ", "))
	}
	return nil
}

// String is the setting that Parse reads back into t.
func (t Thresholds) String() string {
	t = t.withDefaults()
	if t.Off {
		return "off"
	}
	return fmt.Sprintf("%s=%d %s=%s %s=%s %s=%d %s=%s %s=%s",
		keyMinRequests, t.MinRequests, keyConfidence, strconv.FormatFloat(t.Confidence, 'f', -1, 64),
		keyErrorIncrease, strconv.FormatFloat(t.MinErrorIncrease, 'f', -1, 64), keyMinLatencySamples, t.MinLatencySamples,
		keyLatencyRatio, strconv.FormatFloat(t.LatencyRatio, 'f', -1, 64), keyLatencyIncrease, t.MinLatencyIncrease)
}
