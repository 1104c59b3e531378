package lb

import (
	"bytes"
	"net/netip"
	"sort"
	"strings"
)

// Condition kinds, compiled from Condition.Field.
const (
	condPath = iota
	condHost
	condHeader
	condMethod
	condQuery
	condSourceIP
)

// cond is a compiled rule condition.
type cond struct {
	kind     int
	values   []string // patterns (lower-cased where matching is case-insensitive)
	name     string   // http-header name
	query    []KeyValue
	prefixes []netip.Prefix
}

// rule is a compiled listener rule.
type rule struct {
	arn      string
	priority int
	conds    []cond
	act      *action
}

// compileRules sorts rules by ascending priority and compiles their conditions.
func compileRules(rs []Rule, compileAct func([]Action) *action) []rule {
	out := make([]rule, 0, len(rs))
	for _, r := range rs {
		cr := rule{arn: r.ARN, priority: r.Priority, act: compileAct(r.Actions)}
		for _, c := range r.Conditions {
			cr.conds = append(cr.conds, compileCond(c))
		}
		out = append(out, cr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].priority < out[j].priority })
	return out
}

func compileCond(c Condition) cond {
	cc := cond{values: c.Values}
	switch c.Field {
	case "path-pattern":
		cc.kind = condPath
	case "host-header":
		cc.kind = condHost
		cc.values = lowerAll(c.Values)
	case "http-header":
		cc.kind = condHeader
		cc.name = c.HeaderName
		cc.values = lowerAll(c.Values)
	case "http-request-method":
		cc.kind = condMethod
	case "query-string":
		cc.kind = condQuery
		for _, kv := range c.Query {
			cc.query = append(cc.query, KeyValue{strings.ToLower(kv.Key), strings.ToLower(kv.Value)})
		}
	case "source-ip":
		cc.kind = condSourceIP
		for _, v := range c.Values {
			if p, err := netip.ParsePrefix(v); err == nil {
				cc.prefixes = append(cc.prefixes, p.Masked())
			}
		}
	}
	return cc
}

func lowerAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(v)
	}
	return out
}

// matchView is what rules look at: the parsed request plus the peer address.
type matchView struct {
	rq   *request
	peer netip.Addr
}

// match reports whether every condition of the rule matches.
func (r *rule) match(v *matchView) bool {
	for i := range r.conds {
		if !r.conds[i].match(v) {
			return false
		}
	}
	return true
}

func (c *cond) match(v *matchView) bool {
	switch c.kind {
	case condPath:
		return anyMatch(c.values, v.rq.path, false)
	case condHost:
		return anyMatch(c.values, stripPort(v.rq.host), true)
	case condHeader:
		for i := range v.rq.headers {
			h := &v.rq.headers[i]
			if len(h.name) == len(c.name) && bytes.EqualFold(h.name, []byte(c.name)) && anyMatch(c.values, h.value, true) {
				return true
			}
		}
		return false
	case condMethod:
		for _, m := range c.values {
			if string(v.rq.method) == m {
				return true
			}
		}
		return false
	case condQuery:
		return matchQuery(c.query, v.rq.query)
	case condSourceIP:
		for _, p := range c.prefixes {
			if p.Contains(v.peer) {
				return true
			}
		}
		return false
	}
	return false
}

func anyMatch(patterns []string, s []byte, fold bool) bool {
	for _, p := range patterns {
		if wildcardMatch(p, s, fold) {
			return true
		}
	}
	return false
}

// stripPort removes ":port" from a Host value (keeping IPv6 brackets' content intact).
func stripPort(h []byte) []byte {
	i := bytes.LastIndexByte(h, ':')
	if i < 0 || bytes.IndexByte(h[i:], ']') >= 0 {
		return h
	}
	return h[:i]
}

// wildcardMatch matches s against pattern with ALB wildcards: * (any run, also empty)
// and ? (exactly one byte). With fold, s is compared case-insensitively against a
// pattern that is already lower case. Iterative backtracking to the last star keeps
// it linear-ish and allocation free.
func wildcardMatch(pattern string, s []byte, fold bool) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			pc := pattern[p]
			if pc == '*' {
				star, mark = p, i
				p++
				continue
			}
			c := s[i]
			if fold && c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if pc == '?' || pc == c {
				p++
				i++
				continue
			}
		}
		if star < 0 {
			return false
		}
		p = star + 1
		mark++
		i = mark
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matchQuery reports whether any query parameter matches any key/value pair.
// Keys and values are percent-decoded and compared case-insensitively, as ALB does.
func matchQuery(pairs []KeyValue, rawQuery []byte) bool {
	var kbuf, vbuf [256]byte // decoding space; longer parameters allocate
	q := rawQuery
	for len(q) > 0 {
		var part []byte
		if i := bytes.IndexByte(q, '&'); i >= 0 {
			part, q = q[:i], q[i+1:]
		} else {
			part, q = q, nil
		}
		if len(part) == 0 {
			continue
		}
		k, val, _ := bytes.Cut(part, []byte("="))
		key, kok := unescapeQuery(kbuf[:0], k)
		value, vok := unescapeQuery(vbuf[:0], val)
		if !kok || !vok {
			continue
		}
		for _, kv := range pairs {
			if (kv.Key == "" || wildcardMatch(kv.Key, key, true)) && wildcardMatch(kv.Value, value, true) {
				return true
			}
		}
	}
	return false
}

// unescapeQuery decodes %XX and '+' into dst (as url.QueryUnescape, without
// allocating for short values); false for a malformed escape.
func unescapeQuery(dst, s []byte) ([]byte, bool) {
	if bytes.IndexByte(s, '%') < 0 && bytes.IndexByte(s, '+') < 0 {
		return s, true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			dst = append(dst, ' ')
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return nil, false
			}
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
