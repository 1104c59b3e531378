package logfilter

import (
	"fmt"
	"regexp"
	"strings"
)

// scanner walks a pattern; pos indexes src, a trimmed slice of orig (for errors).
type scanner struct {
	src, orig string
	pos       int
	regexps   int
}

func (s *scanner) done() bool { return s.pos >= len(s.src) }

func (s *scanner) peek() byte {
	if s.done() {
		return 0
	}
	return s.src[s.pos]
}

func (s *scanner) skipSpace() {
	for !s.done() && isSpace(s.peek()) {
		s.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) errorf(format string, args ...any) error {
	off := strings.Index(s.orig, s.src)
	return &SyntaxError{Pattern: s.orig, Pos: max(off, 0) + s.pos, Msg: fmt.Sprintf(format, args...)}
}

// consume skips spaces and then lit if it comes next.
func (s *scanner) consume(lit string) bool {
	s.skipSpace()
	if strings.HasPrefix(s.src[s.pos:], lit) {
		s.pos += len(lit)
		return true
	}
	return false
}

// keyword consumes a case-insensitive keyword that ends at a word boundary.
func (s *scanner) keyword(kw string) bool {
	s.skipSpace()
	end := s.pos + len(kw)
	if end > len(s.src) || !strings.EqualFold(s.src[s.pos:end], kw) || (end < len(s.src) && isWordByte(s.src[end])) {
		return false
	}
	s.pos = end
	return true
}

// quoted reads a "..." string; \" and \\ are escapes.
func (s *scanner) quoted() (string, error) {
	start := s.pos
	s.pos++ // opening quote
	var b strings.Builder
	for !s.done() {
		c := s.peek()
		switch {
		case c == '\\' && s.pos+1 < len(s.src):
			b.WriteByte(s.src[s.pos+1])
			s.pos += 2
		case c == '"':
			s.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	s.pos = start
	return "", s.errorf("unterminated quoted string")
}

// regex reads a %regex%. CloudWatch refuses parentheses in them.
func (s *scanner) regex() (*regexp.Regexp, error) {
	start := s.pos
	end := strings.IndexByte(s.src[s.pos+1:], '%')
	if end < 0 {
		return nil, s.errorf("unterminated regular expression (it must end with %%)")
	}
	expr := s.src[s.pos+1 : s.pos+1+end]
	if expr == "" {
		return nil, s.errorf("empty regular expression")
	}
	if strings.ContainsAny(expr, "()") {
		return nil, s.errorf("parentheses are not supported in regular expressions")
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, s.errorf("bad regular expression: %v", err)
	}
	s.pos += end + 2
	s.regexps++
	_ = start
	return re, nil
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// bareByte is a byte of an unquoted value or field name.
func isBareByte(c byte) bool {
	return isWordByte(c) || strings.IndexByte("-.*:/@+#", c) >= 0
}
