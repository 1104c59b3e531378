package template

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// shortForms maps YAML's short-form tags to the functions they stand for.
// !GetAtt is special-cased: its scalar form "A.B" becomes ["A", "B"].
var shortForms = map[string]string{
	"!Ref": fnRef, "!Condition": fnCondition,
	"!GetAtt": fnGetAtt, "!Sub": fnSub, "!Join": fnJoin, "!Select": fnSelect,
	"!Split": fnSplit, "!If": fnIf, "!Equals": fnEquals, "!And": fnAnd,
	"!Or": fnOr, "!Not": fnNot, "!FindInMap": fnFindInMap,
	"!ImportValue": fnImportValue, "!GetAZs": fnGetAZs, "!Base64": fnBase64,
	"!Cidr": fnCidr, "!Length": fnLength, "!ToJsonString": fnToJSONString,
	"!Transform": fnTransform,
	// Rule functions (the Rules section) parse, so that the message about
	// them is the evaluator's rather than a YAML error.
	"!Contains": "Fn::Contains", "!EachMemberEquals": "Fn::EachMemberEquals",
	"!EachMemberIn": "Fn::EachMemberIn", "!RefAll": "Fn::RefAll",
	"!ValueOf": "Fn::ValueOf", "!ValueOfAll": "Fn::ValueOfAll",
}

type yamlDecoder struct {
	order map[string][]string
}

func decodeYAML(body []byte) (*document, error) {
	tokens := lexer.Tokenize(string(body))
	if err := checkYAMLNesting(tokens); err != nil {
		return nil, err
	}
	f, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, yamlMalformed(err)
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		if len(f.Docs) > 1 {
			return nil, yamlMalformedAt(docToken(f.Docs[1]))
		}
		return nil, formatErr("At least one Resources member must be defined.")
	}
	d := &yamlDecoder{order: map[string][]string{}}
	v, err := d.node(f.Docs[0].Body, 0, "")
	if err != nil {
		return nil, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, yamlMalformedAt(f.Docs[0].Body.GetToken())
	}
	return &document{root: root, order: d.order, format: FormatYAML}, nil
}

// docToken is the first token of a document, or nil for an empty one
// (ast.DocumentNode.GetToken dereferences a nil Body).
func docToken(doc *ast.DocumentNode) *token.Token {
	switch {
	case doc == nil:
		return nil
	case doc.Body != nil:
		return doc.Body.GetToken()
	case doc.Start != nil:
		return doc.Start
	}
	return doc.End
}

// maxBlockColumn bounds where block-structure tokens may stand. A block
// collection nested n deep starts at column n or more, so this bounds block
// nesting; templates indent far less.
const maxBlockColumn = 256

// checkYAMLNesting refuses nesting deeper than MaxDepth before the parser
// sees it: the YAML parser's time grows with the square of the nesting, so a
// small body of "[[[[..." or "- - - ..." would otherwise take minutes. The
// tokenizer is linear, and flow nesting is counted exactly from its tokens.
func checkYAMLNesting(tokens token.Tokens) error {
	flow := 0
	for _, tk := range tokens {
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			if flow++; flow > MaxDepth {
				return formatErr("the template is nested more than %d levels deep", MaxDepth)
			}
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.SequenceEntryType, token.MappingValueType, token.MappingKeyType:
			if flow == 0 && tk.Position != nil && tk.Position.Column > maxBlockColumn {
				return formatErr("the template is nested more than %d levels deep", MaxDepth)
			}
		}
	}
	return nil
}

// yamlMalformed is CloudFormation's message for YAML it cannot read.
func yamlMalformed(err error) error {
	var pe interface{ GetToken() *token.Token }
	if errors.As(err, &pe) {
		return yamlMalformedAt(pe.GetToken())
	}
	return formatErr("YAML not well-formed.")
}

func yamlMalformedAt(tok *token.Token) error {
	if tok == nil || tok.Position == nil {
		return formatErr("YAML not well-formed.")
	}
	return formatErr("YAML not well-formed. (line %d, column %d)", tok.Position.Line, tok.Position.Column)
}

// node converts one YAML node; section is the top-level key it is under at
// depth 1, whose keys' order is kept.
func (d *yamlDecoder) node(n ast.Node, depth int, section string) (any, error) {
	if depth > MaxDepth {
		return nil, formatErr("the template is nested more than %d levels deep", MaxDepth)
	}
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return nil, nil
	case *ast.MappingNode:
		return d.mapping(v, depth, section)
	case *ast.MappingValueNode: // a map of one entry
		return d.mapping(&ast.MappingNode{Values: []*ast.MappingValueNode{v}}, depth, section)
	case *ast.SequenceNode:
		l := make([]any, 0, len(v.Values))
		for _, e := range v.Values {
			x, err := d.node(e, depth+1, "")
			if err != nil {
				return nil, err
			}
			l = append(l, x)
		}
		return l, nil
	case *ast.TagNode:
		return d.tag(v, depth, section)
	case *ast.AnchorNode:
		return d.node(v.Value, depth, section)
	case *ast.AliasNode:
		return nil, templateErr("YAML aliases are not allowed in CloudFormation templates")
	}
	return scalar(n)
}

func scalar(n ast.Node) (any, error) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, nil
	case *ast.LiteralNode:
		return v.Value.Value, nil
	case *ast.BoolNode:
		return v.Value, nil
	case *ast.IntegerNode:
		return numberString(v.Value), nil
	case *ast.FloatNode:
		if json.Valid([]byte(v.Token.Value)) {
			return json.Number(v.Token.Value), nil
		}
		return numberString(v.Value), nil
	case *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, nil
	}
	return nil, yamlMalformedAt(n.GetToken())
}

func (d *yamlDecoder) mapping(m *ast.MappingNode, depth int, section string) (any, error) {
	out := make(map[string]any, len(m.Values))
	for _, mv := range m.Values {
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			return nil, templateErr("YAML aliases are not allowed in CloudFormation templates")
		}
		k, err := d.node(mv.Key, depth+1, "")
		if err != nil {
			return nil, err
		}
		key, ok := scalarKey(k)
		if !ok {
			return nil, yamlMalformedAt(mv.Key.GetToken())
		}
		if _, dup := out[key]; dup {
			return nil, yamlMalformedAt(mv.Key.GetToken())
		}
		if depth == 1 {
			d.order[section] = append(d.order[section], key)
		}
		val, err := d.node(mv.Value, depth+1, key)
		if err != nil {
			return nil, err
		}
		out[key] = val
	}
	return out, nil
}

func scalarKey(k any) (string, bool) {
	switch v := k.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case nil:
		return "null", true
	}
	return "", false
}

// tag converts a tagged node: a short-form function becomes its single-key
// map, YAML's own !!str keeps the scalar's text, other standard tags pass the
// value through, and an unknown tag is malformed YAML, as CloudFormation says.
func (d *yamlDecoder) tag(t *ast.TagNode, depth int, section string) (any, error) {
	name := t.Start.Value
	if fn, ok := shortForms[name]; ok {
		v, err := d.node(t.Value, depth+1, "")
		if err != nil {
			return nil, err
		}
		if s, isStr := v.(string); isStr && fn == fnGetAtt {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
		return map[string]any{fn: v}, nil
	}
	switch name {
	case "!!str":
		if tok := t.Value.GetToken(); tok != nil {
			if _, isScalar := t.Value.(ast.ScalarNode); isScalar {
				return tok.Value, nil
			}
		}
		return d.node(t.Value, depth, section)
	case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq", "!!binary", "!!timestamp", "!!omap", "!!set":
		return d.node(t.Value, depth, section)
	}
	return nil, yamlMalformedAt(t.Start)
}
