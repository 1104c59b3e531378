package logfilter

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// The boolean expressions of JSON and space-delimited patterns: comparisons of a
// left-hand side (a JSON selector or a field name) with a value, combined with &&,
// || and parentheses.

type op int

const (
	opEq op = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opTrue
	opFalse
	opNull
	opNotExists
)

// value is a comparison's right-hand side.
type value struct {
	text  string
	glob  *regexp.Regexp // text has '*' wildcards
	re    *regexp.Regexp // a %regex%
	num   float64
	isNum bool
}

// resolver finds what a left-hand side names in one message; ok is false when it
// names nothing there.
type resolver interface {
	resolve(lhs int) (v any, ok bool)
}

type node interface {
	eval(r resolver) bool
}

type andNode []node
type orNode []node

func (n andNode) eval(r resolver) bool {
	for _, c := range n {
		if !c.eval(r) {
			return false
		}
	}
	return true
}

func (n orNode) eval(r resolver) bool {
	for _, c := range n {
		if c.eval(r) {
			return true
		}
	}
	return false
}

// cmpNode compares the value at left-hand side lhs (an index the pattern's
// resolver understands) with val.
type cmpNode struct {
	lhs int
	op  op
	val value
}

func (c cmpNode) eval(r resolver) bool {
	v, ok := r.resolve(c.lhs)
	if c.op == opNotExists {
		return !ok
	}
	if !ok {
		return false
	}
	switch c.op {
	case opTrue, opFalse:
		b, isBool := v.(bool)
		return isBool && b == (c.op == opTrue)
	case opNull:
		return v == nil
	case opEq:
		return equal(v, c.val)
	case opNe:
		_, scalar := scalarText(v)
		return scalar && !equal(v, c.val)
	}
	n, isNum := number(v)
	if !isNum {
		return false
	}
	switch c.op {
	case opLt:
		return n < c.val.num
	case opLe:
		return n <= c.val.num
	case opGt:
		return n > c.val.num
	default:
		return n >= c.val.num
	}
}

// scalarText is the text of a scalar value; objects and arrays have none.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case nil:
		return "null", true
	}
	return "", false
}

// number is a value as a number: JSON numbers, and fields of delimited messages
// that read as one.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case field:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	}
	return 0, false
}

func equal(v any, val value) bool {
	if f, ok := v.(field); ok {
		v = string(f)
	}
	if val.isNum {
		if n, ok := v.(json.Number); ok {
			f, err := n.Float64()
			return err == nil && f == val.num
		}
	}
	text, ok := scalarText(v)
	if !ok {
		return false
	}
	switch {
	case val.re != nil:
		return val.re.MatchString(text)
	case val.glob != nil:
		return val.glob.MatchString(text)
	case val.isNum:
		f, err := strconv.ParseFloat(text, 64)
		return err == nil && f == val.num || text == val.text
	default:
		return text == val.text
	}
}

// field is a field of a space-delimited message.
type field string

// exprParser parses expressions; lhs reads a left-hand side and returns its index.
type exprParser struct {
	*scanner
	lhs func() (int, error)
}

func (p *exprParser) or() (node, error) {
	return p.chain("||", p.and, func(ns []node) node { return orNode(ns) })
}

func (p *exprParser) and() (node, error) {
	return p.chain("&&", p.unary, func(ns []node) node { return andNode(ns) })
}

// chain parses operands joined by op (one operand is itself).
func (p *exprParser) chain(op string, operand func() (node, error), join func([]node) node) (node, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	nodes := []node{first}
	for p.consume(op) {
		next, err := operand()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, next)
	}
	if len(nodes) == 1 {
		return first, nil
	}
	return join(nodes), nil
}

func (p *exprParser) unary() (node, error) {
	if p.consume("(") {
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.consume(")") {
			return nil, p.errorf("expected )")
		}
		return n, nil
	}
	return p.comparison()
}

func (p *exprParser) comparison() (node, error) {
	lhs, err := p.lhs()
	if err != nil {
		return nil, err
	}
	switch {
	case p.keyword("IS"):
		switch {
		case p.keyword("TRUE"):
			return cmpNode{lhs: lhs, op: opTrue}, nil
		case p.keyword("FALSE"):
			return cmpNode{lhs: lhs, op: opFalse}, nil
		case p.keyword("NULL"):
			return cmpNode{lhs: lhs, op: opNull}, nil
		}
		return nil, p.errorf("expected TRUE, FALSE or NULL after IS")
	case p.keyword("NOT"):
		if p.keyword("EXISTS") {
			return cmpNode{lhs: lhs, op: opNotExists}, nil
		}
		return nil, p.errorf("expected EXISTS after NOT")
	}
	var o op
	switch {
	case p.consume("!="):
		o = opNe
	case p.consume("<="):
		o = opLe
	case p.consume(">="):
		o = opGe
	case p.consume("="):
		o = opEq
	case p.consume("<"):
		o = opLt
	case p.consume(">"):
		o = opGt
	default:
		return nil, p.errorf("expected a comparison (=, !=, <, <=, >, >=, IS, NOT EXISTS)")
	}
	val, err := p.value(o)
	if err != nil {
		return nil, err
	}
	if p.regexps > maxRegexps {
		return nil, p.errorf("at most %d regular expressions are allowed in a pattern", maxRegexps)
	}
	return cmpNode{lhs: lhs, op: o, val: val}, nil
}

// value reads a comparison's right-hand side: a quoted string, a %regex%, or a bare
// number or word; order comparisons need a number.
func (p *exprParser) value(o op) (value, error) {
	p.skipSpace()
	var v value
	switch c := p.peek(); {
	case c == '"':
		text, err := p.quoted()
		if err != nil {
			return v, err
		}
		v.text = text
	case c == '%':
		re, err := p.regex()
		if err != nil {
			return v, err
		}
		v.re = re
	default:
		start := p.pos
		for !p.done() && isBareByte(p.peek()) {
			p.pos++
		}
		if p.pos == start {
			return v, p.errorf("expected a value")
		}
		v.text = p.src[start:p.pos]
	}
	if v.re == nil {
		if f, err := strconv.ParseFloat(v.text, 64); err == nil {
			v.num, v.isNum = f, true
		} else if strings.Contains(v.text, "*") {
			v.glob = globRegexp(v.text)
		}
	}
	if o >= opLt && o <= opGe && !v.isNum {
		return v, p.errorf("%q is not a number; <, <=, > and >= compare numbers", v.text)
	}
	if o == opNe && v.re != nil {
		v = value{re: v.re}
	}
	return v, nil
}

// globRegexp turns a value with * wildcards into an anchored regular expression.
func globRegexp(text string) *regexp.Regexp {
	parts := strings.Split(text, "*")
	for i, part := range parts {
		parts[i] = regexp.QuoteMeta(part)
	}
	return regexp.MustCompile(`^(?s:` + strings.Join(parts, ".*") + `)$`)
}
