package awsmodel

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Node is an XML element of a Query protocol answer.
type Node struct {
	Name     string
	Text     string
	Children []*Node
}

// Child returns the first child named name, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ParseXML reads an XML document into its root Node.
func ParseXML(body []byte) (*Node, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*Node
	var root *Node
	for {
		tok, err := dec.Token()
		if err != nil {
			if root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &Node{Name: t.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

// CheckXML returns what in a Query protocol answer to op does not fit the
// model: the envelope (OpResponse holding the result wrapper and
// ResponseMetadata), elements the shapes do not have, lists not of
// "member" elements, text that is not of the model's type, enum values the
// model does not list, and members sent twice.
func (m *Model) CheckXML(op string, body []byte) []string {
	out, wrapper, err := m.output(op)
	if err != nil {
		return []string{err.Error()}
	}
	root, err := ParseXML(body)
	if err != nil {
		return []string{fmt.Sprintf("%s: answer is not XML: %v", op, err)}
	}
	var problems []string
	if root.Name != op+"Response" {
		return []string{fmt.Sprintf("root element %s, want %sResponse", root.Name, op)}
	}
	for _, c := range root.Children {
		switch {
		case c.Name == "ResponseMetadata":
		case c.Name == wrapper && out != nil:
			m.walkXML(out, c, op, &problems)
		default:
			problems = append(problems, fmt.Sprintf("%s: element %s is not in the model", root.Name, c.Name))
		}
	}
	if root.Child("ResponseMetadata") == nil || root.Child("ResponseMetadata").Child("RequestId") == nil {
		problems = append(problems, root.Name+": no ResponseMetadata.RequestId")
	}
	return problems
}

func (m *Model) walkXML(s *Shape, n *Node, path string, problems *[]string) {
	bad := func(format string, args ...any) {
		*problems = append(*problems, path+": "+fmt.Sprintf(format, args...))
	}
	text := strings.TrimSpace(n.Text)
	switch s.Type {
	case "structure":
		byWire := map[string]Ref{}
		for name, ref := range s.Members {
			byWire[ref.wireName(name)] = ref
		}
		seen := map[string]bool{}
		for _, c := range n.Children {
			ref, ok := byWire[c.Name]
			if !ok {
				bad("element %s is not in the model", c.Name)
				continue
			}
			if seen[c.Name] {
				bad("element %s sent twice", c.Name)
			}
			seen[c.Name] = true
			m.walkXML(m.Shapes[ref.Shape], c, path+"."+c.Name, problems)
		}
	case "list":
		name := s.Member.wireName("member")
		for i, c := range n.Children {
			if c.Name != name {
				bad("list element %s, want %s", c.Name, name)
				continue
			}
			m.walkXML(m.Shapes[s.Member.Shape], c, fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case "map":
		for _, c := range n.Children {
			if c.Name != "entry" || c.Child(s.Key.wireName("key")) == nil {
				bad("map element %s, want entry with key and value", c.Name)
				continue
			}
			if v := c.Child(s.Value.wireName("value")); v != nil {
				m.walkXML(m.Shapes[s.Value.Shape], v, path+"."+c.Child(s.Key.wireName("key")).Text, problems)
			}
		}
	case "string", "blob":
		if len(n.Children) > 0 {
			bad("elements inside a string")
		}
		if len(s.Enum) > 0 && !contains(s.Enum, text) {
			bad("%q is not one of the model's values %v", text, s.Enum)
		}
	case "integer", "long":
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			bad("%q is not an integer", text)
		}
	case "double", "float":
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			bad("%q is not a number", text)
		}
	case "boolean":
		if text != "true" && text != "false" {
			bad("%q is not a boolean", text)
		}
	case "timestamp":
		if !strings.Contains(text, "T") { // Query protocols send ISO 8601
			bad("%q is not an ISO 8601 time", text)
		}
	}
}

// Find returns the nodes at path below n: element names separated by
// dots, "member" for every element of a list
// ("LoadBalancers.member.State.Code").
func (n *Node) Find(path string) []*Node {
	cur := []*Node{n}
	for _, part := range strings.Split(path, ".") {
		var next []*Node
		for _, c := range cur {
			for _, cc := range c.Children {
				if cc.Name == part {
					next = append(next, cc)
				}
			}
		}
		cur = next
	}
	return cur
}
