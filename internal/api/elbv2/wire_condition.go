package elbv2

import "github.com/slipway-dev/slipway/internal/model"

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

// configNames maps each condition field to its *Config member.
var configNames = map[string]string{
	model.FieldHostHeader: "HostHeaderConfig", model.FieldPathPattern: "PathPatternConfig",
	model.FieldHTTPHeader: "HttpHeaderConfig", model.FieldQueryString: "QueryStringConfig",
	model.FieldMethod: "HttpRequestMethodConfig", model.FieldSourceIP: "SourceIpConfig",
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

// parseConditions reads a Conditions list in either form: legacy Field +
// Values (host-header and path-pattern only, as in ELB) or Field + the
// field's *Config structure; both at once is a ValidationError.
func parseConditions(items []form) ([]model.RuleCondition, error) {
	var out []model.RuleCondition
	for _, f := range items {
		c := model.RuleCondition{Field: f.str("Field")}
		if c.Field == "" {
			return nil, validation("A condition field must be specified")
		}
		cfgName, known := configNames[c.Field]
		if !known {
			return nil, validation("Condition field '%s' must be one of '[http-header, http-request-method, host-header, path-pattern, query-string, source-ip]'", c.Field)
		}
		if f.has("RegexValues") || f.sub(cfgName).has("RegexValues") {
			return nil, validation("Regular-expression condition values are not supported")
		}
		for other, name := range configNames {
			if other != c.Field && f.has(name) {
				return nil, validation("Condition field '%s' cannot have a '%s'", c.Field, name)
			}
		}
		legacy, cfg := f.has("Values"), f.has(cfgName)
		switch {
		case legacy && cfg:
			return nil, validation("You cannot specify both 'Values' and '%s' for a '%s' condition", cfgName, c.Field)
		case legacy && c.Field != model.FieldHostHeader && c.Field != model.FieldPathPattern:
			return nil, validation("A '%s' condition must be specified with '%s'", c.Field, cfgName)
		case legacy:
			c.Values = f.strList("Values")
			// ELB: the legacy form carries exactly one value.
			if len(c.Values) > 1 {
				return nil, validation("A '%s' condition in the 'Values' form can have only one value; use '%s' for more", c.Field, cfgName)
			}
		default:
			parseConditionConfig(&c, f.sub(cfgName))
		}
		out = append(out, c)
	}
	return out, nil
}

func parseConditionConfig(c *model.RuleCondition, f form) {
	switch c.Field {
	case model.FieldQueryString:
		for _, kv := range f.list("Values") {
			c.QueryString = append(c.QueryString, model.QueryStringPair{Key: kv.str("Key"), Value: kv.str("Value")})
		}
	case model.FieldHTTPHeader:
		c.HTTPHeaderName = f.str("HttpHeaderName")
		c.Values = f.strList("Values")
	default:
		c.Values = f.strList("Values")
	}
}
