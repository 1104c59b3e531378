package ecsops

import (
	"fmt"
	"strings"
	"unicode"
)

// parseInstanceQuery parses a cluster query language expression. Binding
// from tightest: parentheses, not, and, or. A refused expression is
// InvalidParameterException with what is wrong in it.
func parseInstanceQuery(expr string) (instanceQuery, error) {
	if len(expr) > MaxQueryLength {
		return nil, invalidParam("filter must be at most %d characters.", MaxQueryLength)
	}
	toks, err := lexQuery(expr)
	if err == nil {
		p := &queryParser{toks: toks}
		var q instanceQuery
		if q, err = p.or(); err == nil && p.pos < len(p.toks) {
			err = fmt.Errorf("unexpected %q", p.toks[p.pos].text)
		}
		if err == nil {
			return q, nil
		}
	}
	return nil, invalidParam("Invalid filter expression %q: %v.", expr, err)
}

type queryToken struct {
	text   string
	quoted bool // a quoted literal is never an operator or keyword
}

// lexQuery splits an expression into punctuation ( ) [ ] , and words;
// quoted literals ('x' or "x") keep spaces and punctuation.
func lexQuery(s string) ([]queryToken, error) {
	var toks []queryToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case unicode.IsSpace(rune(c)):
			i++
		case strings.IndexByte("()[],", c) >= 0:
			toks = append(toks, queryToken{text: string(c)})
			i++
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote")
			}
			toks = append(toks, queryToken{text: s[i+1 : i+1+end], quoted: true})
			i += end + 2
		case c == '!' && i+1 < len(s) && s[i+1] == '(':
			toks = append(toks, queryToken{text: "!"})
			i++
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && strings.IndexByte("()[],", s[j]) < 0 {
				j++
			}
			toks = append(toks, queryToken{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

type queryParser struct {
	toks []queryToken
	pos  int
}

func (p *queryParser) peek() (queryToken, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return queryToken{}, false
}

// accept consumes the next token if it is an unquoted one of words.
func (p *queryParser) accept(words ...string) bool {
	t, ok := p.peek()
	if !ok || t.quoted {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			p.pos++
			return true
		}
	}
	return false
}

func (p *queryParser) or() (instanceQuery, error) {
	l, err := p.and()
	for err == nil && p.accept("||", "or") {
		var r instanceQuery
		if r, err = p.and(); err == nil {
			l = queryOr{l, r}
		}
	}
	return l, err
}

func (p *queryParser) and() (instanceQuery, error) {
	l, err := p.unary()
	for err == nil && p.accept("&&", "and") {
		var r instanceQuery
		if r, err = p.unary(); err == nil {
			l = queryAnd{l, r}
		}
	}
	return l, err
}

func (p *queryParser) unary() (instanceQuery, error) {
	switch {
	case p.accept("!", "not"):
		e, err := p.unary()
		return queryNot{e}, err
	case p.accept("("):
		e, err := p.or()
		if err == nil && !p.accept(")") {
			err = fmt.Errorf("missing )")
		}
		return e, err
	}
	return p.cond()
}

// cond parses `subject operator [argument]`.
func (p *queryParser) cond() (instanceQuery, error) {
	subj, ok := p.peek()
	if !ok {
		return nil, fmt.Errorf("expression ends early")
	}
	p.pos++
	if subjectOps(subj.text) == nil || subj.quoted {
		return nil, fmt.Errorf("unknown subject %q", subj.text)
	}
	opTok, ok := p.peek()
	op := queryOpWords[strings.ToLower(opTok.text)]
	if !ok || opTok.quoted || op == "" {
		return nil, fmt.Errorf("%s needs an operator", subj.text)
	}
	p.pos++
	c := &queryCond{subject: subj.text, op: op}
	var err error
	if op == "in" || op == "!in" {
		c.args, err = p.list()
	} else if t, ok := p.peek(); ok && op != "exists" && op != "!exists" && (t.quoted || !isQueryWord(t.text)) {
		c.args = []string{t.text}
		p.pos++
	}
	if err == nil {
		err = c.check()
	}
	return c, err
}

// list parses `[a, b, ...]`.
func (p *queryParser) list() ([]string, error) {
	if !p.accept("[") {
		return nil, fmt.Errorf("in and not_in need a list in [ ]")
	}
	var out []string
	for {
		t, ok := p.peek()
		if !ok || (!t.quoted && strings.Contains("[](),", t.text)) {
			return nil, fmt.Errorf("malformed list")
		}
		out = append(out, t.text)
		p.pos++
		if p.accept("]") {
			return out, nil
		}
		if !p.accept(",") {
			return nil, fmt.Errorf("malformed list")
		}
	}
}

// isQueryWord reports whether an unquoted token is punctuation or a
// connective, which cannot be an argument.
func isQueryWord(s string) bool {
	switch strings.ToLower(s) {
	case "(", ")", "[", "]", ",", "&&", "||", "and", "or":
		return true
	}
	return false
}
