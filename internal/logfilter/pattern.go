// Package logfilter compiles and matches CloudWatch Logs filter patterns, the
// syntax of FilterLogEvents, metric filters and `aws logs tail --filter-pattern`:
//
//   - unstructured terms: `ERROR` (the message contains it, case-sensitively),
//     `"exact phrase"`, several terms (all must appear), `?A ?B` (at least one of the
//     ?-terms must appear), `-term` or `-"phrase"` (must not appear), and `%regex%`
//     as a term;
//   - JSON selectors, `{ $.level = "error" }`: the message must be a JSON value in
//     which the selector (`$.a.b`, `$.list[0].id`) finds a value that satisfies the
//     comparison: `=` and `!=` with a string (where `*` matches any run of
//     characters), a number or `%regex%`; `<`, `<=`, `>`, `>=` with a number;
//     `IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS`; combined with `&&`, `||` and
//     parentheses (`&&` binds tighter);
//   - space-delimited fields, `[ip, user, ..., status = 4*, bytes > 1000]`: the
//     message splits into fields at spaces (text in "..." or [...] is one field,
//     without its delimiters), one per name, `...` standing for any number of
//     fields; each name may carry conditions like the JSON comparisons, on itself
//     or on other names, combined with `&&` and `||`.
//
// An empty (or blank) pattern matches every event. As in CloudWatch, at most two
// regular expressions may appear in a JSON or space-delimited pattern, and a regular
// expression may not use parentheses.
package logfilter

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// MaxLength is the longest pattern FilterLogEvents accepts.
const MaxLength = 1024

// maxRegexps is CloudWatch's limit of regular expressions in a JSON or
// space-delimited pattern.
const maxRegexps = 2

// SyntaxError reports a pattern that does not parse.
type SyntaxError struct {
	Pattern string
	Pos     int
	Msg     string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid filter pattern %q at character %d: %s", e.Pattern, e.Pos+1, e.Msg)
}

// Pattern is a compiled filter pattern. It is safe for concurrent use.
type Pattern struct {
	src   string
	match func(msg []byte) bool
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Match reports whether the event message matches.
func (p *Pattern) Match(msg []byte) bool { return p.match(msg) }

// Compile parses a filter pattern.
func Compile(pattern string) (*Pattern, error) {
	if len(pattern) > MaxLength {
		return nil, &SyntaxError{Pattern: pattern, Msg: fmt.Sprintf("longer than %d characters", MaxLength)}
	}
	src := strings.TrimSpace(pattern)
	p := &Pattern{src: pattern}
	var err error
	switch {
	case src == "" || len(src) >= 2 && src[0] == '"' && src[len(src)-1] == '"' && strings.TrimSpace(src[1:len(src)-1]) == "":
		// "" and " " match every event, as in CloudWatch.
		p.match = func([]byte) bool { return true }
	case src[0] == '{':
		p.match, err = compileJSON(pattern, src)
	case src[0] == '[':
		p.match, err = compileDelimited(pattern, src)
	default:
		p.match, err = compileTerms(pattern, src)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// term is one unstructured term.
type term struct {
	text []byte
	re   *regexp.Regexp
}

func (t term) in(msg []byte) bool {
	if t.re != nil {
		return t.re.Match(msg)
	}
	return bytes.Contains(msg, t.text)
}

// compileTerms compiles an unstructured pattern: every plain term must appear, at
// least one ?-term (if any) must appear, and no -term may.
func compileTerms(orig, src string) (func([]byte) bool, error) {
	var all, any, none []term
	s := scanner{src: src, orig: orig}
	for {
		s.skipSpace()
		if s.done() {
			break
		}
		kind := s.peek()
		if kind == '?' || kind == '-' {
			s.pos++
		}
		t, err := s.term()
		if err != nil {
			return nil, err
		}
		switch kind {
		case '?':
			any = append(any, t)
		case '-':
			none = append(none, t)
		default:
			all = append(all, t)
		}
	}
	return func(msg []byte) bool {
		for _, t := range all {
			if !t.in(msg) {
				return false
			}
		}
		for _, t := range none {
			if t.in(msg) {
				return false
			}
		}
		if len(any) == 0 {
			return true
		}
		for _, t := range any {
			if t.in(msg) {
				return true
			}
		}
		return false
	}, nil
}

// term reads a quoted phrase, a %regex% or a bare word.
func (s *scanner) term() (term, error) {
	switch s.peek() {
	case '"':
		text, err := s.quoted()
		if err != nil {
			return term{}, err
		}
		return term{text: []byte(text)}, nil
	case '%':
		re, err := s.regex()
		if err != nil {
			return term{}, err
		}
		return term{re: re}, nil
	}
	start := s.pos
	for !s.done() && !isSpace(s.peek()) {
		if s.peek() == '"' {
			return term{}, s.errorf("a term with a quotation mark must be quoted as a whole, with \\\" inside")
		}
		s.pos++
	}
	if s.pos == start {
		return term{}, s.errorf("expected a term")
	}
	return term{text: []byte(s.src[start:s.pos])}, nil
}
