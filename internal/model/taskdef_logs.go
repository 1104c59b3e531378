package model

import (
	"slices"
	"strings"
)

// Log drivers of a container's logConfiguration.
const (
	// LogDriverAwslogs ships the container's output to CloudWatch Logs, which
	// Slipway serves itself (see internal/agent/awslogs.go).
	LogDriverAwslogs = "awslogs"
)

// logDrivers are the drivers ECS accepts. Slipway honours awslogs; the others
// are stored and echoed, and the output stays in the container's log files.
var logDrivers = []string{"awslogs", "fluentd", "gelf", "json-file", "journald", "logentries", "splunk", "syslog", "awsfirelens"}

// LogConfiguration is a container's logConfiguration.
type LogConfiguration struct {
	LogDriver     string            `json:"logDriver"`
	Options       map[string]string `json:"options,omitempty"`
	SecretOptions []Secret          `json:"secretOptions,omitempty"`
}

// validateLogConfiguration applies ECS's registration rules: a known driver.
// The awslogs options are checked when a task starts, as the driver checks them.
func validateLogConfiguration(c *ContainerDefinition) error {
	lc := c.LogConfiguration
	if lc == nil {
		return nil
	}
	if !slices.Contains(logDrivers, lc.LogDriver) {
		return paramErr("Invalid logDriver '%s' for container '%s'. Valid values are %s.", lc.LogDriver, c.Name, strings.Join(logDrivers, ", "))
	}
	return nil
}
