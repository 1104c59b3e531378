package analysis

import (
	"errors"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
)

// TestParseRefusesNonFinite: every float key refuses NaN, ±Inf and values
// outside its range, in each spelling strconv reads, both through Parse and
// through CheckTags (what CreateService and TagResource run).
func TestParseRefusesNonFinite(t *testing.T) {
	for _, key := range []string{keyConfidence, keyErrorIncrease, keyLatencyRatio} {
		for _, val := range []string{"NaN", "nan", "-NaN", "Inf", "+Inf", "-Inf", "Infinity", "-infinity", "-1", "1e300", "101"} {
			s := key + "=" + val
			if got, err := Parse(s, Defaults()); !errors.Is(err, ErrSetting) {
				t.Errorf("Parse(%q) = %+v, %v; want ErrSetting", s, got, err)
			}
			if err := CheckTags([]model.Tag{{Key: Tag, Value: s}}); !errors.Is(err, ErrSetting) {
				t.Errorf("CheckTags(%q) = %v; want ErrSetting", s, err)
			}
		}
	}
	// The bounds themselves are still read where they are closed.
	for _, s := range []string{"error-increase=0", "error-increase=100", "latency-ratio=1", "latency-ratio=100", "confidence=99.99"} {
		if _, err := Parse(s, Defaults()); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
}
