package aasops

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Timezone names resolve on hosts without a zoneinfo database
)

// Schedule kinds.
const (
	ScheduleAt   = "at"
	ScheduleRate = "rate"
	ScheduleCron = "cron"
)

// Schedule is a parsed scheduled action schedule: at(...) once, rate(...)
// every interval, or cron(...) in the action's time zone.
type Schedule struct {
	Kind string
	// At is the one time of an at() schedule.
	At time.Time
	// Every is a rate()'s interval, in service time (the scaler asks the
	// clock for its real length: --time-scale shortens it).
	Every time.Duration
	cron  *cronSpec
	loc   *time.Location
}

var (
	atExpr   = regexp.MustCompile(`^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$`)
	rateExpr = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)
	cronExpr = regexp.MustCompile(`^cron\(([^()]*)\)$`)
)

// ParseSchedule parses an expression in the time zone tz (UTC when "").
func ParseSchedule(expr, tz string) (Schedule, error) {
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" {
			return Schedule{}, invalid("Invalid Timezone: %s. Give a time zone of the IANA database, such as Etc/GMT+9 or Pacific/Tahiti.", tz)
		}
		loc = l
	}
	if m := atExpr.FindStringSubmatch(expr); m != nil {
		t, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
		if err != nil {
			return Schedule{}, invalid("Invalid at expression %s: %v", expr, err)
		}
		return Schedule{Kind: ScheduleAt, At: t, loc: loc}, nil
	}
	if m := rateExpr.FindStringSubmatch(expr); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 {
			return Schedule{}, invalid("Invalid rate expression %s: the value must be a positive whole number.", expr)
		}
		unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.TrimSuffix(m[2], "s")]
		if n > 100000 {
			return Schedule{}, invalid("Invalid rate expression %s: the value is too large.", expr)
		}
		return Schedule{Kind: ScheduleRate, Every: time.Duration(n) * unit, loc: loc}, nil
	}
	if m := cronExpr.FindStringSubmatch(expr); m != nil {
		spec, err := parseCron(m[1])
		if err != nil {
			return Schedule{}, invalid("Invalid cron expression %s: %v", expr, err)
		}
		return Schedule{Kind: ScheduleCron, cron: spec, loc: loc}, nil
	}
	return Schedule{}, invalid("Invalid schedule expression %s: give at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields).", expr)
}

// NextCron returns the first minute after t that a cron() schedule names,
// or false when none comes within five years.
func (s Schedule) NextCron(t time.Time) (time.Time, bool) {
	if s.cron == nil {
		return time.Time{}, false
	}
	return s.cron.next(t.In(s.loc))
}

// cronSpec is a parsed cron(Minutes Hours Day-of-month Month Day-of-week Year).
type cronSpec struct {
	minute, hour, dom, month, dow, year []bool
	anyDOM, anyDOW                      bool
}

type cronField struct {
	name     string
	min, max int
	names    map[string]int
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8,
		"SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
	cronFields = []cronField{{"minutes", 0, 59, nil}, {"hours", 0, 23, nil}, {"day-of-month", 1, 31, nil},
		{"month", 1, 12, monthNames}, {"day-of-week", 1, 7, dayNames}, {"year", 1970, 2199, nil}}
)

func parseCron(body string) (*cronSpec, error) {
	parts := strings.Fields(body)
	if len(parts) != 6 {
		return nil, fmt.Errorf("a cron expression has six fields (minutes hours day-of-month month day-of-week year), got %d", len(parts))
	}
	sets := make([][]bool, 6)
	for i, f := range cronFields {
		p := parts[i]
		if strings.ContainsAny(p, "LW#") && !(f.names != nil && hasName(p, f.names)) {
			return nil, fmt.Errorf("Slipway's scheduler does not support L, W or # in the %s field", f.name)
		}
		if p == "?" {
			if i != 2 && i != 4 {
				return nil, fmt.Errorf("? is only valid in the day-of-month and day-of-week fields")
			}
			sets[i] = nil
			continue
		}
		set, err := parseCronField(p, f)
		if err != nil {
			return nil, err
		}
		sets[i] = set
	}
	spec := &cronSpec{minute: sets[0], hour: sets[1], dom: sets[2], month: sets[3], dow: sets[4], year: sets[5],
		anyDOM: parts[2] == "?", anyDOW: parts[4] == "?"}
	if spec.anyDOM == spec.anyDOW {
		return nil, fmt.Errorf("exactly one of the day-of-month and day-of-week fields must be ?")
	}
	return spec, nil
}

func hasName(p string, names map[string]int) bool {
	for n := range names {
		if strings.Contains(strings.ToUpper(p), n) {
			return true
		}
	}
	return false
}

// parseCronField parses a list of *, values, ranges and steps.
func parseCronField(p string, f cronField) ([]bool, error) {
	set := make([]bool, f.max+1)
	value := func(s string) (int, error) {
		if n, ok := f.names[strings.ToUpper(s)]; ok {
			return n, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < f.min || n > f.max {
			return 0, fmt.Errorf("%q is not a valid %s value (%d-%d)", s, f.name, f.min, f.max)
		}
		return n, nil
	}
	for _, item := range strings.Split(p, ",") {
		rng, stepStr, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%q is not a valid step in the %s field", stepStr, f.name)
			}
			step = n
		}
		lo, hi := f.min, f.max
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if lo, err = value(a); err != nil {
				return nil, err
			}
			if hi, err = value(b); err != nil {
				return nil, err
			}
			if lo > hi {
				return nil, fmt.Errorf("the range %s in the %s field is reversed", rng, f.name)
			}
		default:
			n, err := value(rng)
			if err != nil {
				return nil, err
			}
			lo = n
			if !hasStep {
				hi = n
			}
		}
		for v := lo; v <= hi; v += step {
			set[v] = true
		}
	}
	return set, nil
}

func (c *cronSpec) dayMatches(d time.Time) bool {
	if c.year != nil && (d.Year() >= len(c.year) || !c.year[d.Year()]) {
		return false
	}
	if !c.month[int(d.Month())] {
		return false
	}
	if !c.anyDOM {
		return c.dom[d.Day()]
	}
	return c.dow[int(d.Weekday())+1]
}

// next is the first matching minute after t (in t's location).
func (c *cronSpec) next(t time.Time) (time.Time, bool) {
	loc := t.Location()
	start := t.Truncate(time.Minute).Add(time.Minute)
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	for i := 0; i < 5*366; i++ {
		d := day.AddDate(0, 0, i)
		if !c.dayMatches(d) {
			continue
		}
		for h := 0; h < 24; h++ {
			if !c.hour[h] {
				continue
			}
			for m := 0; m < 60; m++ {
				if !c.minute[m] {
					continue
				}
				at := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
				if !at.Before(start) {
					return at, true
				}
			}
		}
	}
	return time.Time{}, false
}
