package logfilter

import "testing"

// FuzzCompile feeds the parser arbitrary patterns and messages: it must never
// panic, a pattern that compiles must match deterministically, and a pattern that
// fails must fail with a SyntaxError.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		"", "ERROR", `?a ?b -c "d e"`, `{ $.a = "x" && ($.b > 1 || $.c IS NULL) }`,
		`[a, ..., b = 4* || b = %x%, c != "y"]`, `%^a.b$%`, `{ $.l[0].m NOT EXISTS }`, `[`, `{`, `"`,
	} {
		f.Add(seed, `{"a":"x","b":2,"l":[{"m":1}]} 404 "q r" [s t]`)
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := Compile(pattern)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Compile(%q) error %T: %v", pattern, err, err)
			}
			return
		}
		if p.Match([]byte(msg)) != p.Match([]byte(msg)) {
			t.Fatalf("%q matching %q is not deterministic", pattern, msg)
		}
	})
}
