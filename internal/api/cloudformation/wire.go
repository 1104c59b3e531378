package cloudformation

import (
	"time"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

// list is a Query-protocol XML list: <Name><member>...</member></Name>.
type list[T any] struct {
	Member []T `xml:"member"`
}

func listOf[T any](items []T) *list[T] {
	if len(items) == 0 {
		return nil
	}
	return &list[T]{Member: items}
}

// isoTime formats t as CloudFormation does (ISO 8601, milliseconds, UTC).
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return isoTime(t)
}

// noEcho is what CloudFormation shows for a NoEcho parameter's value.
const noEcho = "****"

type wireParameter struct {
	ParameterKey   string
	ParameterValue string
	ResolvedValue  string `xml:",omitempty"`
}

func wireParameters(ps []stack.Parameter) *list[wireParameter] {
	var out []wireParameter
	for _, p := range ps {
		v := p.Value
		if p.NoEcho {
			v = noEcho
		}
		out = append(out, wireParameter{ParameterKey: p.Key, ParameterValue: v, ResolvedValue: p.ResolvedValue})
	}
	return listOf(out)
}

type wireTag struct{ Key, Value string }

func wireTags(ts []stack.Tag) *list[wireTag] {
	var out []wireTag
	for _, t := range ts {
		out = append(out, wireTag{t.Key, t.Value})
	}
	return listOf(out)
}

type wireOutput struct {
	OutputKey   string
	OutputValue string
	Description string `xml:",omitempty"`
	ExportName  string `xml:",omitempty"`
}

type wireDrift struct {
	StackDriftStatus   string
	LastCheckTimestamp string `xml:",omitempty"`
}

type wireStack struct {
	StackId                     string
	StackName                   string
	ChangeSetId                 string `xml:",omitempty"`
	Description                 string `xml:",omitempty"`
	Parameters                  *list[wireParameter]
	CreationTime                string
	DeletionTime                string `xml:",omitempty"`
	LastUpdatedTime             string `xml:",omitempty"`
	RollbackConfiguration       struct{}
	StackStatus                 string
	StackStatusReason           string `xml:",omitempty"`
	DisableRollback             bool
	NotificationARNs            *list[string]
	TimeoutInMinutes            int `xml:",omitempty"`
	Capabilities                *list[string]
	Outputs                     *list[wireOutput]
	RoleARN                     string `xml:",omitempty"`
	Tags                        *list[wireTag]
	EnableTerminationProtection bool
	ParentId                    string `xml:",omitempty"`
	RootId                      string `xml:",omitempty"`
	DriftInformation            wireDrift
}

func toWireStack(s *stack.Stack) wireStack {
	w := wireStack{StackId: s.ID, StackName: s.Name, ChangeSetId: s.ChangeSetID, Description: s.Description,
		Parameters: wireParameters(s.Current.Parameters), CreationTime: isoTime(s.Created), DeletionTime: optTime(s.Deleted),
		LastUpdatedTime: optTime(s.Updated), StackStatus: s.Status, StackStatusReason: s.StatusReason,
		DisableRollback: s.DisableRollback, NotificationARNs: listOf(s.Current.NotificationARNs),
		TimeoutInMinutes: s.Current.TimeoutInMinutes, Capabilities: listOf(s.Current.Capabilities), RoleARN: s.Current.RoleARN,
		Tags: wireTags(s.Current.Tags), EnableTerminationProtection: s.TerminationGuard, ParentId: s.ParentID, RootId: s.RootID,
		DriftInformation: wireDrift{StackDriftStatus: "NOT_CHECKED"}}
	var outs []wireOutput
	for _, o := range s.Outputs {
		outs = append(outs, wireOutput{OutputKey: o.Key, OutputValue: o.Value, Description: o.Description, ExportName: o.ExportName})
	}
	w.Outputs = listOf(outs)
	return w
}

type wireStackSummary struct {
	StackId             string
	StackName           string
	TemplateDescription string `xml:",omitempty"`
	CreationTime        string
	LastUpdatedTime     string `xml:",omitempty"`
	DeletionTime        string `xml:",omitempty"`
	StackStatus         string
	StackStatusReason   string `xml:",omitempty"`
	ParentId            string `xml:",omitempty"`
	RootId              string `xml:",omitempty"`
	DriftInformation    wireDrift
}

type wireEvent struct {
	StackId              string
	EventId              string
	StackName            string
	LogicalResourceId    string
	PhysicalResourceId   string
	ResourceType         string
	Timestamp            string
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	ResourceProperties   string `xml:",omitempty"`
	ClientRequestToken   string `xml:",omitempty"`
}

func toWireEvent(e stack.Event) wireEvent {
	return wireEvent{StackId: e.StackID, EventId: e.EventID, StackName: e.StackName, LogicalResourceId: e.LogicalID,
		PhysicalResourceId: e.PhysicalID, ResourceType: e.Type, Timestamp: isoTime(e.Timestamp), ResourceStatus: e.Status,
		ResourceStatusReason: e.Reason, ResourceProperties: e.Properties, ClientRequestToken: e.Token}
}

type wireResourceDrift struct {
	StackResourceDriftStatus string
}

var notChecked = wireResourceDrift{StackResourceDriftStatus: "NOT_CHECKED"}

type wireStackResource struct {
	StackName            string
	StackId              string
	LogicalResourceId    string
	PhysicalResourceId   string `xml:",omitempty"`
	ResourceType         string
	Timestamp            string
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	DriftInformation     wireResourceDrift
}

type wireResourceDetail struct {
	StackName            string
	StackId              string
	LogicalResourceId    string
	PhysicalResourceId   string `xml:",omitempty"`
	ResourceType         string
	LastUpdatedTimestamp string
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	Metadata             string `xml:",omitempty"`
	DriftInformation     wireResourceDrift
}

type wireResourceSummary struct {
	LogicalResourceId    string
	PhysicalResourceId   string `xml:",omitempty"`
	ResourceType         string
	LastUpdatedTimestamp string
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	DriftInformation     wireResourceDrift
}
