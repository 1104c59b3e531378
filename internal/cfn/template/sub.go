package template

import (
	"regexp"
	"strings"
)

// subPart is a piece of an Fn::Sub string: literal text or a variable name.
type subPart struct {
	text     string
	variable bool
}

var subVariable = regexp.MustCompile(`^[A-Za-z0-9_.:]+$`)

// parseSub splits an Fn::Sub string into literal text and ${Name} variables.
// "${!Literal}" is the literal text "${Literal}". Whitespace around a name is
// ignored, as CloudFormation does.
func parseSub(s string) ([]subPart, error) {
	var parts []subPart
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		lit.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			lit.WriteString(s[i:]) // an unclosed "${" is literal text
			break
		}
		body := s[i+2 : i+end]
		s = s[i+end+1:]
		if strings.HasPrefix(body, "!") {
			lit.WriteString("${" + body[1:] + "}")
			continue
		}
		name := strings.TrimSpace(body)
		if !subVariable.MatchString(name) {
			return nil, templateErr("variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons")
		}
		if lit.Len() > 0 {
			parts = append(parts, subPart{text: lit.String()})
			lit.Reset()
		}
		parts = append(parts, subPart{text: name, variable: true})
	}
	if lit.Len() > 0 {
		parts = append(parts, subPart{text: lit.String()})
	}
	return parts, nil
}

// cutDot splits "Res.Attr" (the attribute may itself contain dots).
func cutDot(name string) (res, attr string, ok bool) {
	return strings.Cut(name, ".")
}
