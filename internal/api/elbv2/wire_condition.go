package elbv2

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

type wireValues struct {
	Values list[string]
}

type wireHeaderConfig struct {
	HttpHeaderName string
	Values         list[string]
}

type wireQueryPair struct {
	Key   string `xml:",omitempty"`
	Value string
}

type wireQueryConfig struct {
	Values list[wireQueryPair]
}

type wireCondition struct {
	Field                   string
	Values                  *list[string]     `xml:",omitempty"`
	HostHeaderConfig        *wireValues       `xml:",omitempty"`
	PathPatternConfig       *wireValues       `xml:",omitempty"`
	HttpHeaderConfig        *wireHeaderConfig `xml:",omitempty"`
	QueryStringConfig       *wireQueryConfig  `xml:",omitempty"`
	HttpRequestMethodConfig *wireValues       `xml:",omitempty"`
	SourceIpConfig          *wireValues       `xml:",omitempty"`
}

// toWireCondition reports a condition as ELB does: the *Config form always,
// and for host-header and path-pattern the legacy Values too.
func toWireCondition(c model.RuleCondition) wireCondition {
	w := wireCondition{Field: c.Field}
	vals := &wireValues{Values: listOf(c.Values)}
	switch c.Field {
	case model.FieldHostHeader:
		w.Values, w.HostHeaderConfig = &vals.Values, vals
	case model.FieldPathPattern:
		w.Values, w.PathPatternConfig = &vals.Values, vals
	case model.FieldHTTPHeader:
		w.HttpHeaderConfig = &wireHeaderConfig{HttpHeaderName: c.HTTPHeaderName, Values: listOf(c.Values)}
	case model.FieldMethod:
		w.HttpRequestMethodConfig = vals
	case model.FieldSourceIP:
		w.SourceIpConfig = vals
	case model.FieldQueryString:
		q := &wireQueryConfig{}
		for _, kv := range c.QueryString {
			q.Values.Member = append(q.Values.Member, wireQueryPair(kv))
		}
		w.QueryStringConfig = q
	}
	return w
}

// decodeConditions reads a Conditions list in either form, legacy Field +
// Values or Field + the field's *Config structure; elbops decides what the
// combination means.
func decodeConditions(items []form) []elbops.ConditionInput {
	var out []elbops.ConditionInput
	for _, f := range items {
		out = append(out, elbops.ConditionInput{
			Field: f.Str("Field"), Values: optStrList(f, "Values"), RegexValues: optStrList(f, "RegexValues"),
			HostHeaderConfig:        decodeValuesConfig(f, "HostHeaderConfig"),
			PathPatternConfig:       decodeValuesConfig(f, "PathPatternConfig"),
			HTTPHeaderConfig:        decodeHeaderConfig(f),
			QueryStringConfig:       decodeQueryConfig(f),
			HTTPRequestMethodConfig: decodeValuesConfig(f, "HttpRequestMethodConfig"),
			SourceIPConfig:          decodeValuesConfig(f, "SourceIpConfig"),
		})
	}
	return out
}

// decodeValuesConfig reads a *Config of values; nil when it was not sent.
func decodeValuesConfig(f form, name string) *elbops.ValuesConfig {
	if !f.Has(name) {
		return nil
	}
	g := f.Sub(name)
	return &elbops.ValuesConfig{Values: g.StrList("Values"), RegexValues: optStrList(g, "RegexValues")}
}

func decodeHeaderConfig(f form) *elbops.HTTPHeaderConfig {
	if !f.Has("HttpHeaderConfig") {
		return nil
	}
	g := f.Sub("HttpHeaderConfig")
	return &elbops.HTTPHeaderConfig{HTTPHeaderName: g.Str("HttpHeaderName"), Values: g.StrList("Values"), RegexValues: optStrList(g, "RegexValues")}
}

func decodeQueryConfig(f form) *elbops.QueryStringConfig {
	if !f.Has("QueryStringConfig") {
		return nil
	}
	q := &elbops.QueryStringConfig{}
	for _, kv := range f.Sub("QueryStringConfig").List("Values") {
		q.Values = append(q.Values, model.QueryStringPair{Key: kv.Str("Key"), Value: kv.Str("Value")})
	}
	return q
}
