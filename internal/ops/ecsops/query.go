package ecsops

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// ECS's cluster query language, as ListContainerInstances' filter uses it:
// expressions `subject operator [argument]` joined by &&/and, ||/or, !/not
// and parentheses. Subjects: attribute:NAME, agentConnected, agentVersion,
// ec2InstanceId, registeredAt, runningTasksCount and task:group, each with
// the operators ECS documents for it; an expression outside the language
// is refused with InvalidParameterException.

// MaxQueryLength bounds a cluster query expression.
const MaxQueryLength = 2048

// queryInstance is what an expression is evaluated against: an instance,
// its running-task count and the groups of its tasks that have not stopped.
type queryInstance struct {
	ci      model.ContainerInstance
	running int
	groups  []string
}

// instanceQuery is a parsed expression.
type instanceQuery interface {
	match(q queryInstance) bool
}

type (
	queryAnd struct{ l, r instanceQuery }
	queryOr  struct{ l, r instanceQuery }
	queryNot struct{ e instanceQuery }
)

func (e queryAnd) match(q queryInstance) bool { return e.l.match(q) && e.r.match(q) }
func (e queryOr) match(q queryInstance) bool  { return e.l.match(q) || e.r.match(q) }
func (e queryNot) match(q queryInstance) bool { return !e.e.match(q) }

// Operators, by their symbol; the word forms map onto them.
var queryOpWords = map[string]string{
	"==": "==", "equals": "==", "!=": "!=", "not_equals": "!=",
	">": ">", "greater_than": ">", ">=": ">=", "greater_than_equal": ">=",
	"<": "<", "less_than": "<", "<=": "<=", "less_than_equal": "<=",
	"exists": "exists", "!exists": "!exists", "not_exists": "!exists",
	"in": "in", "!in": "!in", "not_in": "!in", "=~": "=~", "matches": "=~", "!~": "!~", "not_matches": "!~",
}

// The operators each subject takes, as ECS's reference lists them.
var (
	opsMembership = []string{"==", "!=", "in", "!in", "=~", "!~"}
	opsOrdered    = []string{"==", "!=", ">", ">=", "<", "<="}
	opsAttribute  = []string{"==", "!=", ">", ">=", "<", "<=", "exists", "!exists", "in", "!in", "=~", "!~"}
)

func subjectOps(subject string) []string {
	switch subject {
	case "agentConnected", "ec2InstanceId", "task:group":
		return opsMembership
	case "agentVersion", "registeredAt", "runningTasksCount":
		return opsOrdered
	}
	if strings.HasPrefix(subject, "attribute:") && len(subject) > len("attribute:") {
		return opsAttribute
	}
	return nil
}

// queryCond is one `subject operator [argument]`.
type queryCond struct {
	subject, op string
	args        []string
	re          *regexp.Regexp
	date        time.Time
	num         int
}

func (c *queryCond) match(q queryInstance) bool {
	if c.subject == "task:group" {
		hit := slices.ContainsFunc(q.groups, c.positive)
		return hit == !negated(c.op)
	}
	value, ok := c.value(q)
	switch c.op {
	case "exists":
		return ok
	case "!exists":
		return !ok
	}
	if !ok {
		return negated(c.op)
	}
	if negated(c.op) {
		return !c.positive(value)
	}
	switch c.op {
	case ">", ">=", "<", "<=":
		return orderHolds(c.op, c.compare(value))
	}
	return c.positive(value)
}

// negated reports whether op is the negation of a membership test.
func negated(op string) bool { return op == "!=" || op == "!in" || op == "!~" }

// positive is the un-negated test of a value: equality, membership or a
// whole-value match of the pattern.
func (c *queryCond) positive(v string) bool {
	switch c.op {
	case "==", "!=":
		return c.equal(v)
	case "in", "!in":
		return slices.Contains(c.args, v)
	case "=~", "!~":
		return c.re.MatchString(v)
	}
	return false
}

func (c *queryCond) equal(v string) bool {
	if c.subject == "registeredAt" || c.subject == "runningTasksCount" {
		return c.compare(v) == 0
	}
	return v == c.args[0]
}

// compare orders a value against the argument: numerically for counts,
// by time for registeredAt, by dotted numbers for agentVersion.
func (c *queryCond) compare(v string) int {
	switch c.subject {
	case "runningTasksCount":
		n, _ := strconv.Atoi(v)
		return n - c.num
	case "registeredAt":
		t, _ := time.Parse(time.RFC3339Nano, v)
		return t.Compare(c.date)
	}
	return compareVersions(v, c.args[0])
}

func orderHolds(op string, cmp int) bool {
	switch op {
	case ">":
		return cmp > 0
	case ">=":
		return cmp >= 0
	case "<":
		return cmp < 0
	}
	return cmp <= 0
}

// value is the subject's value on the instance and whether it has one.
func (c *queryCond) value(q queryInstance) (string, bool) {
	switch c.subject {
	case "agentConnected":
		return strconv.FormatBool(q.ci.AgentConnected), true
	case "agentVersion":
		return q.ci.VersionInfo.AgentVersion, true
	case "ec2InstanceId":
		return q.ci.EC2InstanceID, q.ci.EC2InstanceID != ""
	case "registeredAt":
		return q.ci.RegisteredAt.Format(time.RFC3339Nano), true
	case "runningTasksCount":
		return strconv.Itoa(q.running), true
	}
	name := strings.TrimPrefix(c.subject, "attribute:")
	for _, a := range q.ci.Attributes {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// compareVersions orders dotted version numbers (1.9.0 < 1.10.0); parts
// that are not numbers compare as text.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(strings.TrimPrefix(a, "v"), "."), strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := range max(len(pa), len(pb)) {
		x, y := "0", "0"
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		nx, ex := strconv.Atoi(x)
		ny, ey := strconv.Atoi(y)
		switch {
		case ex == nil && ey == nil && nx != ny:
			return nx - ny
		case (ex != nil || ey != nil) && x != y:
			return strings.Compare(x, y)
		}
	}
	return 0
}

// queryDateLayouts are the registeredAt formats ECS documents.
var queryDateLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"}

// check validates the condition's operator and argument for its subject and
// prepares what matching needs (the pattern, the date, the count).
func (c *queryCond) check() error {
	if !slices.Contains(subjectOps(c.subject), c.op) {
		return fmt.Errorf("the operator %s is not valid for %s", c.op, c.subject)
	}
	switch {
	case c.op == "exists" || c.op == "!exists":
		if len(c.args) != 0 {
			return fmt.Errorf("%s takes no argument", c.op)
		}
		return nil
	case c.op == "in" || c.op == "!in":
		if len(c.args) == 0 {
			return fmt.Errorf("%s needs an argument list", c.op)
		}
		return nil
	case len(c.args) != 1:
		return fmt.Errorf("%s %s needs one argument", c.subject, c.op)
	}
	var err error
	switch {
	case c.op == "=~" || c.op == "!~":
		c.re, err = regexp.Compile("^(?:" + c.args[0] + ")$")
	case c.subject == "runningTasksCount":
		c.num, err = strconv.Atoi(c.args[0])
	case c.subject == "registeredAt":
		err = fmt.Errorf("%q is not a date", c.args[0])
		for _, layout := range queryDateLayouts {
			if t, perr := time.Parse(layout, c.args[0]); perr == nil {
				c.date, err = t, nil
				break
			}
		}
	}
	if err != nil {
		return fmt.Errorf("invalid argument for %s: %w", c.subject, err)
	}
	return nil
}
