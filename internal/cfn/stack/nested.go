package stack

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
)

// ErrEmbedded classifies a nested stack's failure as its parent reports it
// ("Embedded stack … was not successfully created: …"): the resource status
// reason is the message itself, not a handler message.
var ErrEmbedded = errors.New("nested stack failed")

// nestedTemplateKey is the attribute of an AWS::CloudFormation::Stack
// resource that keeps the template body its child stack was last given, so
// that a rollback gives it back that template rather than what the
// TemplateURL holds now. Fn::GetAtt cannot read it (only Outputs.*).
const nestedTemplateKey = "Slipway::TemplateBody"

// awaitPoll bounds how long a wait for a nested stack goes without looking
// at its record, should a status change not be signalled.
const awaitPoll = time.Second

// nestedProvider makes AWS::CloudFormation::Stack resources: each is a
// stack of the same engine (its child), created, updated and deleted with
// the parent's operation, which waits for the child's.
type nestedProvider struct{ e *Engine }

type nestedProps struct {
	TemplateURL      string
	Parameters       []ParameterInput
	TimeoutInMinutes int
	NotificationARNs []string
	Tags             []Tag
}

func decodeNested(m map[string]any) (*nestedProps, error) {
	var np nestedProps
	np.TemplateURL, _ = m["TemplateURL"].(string)
	if params, ok := m["Parameters"]; ok {
		pm, ok := params.(map[string]any)
		if !ok {
			return nil, embedded("Value of property Parameters must be an object with String (or simple type) properties")
		}
		for _, k := range sortedKeys(pm) {
			v, ok := scalarString(pm[k])
			if !ok {
				return nil, embedded("Value of property Parameters must be an object with String (or simple type) properties")
			}
			np.Parameters = append(np.Parameters, ParameterInput{Key: k, Value: v})
		}
	}
	if t, ok := m["TimeoutInMinutes"]; ok {
		s, _ := scalarString(t)
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, embedded("Value of property TimeoutInMinutes must be an integer greater than 0")
		}
		np.TimeoutInMinutes = n
	}
	if arns, ok := m["NotificationARNs"].([]any); ok {
		for _, a := range arns {
			s, _ := scalarString(a)
			np.NotificationARNs = append(np.NotificationARNs, s)
		}
	}
	if tags, ok := m["Tags"].([]any); ok {
		for _, t := range tags {
			tm, _ := t.(map[string]any)
			k, _ := scalarString(tm["Key"])
			v, _ := scalarString(tm["Value"])
			np.Tags = append(np.Tags, Tag{Key: k, Value: v})
		}
	}
	return &np, nil
}

// scalarString is a parameter value as CloudFormation passes it on: a
// string, number (json.Number, as templates hold them) or boolean, as a
// string.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.String:
		return fmt.Sprint(v), true
	}
	return "", false
}

func embedded(format string, args ...any) error {
	return awserr.Wrap(ErrEmbedded, CodeValidation, format, args...)
}

// childTags are a nested stack's tags: its parent's stack tags, which
// CloudFormation propagates, then the resource's own Tags.
func childTags(parent []Tag, own []Tag) []Tag {
	out := slices.Clone(parent)
	for _, t := range own {
		out = slices.DeleteFunc(out, func(p Tag) bool { return p.Key == t.Key })
		out = append(out, t)
	}
	return out
}

// Create implements Provider: it creates the child stack, named as
// CloudFormation names it (PARENT-LOGICALID-RANDOM), and waits for it.
func (n nestedProvider) Create(ctx context.Context, req *Request) (*Result, error) {
	np, err := decodeNested(req.Properties)
	if err != nil {
		return nil, err
	}
	parent, err := n.e.stackRecord(ctx, req.StackID)
	if err != nil {
		return nil, err
	}
	if err := n.e.checkNesting(ctx, parent); err != nil {
		return nil, err
	}
	body, err := n.e.source(ctx, "", np.TemplateURL)
	if err != nil {
		return nil, embed(err)
	}
	name := resourcetype.GeneratedName(resourcetype.NameRule{MaxLength: 128}, req.StackName, req.LogicalID,
		strings.ToUpper(resourcetype.RandomSuffix(true)))
	id, err := n.e.createStack(ctx, &CreateInput{StackName: name, Parameters: np.Parameters,
		Capabilities: parent.Current.Capabilities, Tags: childTags(parent.Current.Tags, np.Tags),
		NotificationARNs: np.NotificationARNs, RoleARN: parent.Current.RoleARN, TimeoutInMinutes: np.TimeoutInMinutes,
		DisableRollback: parent.DisableRollback || parent.OnFailure == OnFailureDoNothing}, body, parent)
	if err != nil {
		return nil, embed(err)
	}
	if req.Initiated != nil {
		req.Initiated(id)
	}
	s, err := n.e.awaitStack(ctx, id, func(s *Stack) bool { return s.Status != StatusCreateInProgress })
	if err != nil {
		return nil, err
	}
	if s.Status != StatusCreateComplete {
		return nil, embedded("Embedded stack %s was not successfully created: %s", id, strings.TrimSpace(s.StatusReason))
	}
	return nestedResult(s, body), nil
}

// Update implements Provider: an update of the child stack to the template
// at TemplateURL (on a rollback, to the template it had), waited for. A
// child that the update does not change is left as it is.
func (n nestedProvider) Update(ctx context.Context, req *Request) (*Result, error) {
	np, err := decodeNested(req.Properties)
	if err != nil {
		return nil, err
	}
	s, err := n.e.awaitStack(ctx, req.PhysicalID, atRest)
	if err != nil {
		return nil, err
	}
	if req.Rollback && s.Status == StatusUpdateRollbackFailed {
		// The root's ContinueUpdateRollback continues its children's.
		if s, err = n.e.continueChildRollback(ctx, s); err != nil {
			return nil, err
		}
	}
	body, _ := req.Attributes[nestedTemplateKey].(string)
	if !req.Rollback || body == "" {
		if body, err = n.e.source(ctx, "", np.TemplateURL); err != nil {
			return nil, embed(err)
		}
	}
	parent, err := n.e.stackRecord(ctx, req.StackID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains([]string{StatusCreateComplete, StatusUpdateComplete, StatusUpdateRollbackComplete}, s.Status) {
		return nil, embedded("Embedded stack %s was not successfully updated. Currently in %s with reason: %s", s.ID, s.Status, s.StatusReason)
	}
	_, err = n.e.updateStack(ctx, s, &UpdateInput{StackName: s.ID, TemplateBody: body, Parameters: np.Parameters,
		Capabilities: parent.Current.Capabilities, Tags: childTags(parent.Current.Tags, np.Tags), NotificationARNs: np.NotificationARNs,
		RoleARN: parent.Current.RoleARN, DisableRollback: parent.DisableRollback})
	if errors.Is(err, ErrNoUpdates) {
		return nestedResult(s, body), nil
	}
	if err != nil {
		return nil, embed(err)
	}
	s, err = n.e.awaitStack(ctx, s.ID, func(s *Stack) bool {
		return s.Status != StatusUpdateInProgress && s.Status != StatusUpdateCompleteCleanupProgress
	})
	if err != nil {
		return nil, err
	}
	if s.Status != StatusUpdateComplete {
		return nil, embedded("Embedded stack %s was not successfully updated. Currently in %s with reason: %s", s.ID, s.Status, strings.TrimSpace(s.StatusReason))
	}
	return nestedResult(s, body), nil
}

// Delete implements Provider: the child stack is deleted once it is at
// rest, and waited for.
func (n nestedProvider) Delete(ctx context.Context, req *Request) error {
	s, err := n.e.awaitStack(ctx, req.PhysicalID, atRest)
	if errors.Is(err, ErrStackNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if err != nil {
		return err
	}
	if s.Status == StatusDeleteComplete {
		return nil
	}
	if err := n.e.deleteStack(ctx, &DeleteInput{StackName: s.ID}, true); err != nil {
		return embed(err)
	}
	s, err = n.e.awaitStack(ctx, s.ID, func(s *Stack) bool { return s.Status != StatusDeleteInProgress })
	if err != nil {
		return err
	}
	if s.Status != StatusDeleteComplete {
		return embedded("Embedded stack %s was not successfully deleted: %s", s.ID, strings.TrimSpace(s.StatusReason))
	}
	return nil
}

// continueChildRollback continues a child's failed rollback and waits for
// it to end.
func (e *Engine) continueChildRollback(ctx context.Context, s *Stack) (*Stack, error) {
	if err := e.continueUpdateRollback(ctx, s.ID, nil, true); err != nil {
		return nil, embed(err)
	}
	return e.awaitStack(ctx, s.ID, atRest)
}

// nestedResult is what Ref (the child's id) and Fn::GetAtt Outputs.X read.
func nestedResult(s *Stack, body string) *Result {
	attrs := map[string]any{nestedTemplateKey: body}
	for _, o := range s.Outputs {
		attrs["Outputs."+o.Key] = o.Value
	}
	return &Result{PhysicalID: s.ID, Attributes: attrs}
}

// embed words a child's refusal (a template or parameter error) as the
// parent reports it: the message itself.
func embed(err error) error {
	if ae, ok := awserr.As(err); ok {
		return embedded("%s", ae.Message)
	}
	return err
}

// atRest reports whether no operation is in progress on a stack.
func atRest(s *Stack) bool {
	_, busy := steps[s.Status]
	return !busy
}

// refuseNested refuses an operation on a nested stack that only its root
// stack's operations may carry out. A stack whose parent is deleted (it
// was retained) is a stack of its own.
func refuseNested(t tx, s *Stack, what string) error {
	if s.ParentID == "" {
		return nil
	}
	if p, err := t.stack(s.ParentID); err == nil && p.Status == StatusDeleteComplete {
		return nil
	}
	return validation(ErrStackBusy, "Stack [%s] is a nested stack of %s and can not be %s directly: update or delete its root stack %s.", s.Name, s.ParentID, what, s.RootID)
}

// refuseNestedView is refuseNested outside a transaction.
func (e *Engine) refuseNestedView(ctx context.Context, s *Stack, what string) error {
	return e.view(ctx, func(t tx) error { return refuseNested(t, s, what) })
}

// Bounds on nesting, which a template that nests itself would otherwise
// grow without end: Slipway's, as CloudFormation documents none but its
// account quota of 2,000 stacks, taken here per root stack.
const (
	maxNestingDepth     = 10
	maxStacksUnderARoot = 2000
)

// checkNesting refuses a new child of parent beyond those bounds.
func (e *Engine) checkNesting(ctx context.Context, parent *Stack) error {
	root := parent.RootID
	if root == "" {
		root = parent.ID
	}
	return e.view(ctx, func(t tx) error {
		// The root is level 1; the new child is one below its parent.
		level := 2
		for p := parent; p.ParentID != "" && level <= maxNestingDepth; level++ {
			next, err := t.stack(p.ParentID)
			if err != nil {
				break
			}
			p = next
		}
		if level > maxNestingDepth {
			return embedded("Slipway nests stacks at most %d levels deep (the root stack is level 1)", maxNestingDepth)
		}
		all, err := t.stacks()
		n := 0
		for _, s := range all {
			if s.RootID == root && s.Status != StatusDeleteComplete {
				n++
			}
		}
		if err == nil && n >= maxStacksUnderARoot {
			return embedded("Slipway allows at most %d nested stacks under one root stack (%s)", maxStacksUnderARoot, root)
		}
		return err
	})
}

// stackRecord reads a stack by id.
func (e *Engine) stackRecord(ctx context.Context, id string) (*Stack, error) {
	var s *Stack
	err := e.view(ctx, func(t tx) error {
		var err error
		s, err = t.stack(id)
		return err
	})
	return s, err
}

// changed wakes the waits on a stack's status (awaitStack).
func (e *Engine) changed(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for c := range e.watch[id] {
		close(c)
	}
	delete(e.watch, id)
}

// watchStack registers a wait on a stack's next status change; the
// returned func withdraws it.
func (e *Engine) watchStack(id string) (<-chan struct{}, func()) {
	c := make(chan struct{})
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.watch[id] == nil {
		e.watch[id] = map[chan struct{}]bool{}
	}
	e.watch[id][c] = true
	return c, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if set := e.watch[id]; set[c] {
			delete(set, c)
			if len(set) == 0 {
				delete(e.watch, id)
			}
		}
	}
}

// awaitStack waits until a stack's record satisfies done and returns it.
// The wait is registered before the record is read, so a change between
// the two is not missed.
func (e *Engine) awaitStack(ctx context.Context, id string, done func(*Stack) bool) (*Stack, error) {
	for {
		c, withdraw := e.watchStack(id)
		s, err := e.stackRecord(ctx, id)
		if err != nil || done(s) {
			withdraw()
			return s, err
		}
		t := time.NewTimer(awaitPoll)
		select {
		case <-ctx.Done():
		case <-c:
		case <-t.C:
		}
		t.Stop()
		withdraw()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
}
