package logfilter

import (
	"bytes"
	"slices"
)

// maxFields bounds the fields of a message a delimited pattern considers; longer
// messages do not match. maxEllipses bounds the ellipses of a pattern: trying every
// alignment costs fields^ellipses.
const (
	maxFields   = 256
	maxEllipses = 2
)

// delimited is a compiled space-delimited pattern: positions (a field name, or -1
// for an ellipsis) and the conditions on the named fields.
type delimited struct {
	positions []int
	names     []string
	conds     []node
}

// compileDelimited compiles `[name, name op value, ..., name]`.
func compileDelimited(orig, src string) (func([]byte) bool, error) {
	s := &scanner{src: src, orig: orig}
	if src[len(src)-1] != ']' {
		s.pos = len(src)
		return nil, s.errorf("a space-delimited pattern must end with ]")
	}
	s.src = src[:len(src)-1]
	s.pos = 1
	d := &delimited{}
	index := map[string]int{}
	var refs []string // names used in conditions, checked once all are known
	p := &exprParser{scanner: s, lhs: func() (int, error) {
		name, err := s.fieldName()
		if err != nil {
			return 0, err
		}
		refs = append(refs, name)
		if i, ok := index[name]; ok {
			return i, nil
		}
		index[name] = len(d.names)
		d.names = append(d.names, name)
		return len(d.names) - 1, nil
	}}
	declared := map[string]bool{}
	for {
		s.skipSpace()
		if s.consume("...") {
			if n := len(d.positions); n > 0 && d.positions[n-1] < 0 {
				return nil, s.errorf("two ellipses in a row")
			}
			if slices.Index(d.positions, -1) >= 0 && slices.Index(d.positions[slices.Index(d.positions, -1)+1:], -1) >= 0 {
				return nil, s.errorf("at most %d ellipses (...) are allowed in a pattern", maxEllipses)
			}
			d.positions = append(d.positions, -1)
		} else {
			start := s.pos
			name, err := s.fieldName()
			if err != nil {
				return nil, err
			}
			if declared[name] {
				return nil, s.errorf("duplicate field %q", name)
			}
			declared[name] = true
			if _, ok := index[name]; !ok {
				index[name] = len(d.names)
				d.names = append(d.names, name)
			}
			d.positions = append(d.positions, index[name])
			if s.skipSpace(); !s.done() && s.peek() != ',' {
				s.pos = start // the name begins its own condition
				cond, err := p.or()
				if err != nil {
					return nil, err
				}
				d.conds = append(d.conds, cond)
			}
		}
		if s.skipSpace(); s.done() {
			break
		}
		if !s.consume(",") {
			return nil, s.errorf("expected , between fields")
		}
	}
	for _, name := range refs {
		if !declared[name] {
			return nil, s.errorf("condition on %q, which is not a field of the pattern", name)
		}
	}
	return d.match, nil
}

// fieldName reads a field name of a delimited pattern.
func (s *scanner) fieldName() (string, error) {
	s.skipSpace()
	start := s.pos
	for !s.done() && (isWordByte(s.peek()) || s.peek() == '-' || s.peek() == '.' && s.pos+1 < len(s.src) && s.src[s.pos+1] != '.') {
		s.pos++
	}
	if s.pos == start {
		return "", s.errorf("expected a field name or ...")
	}
	return s.src[start:s.pos], nil
}

func (d *delimited) match(msg []byte) bool {
	fields := splitFields(msg)
	if fields == nil {
		return false
	}
	bound := make([]field, len(d.names))
	return d.bind(fields, 0, bound)
}

// bind assigns fields to positions from position pi on, trying every length for
// each ellipsis, and checks the conditions once all are assigned.
func (d *delimited) bind(fields []field, pi int, bound []field) bool {
	if pi == len(d.positions) {
		if len(fields) != 0 {
			return false
		}
		r := fieldResolver(bound)
		for _, c := range d.conds {
			if !c.eval(r) {
				return false
			}
		}
		return true
	}
	if d.positions[pi] < 0 {
		for k := 0; k <= len(fields); k++ {
			if d.bind(fields[k:], pi+1, bound) {
				return true
			}
		}
		return false
	}
	if len(fields) == 0 {
		return false
	}
	bound[d.positions[pi]] = fields[0]
	return d.bind(fields[1:], pi+1, bound)
}

type fieldResolver []field

func (r fieldResolver) resolve(lhs int) (any, bool) { return r[lhs], true }

// splitFields splits a message at spaces; "..." and [...] are one field each,
// without their delimiters. It returns nil for a message with too many fields.
func splitFields(msg []byte) []field {
	fields := []field{}
	for i := 0; i < len(msg); {
		if msg[i] == ' ' || msg[i] == '\t' {
			i++
			continue
		}
		if len(fields) == maxFields {
			return nil
		}
		var end, next int
		switch msg[i] {
		case '"', '[':
			closer := byte('"')
			if msg[i] == '[' {
				closer = ']'
			}
			if j := bytes.IndexByte(msg[i+1:], closer); j >= 0 {
				fields = append(fields, field(msg[i+1:i+1+j]))
				i += j + 2
				continue
			}
			fallthrough
		default:
			end = bytes.IndexAny(msg[i:], " \t")
			if end < 0 {
				end, next = len(msg), len(msg)
			} else {
				end, next = i+end, i+end
			}
			fields = append(fields, field(msg[i:end]))
			i = next
		}
	}
	return fields
}
