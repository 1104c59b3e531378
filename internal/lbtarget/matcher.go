package lbtarget

import (
	"fmt"
	"strconv"
	"strings"
)

// Matcher is an HTTP health check's success codes: "200", "200,202" or
// "200-399", as inclusive ranges.
type Matcher [][2]int

// ParseMatcher parses s, whose codes must lie in lowest..599 (ELB: 200..499
// for application, 200..599 for network target groups; the data planes take
// what the API checked, within HTTP's codes).
func ParseMatcher(s string, lowest int) (Matcher, error) {
	var m Matcher
	if s == "" {
		return m, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < lowest || b > 599 || a > b {
			return nil, fmt.Errorf("health check matcher %q: codes are %d..599, listed (200,202) or a range (200-399)", s, lowest)
		}
		m = append(m, [2]int{a, b})
	}
	return m, nil
}

// Match reports whether code is one of m's.
func (m Matcher) Match(code int) bool {
	for _, r := range m {
		if code >= r[0] && code <= r[1] {
			return true
		}
	}
	return false
}
