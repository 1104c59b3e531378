package elbops

import "github.com/slipway-dev/slipway/internal/model"

// ConditionInput is a rule condition as CreateRule and ModifyRule take it:
// Field with either the legacy Values (host-header and path-pattern only,
// one value, as in ELB) or the field's *Config structure. Both at once is a
// ValidationError; so is a *Config of another field. Regular-expression
// values are refused (Slipway does not match them).
type ConditionInput struct {
	Field string
	// Values is the legacy form; nil when not given.
	Values      []string
	RegexValues []string
	// The *Config forms; nil when not given.
	HostHeaderConfig        *ValuesConfig
	PathPatternConfig       *ValuesConfig
	HTTPHeaderConfig        *HTTPHeaderConfig
	QueryStringConfig       *QueryStringConfig
	HTTPRequestMethodConfig *ValuesConfig
	SourceIPConfig          *ValuesConfig
}

// ValuesConfig is HostHeaderConfig, PathPatternConfig,
// HttpRequestMethodConfig and SourceIpConfig.
type ValuesConfig struct {
	Values      []string
	RegexValues []string
}

// HTTPHeaderConfig is HttpHeaderConfig.
type HTTPHeaderConfig struct {
	HTTPHeaderName string
	Values         []string
	RegexValues    []string
}

// QueryStringConfig is QueryStringConfig: key/value pairs, Key optional.
type QueryStringConfig struct {
	Values []model.QueryStringPair
}

// conditionConfig is one *Config member of a ConditionInput.
type conditionConfig struct {
	field, name string
	present     bool
	regex       bool
}

// configs lists c's *Config members in the API's order, one per field.
func (c ConditionInput) configs() []conditionConfig {
	vals := func(field, name string, v *ValuesConfig) conditionConfig {
		return conditionConfig{field: field, name: name, present: v != nil, regex: v != nil && v.RegexValues != nil}
	}
	return []conditionConfig{
		vals(model.FieldHostHeader, "HostHeaderConfig", c.HostHeaderConfig),
		vals(model.FieldPathPattern, "PathPatternConfig", c.PathPatternConfig),
		{field: model.FieldHTTPHeader, name: "HttpHeaderConfig", present: c.HTTPHeaderConfig != nil,
			regex: c.HTTPHeaderConfig != nil && c.HTTPHeaderConfig.RegexValues != nil},
		{field: model.FieldQueryString, name: "QueryStringConfig", present: c.QueryStringConfig != nil},
		vals(model.FieldMethod, "HttpRequestMethodConfig", c.HTTPRequestMethodConfig),
		vals(model.FieldSourceIP, "SourceIpConfig", c.SourceIPConfig),
	}
}

// toConditions turns conditions in either form into stored conditions.
// Whether they make a valid rule is model.ValidateConditions' concern.
func toConditions(in []ConditionInput) ([]Condition, error) {
	var out []Condition
	for _, c := range in {
		cond, err := c.toCondition()
		if err != nil {
			return nil, err
		}
		out = append(out, cond)
	}
	return out, nil
}

func (c ConditionInput) toCondition() (Condition, error) {
	out := Condition{Field: c.Field}
	if c.Field == "" {
		return out, Validation("A condition field must be specified")
	}
	var own *conditionConfig
	cfgs := c.configs()
	for i := range cfgs {
		if cfgs[i].field == c.Field {
			own = &cfgs[i]
		}
	}
	if own == nil {
		return out, Validation("Condition field '%s' must be one of '[http-header, http-request-method, host-header, path-pattern, query-string, source-ip]'", c.Field)
	}
	if c.RegexValues != nil || own.regex {
		return out, Validation("Regular-expression condition values are not supported")
	}
	for _, o := range cfgs {
		if o.field != c.Field && o.present {
			return out, Validation("Condition field '%s' cannot have a '%s'", c.Field, o.name)
		}
	}
	legacy := c.Values != nil
	switch {
	case legacy && own.present:
		return out, Validation("You cannot specify both 'Values' and '%s' for a '%s' condition", own.name, c.Field)
	case legacy && c.Field != model.FieldHostHeader && c.Field != model.FieldPathPattern:
		return out, Validation("A '%s' condition must be specified with '%s'", c.Field, own.name)
	case legacy:
		out.Values = nilIfEmpty(c.Values)
		// ELB: the legacy form carries exactly one value.
		if len(out.Values) > 1 {
			return out, Validation("A '%s' condition in the 'Values' form can have only one value; use '%s' for more", c.Field, own.name)
		}
	default:
		c.fromConfig(&out)
	}
	return out, nil
}

// fromConfig copies the field's *Config values (none when it is absent).
func (c ConditionInput) fromConfig(out *Condition) {
	var v *ValuesConfig
	switch c.Field {
	case model.FieldQueryString:
		if c.QueryStringConfig != nil {
			out.QueryString = nilIfEmpty(c.QueryStringConfig.Values)
		}
		return
	case model.FieldHTTPHeader:
		if h := c.HTTPHeaderConfig; h != nil {
			out.HTTPHeaderName, out.Values = h.HTTPHeaderName, nilIfEmpty(h.Values)
		}
		return
	case model.FieldHostHeader:
		v = c.HostHeaderConfig
	case model.FieldPathPattern:
		v = c.PathPatternConfig
	case model.FieldMethod:
		v = c.HTTPRequestMethodConfig
	case model.FieldSourceIP:
		v = c.SourceIPConfig
	}
	if v != nil {
		out.Values = nilIfEmpty(v.Values)
	}
}
