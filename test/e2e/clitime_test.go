package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// cliTime is a timestamp as the AWS CLI prints it: CLI 1.x passes on the
// wire's epoch seconds, CLI 2 prints ISO 8601 by default. Tests compare
// both as epoch seconds.
type cliTime float64

func (c *cliTime) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*c = cliTime(f)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp %s: %w", b, err)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp %s: %w", b, err)
	}
	*c = cliTime(float64(t.UnixNano()) / 1e9)
	return nil
}

func TestCLITimeReadsBothCLIFormats(t *testing.T) {
	for _, in := range []string{`1795417101.367`, `"2026-11-23T06:58:21.367000+00:00"`, `"2026-11-23T06:58:21.367Z"`} {
		var c cliTime
		if err := json.Unmarshal([]byte(in), &c); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if c < 1.7e9 {
			t.Fatalf("%s read as %v", in, c)
		}
	}
	var c cliTime
	if err := json.Unmarshal([]byte(`"yesterday"`), &c); err == nil {
		t.Fatal("a word was read as a timestamp")
	}
}
