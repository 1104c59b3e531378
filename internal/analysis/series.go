package analysis

import "time"

// Point is one reading of both revisions' cumulative counts (since their
// data plane started) at one time.
type Point struct {
	At       time.Time
	Old, New Counts
}

// Series keeps the readings of one deployment and makes the window the
// judgement runs over: from the first reading (the analysis starts once
// the new revision has production traffic), or from the oldest reading
// within MaxAge of the last, to the last. Its readings are bounded by
// MaxPoints; the zero Series keeps every reading of DefaultMaxAge.
type Series struct {
	MaxAge    time.Duration
	MaxPoints int
	points    []Point
}

// DefaultMaxAge is how far back a window reaches by default: long enough
// to hold thousands of requests of a busy canary, short enough that a
// revision that goes bad late in a long bake is judged on what it does now.
const DefaultMaxAge = time.Minute

// defaultMaxPoints bounds the readings kept (one a quarter second for a
// minute, with room).
const defaultMaxPoints = 512

// Add records a reading. Counts that went down (the data plane restarted)
// start the series again from this reading.
func (s *Series) Add(p Point) {
	if n := len(s.points); n > 0 && (lower(p.Old, s.points[n-1].Old) || lower(p.New, s.points[n-1].New)) {
		s.points = s.points[:0]
	}
	s.points = append(s.points, p)
	maxAge, maxPoints := s.limits()
	drop := 0
	for drop < len(s.points)-2 && (p.At.Sub(s.points[drop+1].At) >= maxAge || len(s.points)-drop > maxPoints) {
		drop++
	}
	s.points = append(s.points[:0], s.points[drop:]...)
}

func (s *Series) limits() (time.Duration, int) {
	maxAge, maxPoints := s.MaxAge, s.MaxPoints
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	if maxPoints <= 1 {
		maxPoints = defaultMaxPoints
	}
	return maxAge, maxPoints
}

// Len is the number of readings kept.
func (s *Series) Len() int { return len(s.points) }

// Window is what each revision answered between the first reading kept
// and the last, and how long that is; zero before two readings.
func (s *Series) Window() (Window, time.Duration) {
	if len(s.points) < 2 {
		return Window{}, 0
	}
	first, last := s.points[0], s.points[len(s.points)-1]
	return Window{Old: sub(last.Old, first.Old), New: sub(last.New, first.New)}, last.At.Sub(first.At)
}

func lower(a, b Counts) bool {
	return a.Requests < b.Requests || a.Errors < b.Errors || a.Latency.Total() < b.Latency.Total()
}

// sub is a minus b, counter by counter (b is an earlier reading of a).
func sub(a, b Counts) Counts {
	out := Counts{Requests: a.Requests - b.Requests, Errors: a.Errors - b.Errors,
		Latency: Histogram{Bounds: a.Latency.Bounds, Counts: make([]uint64, len(a.Latency.Counts))}}
	for i, c := range a.Latency.Counts {
		out.Latency.Counts[i] = c
		if i < len(b.Latency.Counts) {
			out.Latency.Counts[i] -= min(c, b.Latency.Counts[i])
		}
	}
	return out
}
