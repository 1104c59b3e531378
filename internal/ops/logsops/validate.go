package logsops

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// CloudWatch Logs error codes.
const (
	codeInvalidParameter = "InvalidParameterException"
	codeNotFound         = "ResourceNotFoundException"
	codeAlreadyExists    = "ResourceAlreadyExistsException"
	codeLimitExceeded    = "LimitExceededException"
	codeTooManyTags      = "TooManyTagsException"
	codeValidation       = "ValidationException"
)

// Member constraints of the service model (botocore's logs 2014-03-28).
const (
	patGroupName      = `[\.\-_/#A-Za-z0-9]+`
	patStreamName     = `[^:*]*`
	patGroupIdent     = `[\w#+=/:,.@-]*`
	patARN            = `[\w+=/:,.@-]*`
	patTagKey         = `^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`
	patTagValue       = `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`
	maxNameLen        = 512
	maxIdentLen       = 2048
	maxARNLen         = 1011
	maxKMSKeyLen      = 256
	maxTags           = 50
	maxTagKeyLen      = 128
	maxTagValueLen    = 256
	maxDescribeLimit  = 50
	maxEventsLimit    = 10000
	maxStreamNames    = 100
	maxGroupIdents    = 50
	maxFilterPattern  = 1024
	maxAccountIDs     = 20
	maxEntityKeyAttrs = 4
)

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// groupClasses are the log group classes.
var groupClasses = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}

var (
	reGroupName  = anchored(patGroupName)
	reStreamName = anchored(patStreamName)
	reGroupIdent = anchored(patGroupIdent)
	reARN        = anchored(patARN)
	reTagKey     = regexp.MustCompile(patTagKey)
	reTagValue   = regexp.MustCompile(patTagValue)
)

// anchored matches a whole value, as the service applies its patterns.
func anchored(p string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + p + `)$`) }

// validation collects member-constraint violations and reports them all at once,
// in CloudWatch's words: "2 validation errors detected: Value 'x' at 'limit'
// failed to satisfy constraint: Member must have value less than or equal to 50;
// Value ...".
type validation struct{ errs []string }

func (v *validation) fail(value any, member, constraint string) {
	shown := "null"
	if value != nil {
		shown = fmt.Sprintf("'%v'", value)
	}
	v.errs = append(v.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", shown, member, constraint))
}

func (v *validation) err() error {
	switch n := len(v.errs); n {
	case 0:
		return nil
	case 1:
		return awserr.New(codeInvalidParameter, "1 validation error detected: %s", v.errs[0])
	default:
		return awserr.New(codeInvalidParameter, "%d validation errors detected: %s", n, strings.Join(v.errs, "; "))
	}
}

// required checks a required string member.
func (v *validation) required(member, s string) bool {
	if s == "" {
		v.fail(nil, member, "Member must not be null")
		return false
	}
	return true
}

// str checks an optional (or already-present required) string's length and
// pattern; an empty optional string is absent.
func (v *validation) str(member, s string, minLen, maxLen int, re *regexp.Regexp, pattern string) {
	n := utf8.RuneCountInString(s)
	switch {
	case n < minLen:
		v.fail(s, member, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	case maxLen > 0 && n > maxLen:
		v.fail(s, member, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	case re != nil && !re.MatchString(s):
		v.fail(s, member, "Member must satisfy regular expression pattern: "+pattern)
	}
}

func (v *validation) groupName(member, s string, required bool) {
	if (required && v.required(member, s)) || s != "" {
		v.str(member, s, 1, maxNameLen, reGroupName, patGroupName)
	}
}

func (v *validation) streamName(member, s string, required bool) {
	if (required && v.required(member, s)) || s != "" {
		v.str(member, s, 1, maxNameLen, reStreamName, patStreamName)
	}
}

// intRange checks an optional integer member.
func (v *validation) intRange(member string, n *int, lo, hi int) {
	switch {
	case n == nil:
	case *n < lo:
		v.fail(*n, member, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	case *n > hi:
		v.fail(*n, member, fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
}

func (v *validation) timestamp(member string, t *int64) {
	if t != nil && *t < 0 {
		v.fail(*t, member, "Member must have value greater than or equal to 0")
	}
}

func (v *validation) enum(member, s string, allowed []string) {
	if s != "" && !slices.Contains(allowed, s) {
		v.fail(s, member, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
	}
}

func (v *validation) listLen(member string, n, lo, hi int) {
	switch {
	case n < lo:
		v.fail(fmt.Sprintf("[%d items]", n), member, fmt.Sprintf("Member must have length greater than or equal to %d", lo))
	case n > hi:
		v.fail(fmt.Sprintf("[%d items]", n), member, fmt.Sprintf("Member must have length less than or equal to %d", hi))
	}
}

// tags checks a tags map (minItems applies when the map is given at all).
func (v *validation) tags(member string, tags Tags, minItems int) {
	if tags == nil {
		return
	}
	v.listLen(member, len(tags), minItems, maxTags)
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		v.tagKey(member+".key", k)
		v.str(member+".value", tags[k], 0, maxTagValueLen, reTagValue, patTagValue)
	}
}

func (v *validation) tagKey(member, k string) {
	v.str(member, k, 1, maxTagKeyLen, reTagKey, patTagKey)
}

func (v *validation) nextToken(member, s string) {
	if s != "" {
		v.str(member, s, 1, 0, nil, "")
	}
}
