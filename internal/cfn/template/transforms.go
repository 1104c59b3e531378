package template

import (
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// readTransforms reads the Transform section (a name or a list of names) and
// refuses what Slipway cannot honour. AWS::LanguageExtensions is honoured;
// SAM and AWS::Include are transforms CloudFormation hosts but Slipway does
// not run, so they fail as a transform fails on AWS; any other name is a macro,
// and no macro exists here, so it fails as a missing macro does.
func (t *Template) readTransforms(doc *document) error {
	v, ok := doc.root["Transform"]
	if !ok || v == nil {
		return nil
	}
	var names []string
	switch x := v.(type) {
	case string:
		names = []string{x}
	case []any:
		for _, e := range x {
			s, isStr := e.(string)
			if !isStr {
				return formatErr("Transforms must be a string or a list of strings")
			}
			names = append(names, s)
		}
	case map[string]any:
		if _, hasName := x["Name"]; !hasName {
			return formatErr("Transforms defined as maps require Name key.")
		}
		s, _ := x["Name"].(string)
		names = []string{s}
	default:
		return formatErr("Transforms must be a string or a list of strings")
	}
	for _, n := range names {
		if err := transformSupported(n); err != nil {
			return err
		}
	}
	t.Transforms = names
	return nil
}

func transformSupported(name string) error {
	switch {
	case name == TransformLanguageExtensions:
		return nil
	case strings.HasPrefix(name, "AWS::"):
		return awserr.Wrap(ErrFormat, CodeValidation,
			"Transform %s failed with: Slipway does not run this transform. Deploy the template it expands to instead; only %s is supported.",
			name, TransformLanguageExtensions)
	}
	return awserr.Wrap(ErrFormat, CodeValidation, "No transform named %s found.", name)
}
