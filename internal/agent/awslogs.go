package agent

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
)

// The awslogs log driver: a container whose logConfiguration names it has its
// stdout and stderr shipped, line by line with their times, into this server's
// CloudWatch Logs store (logship.go), as ECS's agent has Docker's awslogs driver
// send them to CloudWatch Logs. These are its options, as Docker and ECS name them.
const (
	optGroup       = "awslogs-group"
	optRegion      = "awslogs-region"
	optPrefix      = "awslogs-stream-prefix"
	optCreateGroup = "awslogs-create-group"
	optDatetime    = "awslogs-datetime-format"
	optMultiline   = "awslogs-multiline-pattern"
	optMode        = "mode"
)

// awslogsSupported are the options Slipway honours; awslogsOthers are the rest
// of what Docker's awslogs driver knows, refused by name rather than ignored.
var (
	awslogsSupported = []string{optGroup, optRegion, optPrefix, optCreateGroup, optDatetime, optMultiline, optMode}
	awslogsOthers    = []string{"awslogs-endpoint", "awslogs-stream", "awslogs-create-stream", "awslogs-credentials-endpoint",
		"awslogs-force-flush-interval-seconds", "awslogs-max-buffer-size", "awslogs-format", "max-buffer-size", "tag"}
)

// awslogsConfig is a container's awslogs configuration.
type awslogsConfig struct {
	group       string
	region      string // stored and echoed: this server's one store takes every region's logs
	prefix      string
	createGroup bool
	// startOfEvent, when set, marks the lines that begin a new event; the lines
	// between two such lines make one multi-line event.
	startOfEvent *regexp.Regexp
}

// parseAwslogs reads a container's awslogs configuration: nil when it uses
// another log driver (or none). Errors are worded as the task's stop reason.
func parseAwslogs(cd model.ContainerDefinition) (*awslogsConfig, error) {
	lc := cd.LogConfiguration
	if lc == nil || lc.LogDriver != model.LogDriverAwslogs {
		return nil, nil
	}
	for _, k := range slices.Sorted(maps.Keys(lc.Options)) {
		switch {
		case slices.Contains(awslogsOthers, k):
			return nil, fmt.Errorf("CannotStartContainerError: log option %s of container %s is not supported by Slipway; "+
				"supported: %s", k, cd.Name, strings.Join(awslogsSupported, ", "))
		case !slices.Contains(awslogsSupported, k):
			return nil, fmt.Errorf("CannotStartContainerError: Error response from daemon: unknown log opt '%s' for awslogs log driver", k)
		}
	}
	if len(lc.SecretOptions) > 0 {
		return nil, fmt.Errorf("CannotStartContainerError: secretOptions of the awslogs log driver (container %s) are not supported by Slipway", cd.Name)
	}
	o := lc.Options
	c := &awslogsConfig{group: o[optGroup], region: o[optRegion], prefix: o[optPrefix]}
	if c.group == "" {
		return nil, fmt.Errorf("CannotStartContainerError: Error response from daemon: must specify valid value for log opt '%s'", optGroup)
	}
	if v, ok := o[optCreateGroup]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("CannotStartContainerError: Error response from daemon: invalid value for log opt '%s': %s", optCreateGroup, v)
		}
		c.createGroup = b
	}
	if m, ok := o[optMode]; ok && m != "blocking" && m != "non-blocking" {
		return nil, fmt.Errorf("CannotStartContainerError: Error response from daemon: logger: unknown mode %s (want blocking or non-blocking)", m)
	}
	var err error
	switch {
	// Docker gives the datetime format precedence over the multi-line pattern.
	case o[optDatetime] != "":
		c.startOfEvent, err = regexp.Compile("^" + strftimeRegexp(o[optDatetime]))
	case o[optMultiline] != "":
		c.startOfEvent, err = regexp.Compile(o[optMultiline])
	}
	if err != nil {
		return nil, fmt.Errorf("CannotStartContainerError: Error response from daemon: invalid awslogs multi-line pattern: %v", err)
	}
	return c, nil
}

// streamName is the stream ECS names for a container: prefix/container/task-id;
// without a prefix, the container's id (Docker's container id on ECS, here the
// container's runtime id).
func (c *awslogsConfig) streamName(taskID, container, runtimeID string) string {
	if c.prefix == "" {
		return runtimeID
	}
	return c.prefix + "/" + container + "/" + taskID
}

// strftimeRegexp turns an awslogs-datetime-format (strftime, as Docker's driver
// reads it) into a regular expression for the start of a line.
func strftimeRegexp(format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteString(regexp.QuoteMeta(format[i : i+1]))
			continue
		}
		i++
		if re, ok := strftimeParts[format[i]]; ok {
			b.WriteString(re)
		} else {
			b.WriteString(regexp.QuoteMeta(format[i-1 : i+1]))
		}
	}
	return b.String()
}

var strftimeParts = map[byte]string{
	'a': `(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)`,
	'A': `(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`,
	'b': `(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`,
	'B': `(?:January|February|March|April|May|June|July|August|September|October|November|December)`,
	'd': `(?:0[1-9]|[12][0-9]|3[01])`,
	'e': `(?: [1-9]|[12][0-9]|3[01])`,
	'f': `[0-9]{6}`,
	'H': `(?:[01][0-9]|2[0-3])`,
	'I': `(?:0[1-9]|1[0-2])`,
	'j': `(?:[0-2][0-9]{2}|3[0-5][0-9]|36[0-6])`,
	'L': `\.[0-9]{3}`,
	'm': `(?:0[1-9]|1[0-2])`,
	'M': `[0-5][0-9]`,
	'p': `[AP]M`,
	'S': `[0-5][0-9]`,
	'U': `(?:[0-4][0-9]|5[0-3])`,
	'w': `[0-6]`,
	'W': `(?:[0-4][0-9]|5[0-3])`,
	'y': `[0-9]{2}`,
	'Y': `[0-9]{4}`,
	'z': `[+-][0-9]{4}`,
	'Z': `[A-Za-z_/+-]+`,
	'%': `%`,
}
