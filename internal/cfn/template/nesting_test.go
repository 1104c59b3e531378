package template

import (
	"strings"
	"testing"
	"time"
)

// Deep nesting is refused quickly, whatever its form: the YAML parser's
// time grows with the square of the nesting, and a 1 MB template must not
// cost more than a normal one.
func TestDeepNestingIsRefusedFast(t *testing.T) {
	flow := "a: " + strings.Repeat("[", 400000) + strings.Repeat("]", 400000)
	seqs := "a:\n  " + strings.Repeat("- ", 400000) + "v\n"
	var worst strings.Builder
	for worst.Len() < MaxTemplateBytes/4 {
		worst.WriteString(strings.Repeat("- ", maxBlockColumn/2-1) + "v\n")
	}
	json := strings.Repeat(`{"a":`, 150000) + "1" + strings.Repeat("}", 150000)
	for name, body := range map[string]string{"flow": flow, "block sequences": seqs, "json": json} {
		start := time.Now()
		_, err := Parse([]byte(body))
		wantErr(t, err, ErrFormat, "nested more than 100 levels deep")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: refused after %s", name, d)
		}
	}
	start := time.Now()
	_, err := Parse([]byte(worst.String()))
	wantErr(t, err, ErrFormat, "")
	t.Logf("256 KB at the widest nesting allowed: %s", time.Since(start))
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the widest nesting allowed, 256 KB of it, took %s", d)
	}
}
