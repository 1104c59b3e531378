package template

import (
	"strings"
	"testing"
)

// deepBodies are templates nested far deeper than CloudFormation allows, in
// each form the parsers see.
func deepBodies() map[string]string {
	return map[string]string{
		"flow":            "a: " + strings.Repeat("[", 400000) + strings.Repeat("]", 400000),
		"block sequences": "a:\n  " + strings.Repeat("- ", 400000) + "v\n",
		"json":            strings.Repeat(`{"a":`, 150000) + "1" + strings.Repeat("}", 150000),
	}
}

// widestNesting is size bytes of block sequences nested as deep as the YAML
// guard allows: the slowest template that reaches goccy's parser.
func widestNesting(size int) string {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(strings.Repeat("- ", maxBlockColumn/2-1) + "v\n")
	}
	return b.String()
}

// Deep nesting is refused before the YAML parser sees it (its time grows
// with the square of the nesting), whatever its form. How fast is measured
// by BenchmarkDeepNesting, not here.
func TestDeepNestingIsRefused(t *testing.T) {
	for name, body := range deepBodies() {
		_, err := Parse([]byte(body))
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		wantErr(t, err, ErrFormat, "nested more than 100 levels deep")
	}
	_, err := Parse([]byte(widestNesting(MaxTemplateBytes / 64)))
	wantErr(t, err, ErrFormat, "")
}

// BenchmarkDeepNesting measures the refusal of each deep form and the parse
// of 256 KB at the widest nesting the guard lets through (goal: far under a
// second each, so a hostile template costs no more than a normal one).
func BenchmarkDeepNesting(b *testing.B) {
	bodies := deepBodies()
	bodies["widest allowed, 256 KB"] = widestNesting(MaxTemplateBytes / 4)
	for name, body := range bodies {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Parse([]byte(body)); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
