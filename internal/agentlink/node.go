package agentlink

import (
	"slices"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/model"
)

// instanceStale reports whether a registered instance no longer describes
// the node (a restart chose another runtime, or the engine was upgraded).
func instanceStale(ci model.ContainerInstance, n agent.Node) bool {
	return ci.Internal.Runtime != n.Runtime || ci.VersionInfo.DockerVersion != dockerVersion(n) ||
		!slices.Equal(ci.Attributes, nodeAttributes(n))
}

// nodeAttributes are the container instance's attributes: the OS, the
// runtime and why it was chosen, and the capabilities the runtime offers.
func nodeAttributes(n agent.Node) []model.Attribute {
	out := []model.Attribute{
		{Name: "ecs.os-type", Value: "linux"},
		{Name: "slipway.runtime", Value: n.Runtime},
	}
	if n.RuntimeReason != "" {
		out = append(out, model.Attribute{Name: "slipway.runtime-reason", Value: attributeValue(n.RuntimeReason)})
	}
	return append(out, n.Attributes...)
}

// attributeValue fits a text into an ECS attribute value: at most 128 of
// letters, digits, hyphens, underscores, periods, at signs, slashes, colons
// and spaces.
func attributeValue(s string) string {
	b := []rune(s)
	for i, c := range b {
		ok := c == '-' || c == '_' || c == '.' || c == '@' || c == '/' || c == ':' || c == ' ' ||
			c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !ok {
			b[i] = ' '
		}
	}
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}

// dockerVersion is versionInfo.dockerVersion as ECS's agent reports it.
func dockerVersion(n agent.Node) string {
	if n.DockerVersion == "" {
		return ""
	}
	return "DockerVersion: " + n.DockerVersion
}
