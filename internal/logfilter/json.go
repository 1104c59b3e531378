package logfilter

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// step is one step of a JSON selector: a member name or an array index.
type step struct {
	name  string
	index int
	isIdx bool
}

// compileJSON compiles `{ expression }` over JSON selectors.
func compileJSON(orig, src string) (func([]byte) bool, error) {
	s := &scanner{src: src, orig: orig}
	if src[len(src)-1] != '}' {
		s.pos = len(src)
		return nil, s.errorf("a JSON pattern must end with }")
	}
	s.src = src[:len(src)-1]
	s.pos = 1
	var paths [][]step
	p := &exprParser{scanner: s, lhs: func() (int, error) {
		path, err := s.selector()
		if err != nil {
			return 0, err
		}
		paths = append(paths, path)
		return len(paths) - 1, nil
	}}
	expr, err := p.or()
	if err != nil {
		return nil, err
	}
	if s.skipSpace(); !s.done() {
		return nil, s.errorf("unexpected %q", s.src[s.pos:])
	}
	return func(msg []byte) bool {
		msg = bytes.TrimSpace(msg)
		if len(msg) == 0 || (msg[0] != '{' && msg[0] != '[') {
			return false
		}
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil || dec.More() {
			return false
		}
		return expr.eval(jsonDoc{doc: doc, paths: paths})
	}, nil
}

// selector reads `$` followed by `.name` and `[index]` steps.
func (s *scanner) selector() ([]step, error) {
	s.skipSpace()
	if s.peek() != '$' {
		return nil, s.errorf("expected a selector starting with $")
	}
	s.pos++
	var path []step
	for !s.done() {
		switch s.peek() {
		case '.':
			s.pos++
			start := s.pos
			for !s.done() && (isWordByte(s.peek()) || s.peek() == '-' || s.peek() == '@' || s.peek() == '$') {
				s.pos++
			}
			if s.pos == start {
				return nil, s.errorf("expected a member name after .")
			}
			path = append(path, step{name: s.src[start:s.pos]})
		case '[':
			s.pos++
			start := s.pos
			for !s.done() && s.peek() >= '0' && s.peek() <= '9' {
				s.pos++
			}
			i, err := strconv.Atoi(s.src[start:s.pos])
			if err != nil || s.peek() != ']' {
				return nil, s.errorf("expected an array index like [0]")
			}
			s.pos++
			path = append(path, step{index: i, isIdx: true})
		default:
			if len(path) == 0 {
				return nil, s.errorf("a selector needs at least one step, like $.level")
			}
			return path, nil
		}
	}
	if len(path) == 0 {
		return nil, s.errorf("a selector needs at least one step, like $.level")
	}
	return path, nil
}

// jsonDoc resolves selectors in one decoded message.
type jsonDoc struct {
	doc   any
	paths [][]step
}

func (d jsonDoc) resolve(lhs int) (any, bool) {
	v := d.doc
	for _, st := range d.paths[lhs] {
		switch x := v.(type) {
		case map[string]any:
			if st.isIdx {
				return nil, false
			}
			var ok bool
			if v, ok = x[st.name]; !ok {
				return nil, false
			}
		case []any:
			if !st.isIdx || st.index >= len(x) {
				return nil, false
			}
			v = x[st.index]
		default:
			return nil, false
		}
	}
	return v, true
}
