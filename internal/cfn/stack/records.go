package stack

import (
	"time"
)

// Stack statuses, as CloudFormation names them.
const (
	StatusCreateInProgress              = "CREATE_IN_PROGRESS"
	StatusCreateFailed                  = "CREATE_FAILED"
	StatusCreateComplete                = "CREATE_COMPLETE"
	StatusRollbackInProgress            = "ROLLBACK_IN_PROGRESS"
	StatusRollbackFailed                = "ROLLBACK_FAILED"
	StatusRollbackComplete              = "ROLLBACK_COMPLETE"
	StatusDeleteInProgress              = "DELETE_IN_PROGRESS"
	StatusDeleteFailed                  = "DELETE_FAILED"
	StatusDeleteComplete                = "DELETE_COMPLETE"
	StatusDeleteSkipped                 = "DELETE_SKIPPED"
	StatusUpdateInProgress              = "UPDATE_IN_PROGRESS"
	StatusUpdateCompleteCleanupProgress = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
	StatusUpdateComplete                = "UPDATE_COMPLETE"
	StatusUpdateFailed                  = "UPDATE_FAILED"
	StatusUpdateRollbackInProgress      = "UPDATE_ROLLBACK_IN_PROGRESS"
	StatusUpdateRollbackFailed          = "UPDATE_ROLLBACK_FAILED"
	StatusUpdateRollbackCleanupProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
	StatusUpdateRollbackComplete        = "UPDATE_ROLLBACK_COMPLETE"
	StatusReviewInProgress              = "REVIEW_IN_PROGRESS"
	reasonUserInitiated                 = "User Initiated"
	reasonCreationCancelled             = "Resource creation cancelled"
	reasonUpdateCancelled               = "Resource update cancelled"
	reasonReplacement                   = "Requested update requires the creation of a new physical resource; hence creating one."
	reasonRestarted                     = "Slipway restarted while the operation was in progress"
	reasonCancelled                     = "Stack update cancelled"
)

// OnFailure values of CreateStack.
const (
	OnFailureRollback  = "ROLLBACK"
	OnFailureDoNothing = "DO_NOTHING"
	OnFailureDelete    = "DELETE"
)

// Stack is a stack's stored record (ours, not the wire's).
type Stack struct {
	ID, Name     string
	Status       string
	StatusReason string `json:",omitempty"`
	Description  string `json:",omitempty"`
	Created      time.Time
	Updated      time.Time `json:",omitzero"`
	Deleted      time.Time `json:",omitzero"`
	// Current is the template and parameters the stack has (or, during an
	// operation, is moving to); Previous what it had before the update in
	// progress, to roll back to. Previous is nil outside updates.
	Current  Config
	Previous *Config `json:",omitempty"`
	// Outputs are the resolved outputs of the last successful operation.
	Outputs []Output `json:",omitempty"`
	// Imports are the export names the stack's template imports.
	Imports          []string `json:",omitempty"`
	DisableRollback  bool     `json:",omitempty"`
	OnFailure        string   `json:",omitempty"`
	RetainResources  []string `json:",omitempty"`
	TerminationGuard bool     `json:",omitempty"`
	// ChangeSetID is the change set the stack was created for or last executed.
	ChangeSetID string `json:",omitempty"`
	// Token is the ClientRequestToken of the operation in progress.
	Token string `json:",omitempty"`
	// CancelRequested is set by CancelUpdateStack until the update in
	// progress is turned into its rollback.
	CancelRequested bool `json:",omitempty"`
	// ParentID and RootID are, for a nested stack, the stack whose
	// AWS::CloudFormation::Stack resource it is and that stack's root.
	ParentID string `json:",omitempty"`
	RootID   string `json:",omitempty"`
}

// Config is what an operation applies: a template and its parameters, with
// the settings CreateStack and UpdateStack take beside them.
type Config struct {
	Template         string
	Parameters       []Parameter `json:",omitempty"`
	Capabilities     []string    `json:",omitempty"`
	Tags             []Tag       `json:",omitempty"`
	NotificationARNs []string    `json:",omitempty"`
	RoleARN          string      `json:",omitempty"`
	TimeoutInMinutes int         `json:",omitempty"`
}

// Parameter is a parameter value as the stack keeps it.
type Parameter struct {
	Key, Value    string
	ResolvedValue string `json:",omitempty"`
	NoEcho        bool   `json:",omitempty"`
}

// Tag is a stack tag.
type Tag struct{ Key, Value string }

// Output is a resolved output.
type Output struct {
	Key, Value  string
	Description string `json:",omitempty"`
	ExportName  string `json:",omitempty"`
}

// Resource is a stack resource's stored record.
type Resource struct {
	StackID, LogicalID, Type string
	State
	Status       string
	StatusReason string `json:",omitempty"`
	Updated      time.Time
	// Old is the resource as it was before the update in progress changed
	// it. Replaced says it is another physical resource (replacement), to be
	// deleted at cleanup; otherwise it is the properties to roll back to.
	Old      *State `json:",omitempty"`
	Replaced bool   `json:",omitempty"`
	// RolledBack marks a replacement undone by a rollback: Old is then the
	// new physical resource, to be deleted at cleanup.
	RolledBack bool `json:",omitempty"`
}

// State is one physical resource: its id, the resolved properties it was
// made with and the attributes Fn::GetAtt reads.
type State struct {
	PhysicalID string         `json:",omitempty"`
	Properties map[string]any `json:",omitempty"`
	Attributes map[string]any `json:",omitempty"`
	// Name is the physical name CloudFormation generated when the template
	// gave none; it is known before the provider is called, so a crashed
	// creation can still be cleaned up.
	Name string `json:",omitempty"`
	// DeletionPolicy and UpdateReplacePolicy are the evaluated policies.
	DeletionPolicy      string `json:",omitempty"`
	UpdateReplacePolicy string `json:",omitempty"`
}

// Event is one stack event.
type Event struct {
	StackID, StackName string
	EventID            string
	LogicalID          string
	PhysicalID         string `json:",omitempty"`
	Type               string
	Timestamp          time.Time
	Status             string
	Reason             string `json:",omitempty"`
	Properties         string `json:",omitempty"`
	Token              string `json:",omitempty"`
}

// Change set statuses.
const (
	ChangeSetCreateComplete = "CREATE_COMPLETE"
	ChangeSetFailed         = "FAILED"
	ExecAvailable           = "AVAILABLE"
	ExecUnavailable         = "UNAVAILABLE"
	ExecInProgress          = "EXECUTE_IN_PROGRESS"
	ExecComplete            = "EXECUTE_COMPLETE"
	ExecFailed              = "EXECUTE_FAILED"
	ExecObsolete            = "OBSOLETE"
	ChangeSetTypeCreate     = "CREATE"
	ChangeSetTypeUpdate     = "UPDATE"
	reasonNoChanges         = "The submitted information didn't contain changes. Submit different information to create a change set."
)

// ChangeSet is a change set's stored record.
type ChangeSet struct {
	ID, Name, StackID, StackName string
	Type                         string
	Status, ExecutionStatus      string
	StatusReason                 string `json:",omitempty"`
	Description                  string `json:",omitempty"`
	Created                      time.Time
	Config                       Config
	Changes                      []ResourceChange `json:",omitempty"`
	DisableRollback              bool             `json:",omitempty"`
	OnFailure                    string           `json:",omitempty"`
}

// ResourceChange is one resource a change set changes.
type ResourceChange struct {
	Action       string // Add, Modify, Remove
	LogicalID    string
	PhysicalID   string `json:",omitempty"`
	Type         string
	Replacement  string   `json:",omitempty"` // True, False, Conditional
	Scope        []string `json:",omitempty"`
	Details      []ChangeDetail
	PolicyAction string `json:",omitempty"`
	// Before and After are the resource's properties (IncludePropertyValues).
	Before, After map[string]any `json:",omitempty"`
}

// ChangeDetail is one reason a resource changes.
type ChangeDetail struct {
	Attribute           string // Properties, ...
	Name                string
	RequiresRecreation  string
	Path                string `json:",omitempty"`
	BeforeValue         string `json:",omitempty"`
	AfterValue          string `json:",omitempty"`
	AttributeChangeType string `json:",omitempty"`
	Evaluation          string // Static, Dynamic
	ChangeSource        string
	CausingEntity       string `json:",omitempty"`
}

// Export is an exported output value.
type Export struct {
	Name, Value, StackID string
}
