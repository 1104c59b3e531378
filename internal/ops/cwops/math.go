package cwops

import (
	"fmt"
	"math"
	"strconv"
	"unicode"
)

// Metric math: Slipway evaluates +, -, *, / and parentheses over numbers
// and the ids of other queries, element by element on the timestamps both
// sides have (a number applies to every timestamp). CloudWatch's functions
// (SUM, FILL, SEARCH, METRICS, ...) are refused with a message naming them.

// series is a query's values by Unix second.
type series map[int64]float64

// operand is a series or, when s is nil, a number.
type operand struct {
	s   series
	num float64
}

type exprParser struct {
	src  string
	pos  int
	refs func(id string) (series, error)
}

// evalExpression evaluates src; refs resolves query ids.
func evalExpression(src string, refs func(string) (series, error)) (series, error) {
	p := &exprParser{src: src, refs: refs}
	v, err := p.sum()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %q", p.src[p.pos:])
	}
	if v.s == nil {
		return nil, errorf(CodeValidation, "Error in expression %q: the expression must reference at least one metric.", src)
	}
	return v.s, nil
}

func (p *exprParser) errorf(format string, args ...any) error {
	return errorf(CodeValidation, "Error in expression %q at position %d: %s.", p.src, p.pos+1, fmt.Sprintf(format, args...))
}

func (p *exprParser) space() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

func (p *exprParser) peek() byte {
	p.space()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *exprParser) sum() (operand, error) {
	l, err := p.product()
	for err == nil && (p.peek() == '+' || p.peek() == '-') {
		op := p.src[p.pos]
		p.pos++
		var r operand
		if r, err = p.product(); err == nil {
			l = combine(l, r, op)
		}
	}
	return l, err
}

func (p *exprParser) product() (operand, error) {
	l, err := p.unary()
	for err == nil && (p.peek() == '*' || p.peek() == '/') {
		op := p.src[p.pos]
		p.pos++
		var r operand
		if r, err = p.unary(); err == nil {
			l = combine(l, r, op)
		}
	}
	return l, err
}

func (p *exprParser) unary() (operand, error) {
	if p.peek() == '-' {
		p.pos++
		v, err := p.unary()
		return combine(operand{num: 0}, v, '-'), err
	}
	return p.primary()
}

func (p *exprParser) primary() (operand, error) {
	c := p.peek()
	switch {
	case c == '(':
		p.pos++
		v, err := p.sum()
		if err != nil {
			return v, err
		}
		if p.peek() != ')' {
			return v, p.errorf("missing )")
		}
		p.pos++
		return v, nil
	case c >= '0' && c <= '9' || c == '.':
		start := p.pos
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.' || p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
			p.pos++
		}
		n, err := strconv.ParseFloat(p.src[start:p.pos], 64)
		if err != nil {
			return operand{}, p.errorf("bad number %q", p.src[start:p.pos])
		}
		return operand{num: n}, nil
	case unicode.IsLetter(rune(c)):
		start := p.pos
		for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos])) || unicode.IsDigit(rune(p.src[p.pos])) || p.src[p.pos] == '_') {
			p.pos++
		}
		name := p.src[start:p.pos]
		if p.peek() == '(' {
			return operand{}, errorf(CodeValidation, "Slipway's metric math evaluates +, -, *, / and parentheses over query ids and numbers; the function %s is not supported.", name)
		}
		s, err := p.refs(name)
		return operand{s: s}, err
	case c == 0:
		return operand{}, p.errorf("unexpected end")
	default:
		return operand{}, p.errorf("unexpected %q", string(c))
	}
}

func apply(a, b float64, op byte) float64 {
	switch op {
	case '+':
		return a + b
	case '-':
		return a - b
	case '*':
		return a * b
	default:
		return a / b
	}
}

// combine applies op element-wise; results that are not finite (x/0) are
// left out, as CloudWatch leaves them out.
func combine(l, r operand, op byte) operand {
	if l.s == nil && r.s == nil {
		return operand{num: apply(l.num, r.num, op)}
	}
	out := series{}
	put := func(ts int64, v float64) {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[ts] = v
		}
	}
	switch {
	case l.s == nil:
		for ts, v := range r.s {
			put(ts, apply(l.num, v, op))
		}
	case r.s == nil:
		for ts, v := range l.s {
			put(ts, apply(v, r.num, op))
		}
	default:
		for ts, v := range l.s {
			if w, ok := r.s[ts]; ok {
				put(ts, apply(v, w, op))
			}
		}
	}
	return operand{s: out}
}
