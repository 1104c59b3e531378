package stack

import "context"

// Provider creates, updates and deletes the resources of one type through
// Slipway's typed operations layers. The engine gives it properties already
// resolved (no intrinsic functions left) and checked against the type's
// schema; a provider converts them to its operations' input and returns what
// Ref and Fn::GetAtt read. Errors are the operations' *awserr.Error values
// (the engine words them as CloudFormation's handler messages); a provider
// wraps ErrNotFound when the physical resource is gone.
type Provider interface {
	// Create makes the resource and returns its physical id (what Ref
	// returns) and attributes.
	Create(ctx context.Context, req *Request) (*Result, error)
	// Update changes the resource in place from req.Previous to
	// req.Properties. The engine calls it only when no changed property
	// requires replacement.
	Update(ctx context.Context, req *Request) (*Result, error)
	// Delete removes the resource named by req.PhysicalID.
	Delete(ctx context.Context, req *Request) error
}

// Request is one call to a Provider.
type Request struct {
	StackID, StackName, LogicalID, Type string
	// PhysicalID is the resource's id (Update, Delete).
	PhysicalID string
	// Properties are the resolved properties to apply; for a type with a
	// name property the template left out, it holds the generated name.
	Properties map[string]any
	// Previous are the properties the resource has (Update only), and
	// Attributes its current attributes.
	Previous   map[string]any
	Attributes map[string]any
	// Initiated, if not nil, is called by a provider that has made the
	// resource but waits for it to stabilise (an ECS service): the engine
	// records "Resource creation Initiated" with its physical id.
	Initiated func(physicalID string)
	// Rollback says the update brings the resource back to the state it had
	// before the update that failed (Properties and Attributes are that
	// state's).
	Rollback bool
}

// Result is what a Provider made.
type Result struct {
	PhysicalID string
	Attributes map[string]any
}

// ReplacementDecider is implemented by providers whose type has properties
// with Conditional update behaviour: it says whether this change of them
// needs a new resource. Without it, a Conditional change replaces.
type ReplacementDecider interface {
	RequiresReplacement(property string, before, after any) bool
}

// SharedNames is implemented by providers whose resources may share a name
// (the revisions of a task definition family): replacing one whose name
// the template sets is then allowed, where CloudFormation otherwise refuses
// to replace a custom-named resource.
type SharedNames interface {
	NamesShared() bool
}
