package template

import (
	"strings"
	"testing"
)

// TestYAMLEmptyDocuments: a stream whose documents are empty is refused with
// CloudFormation's message, not a panic (the YAML library's DocumentNode
// dereferences a nil body).
func TestYAMLEmptyDocuments(t *testing.T) {
	for _, body := range []string{
		"Resources: {}\n---\n",
		"---\n---\n",
		"---\n...\n---\n",
		"Resources:\n  A: {Type: T}\n--- \n...\n",
		"--- \n",
	} {
		_, err := Parse([]byte(body))
		if err == nil || !strings.Contains(err.Error(), "Template format error") {
			t.Errorf("Parse(%q) = %v, want a template format error", body, err)
		}
	}
}
