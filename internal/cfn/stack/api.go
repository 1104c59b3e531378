package stack

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// CreateInput is CreateStack's input.
type CreateInput struct {
	StackName, TemplateBody string
	// TemplateURL names the template instead of TemplateBody (see source).
	TemplateURL           string
	Parameters            []ParameterInput
	Capabilities          []string
	Tags                  []Tag
	NotificationARNs      []string
	RoleARN               string
	TimeoutInMinutes      int
	DisableRollback       bool
	OnFailure             string
	TerminationProtection bool
	Token                 string
}

// CreateStack checks the template and parameters, records the stack in
// CREATE_IN_PROGRESS and queues its creation; it returns the stack id.
func (e *Engine) CreateStack(ctx context.Context, in *CreateInput) (string, error) {
	if err := checkStackName(in.StackName); err != nil {
		return "", err
	}
	if in.DisableRollback && in.OnFailure != "" {
		return "", validation(ErrInvalidInput, "Parameters: [DisableRollback, OnFailure] cannot both be specified.")
	}
	if in.OnFailure != "" && !slices.Contains([]string{OnFailureRollback, OnFailureDoNothing, OnFailureDelete}, in.OnFailure) {
		return "", validation(ErrInvalidInput, "1 validation error detected: Value '%s' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]", in.OnFailure)
	}
	if err := e.refuseExisting(ctx, in.StackName); err != nil {
		return "", err
	}
	body, err := e.source(ctx, in.TemplateBody, in.TemplateURL)
	if err != nil {
		return "", err
	}
	return e.createStack(ctx, in, body, nil)
}

// createStack records a stack of template body in CREATE_IN_PROGRESS and
// queues its creation; parent is the stack of which it is a nested stack,
// or nil.
func (e *Engine) createStack(ctx context.Context, in *CreateInput, body string, parent *Stack) (string, error) {
	id := e.stackARN(in.StackName)
	p, err := e.prepare(ctx, in.StackName, id, body, in.Parameters, nil, Config{Capabilities: in.Capabilities,
		Tags: in.Tags, NotificationARNs: in.NotificationARNs, RoleARN: in.RoleARN, TimeoutInMinutes: in.TimeoutInMinutes})
	if err == nil {
		err = p.preview()
	}
	if err != nil {
		return "", err
	}
	e.claim(id)
	s := &Stack{ID: id, Name: in.StackName, Status: StatusCreateInProgress, StatusReason: reasonUserInitiated,
		Description: p.t.Description, Created: e.now(), Current: p.cfg, DisableRollback: in.DisableRollback,
		OnFailure: in.OnFailure, TerminationGuard: in.TerminationProtection, Token: in.Token}
	if parent != nil {
		s.ParentID, s.RootID = parent.ID, parent.RootID
		if s.RootID == "" {
			s.RootID = parent.ID
		}
	}
	err = e.update(ctx, func(t tx) error {
		if _, err := t.stackByName(in.StackName); err == nil {
			return awserr.Wrap(ErrStackExists, CodeAlreadyExists, "Stack [%s] already exists", in.StackName)
		}
		if err := t.putStack(s); err != nil {
			return err
		}
		return t.addEvent(e.stackEvent(s))
	})
	if err != nil {
		return "", err
	}
	e.enqueue(id)
	return id, nil
}

func (e *Engine) refuseExisting(ctx context.Context, name string) error {
	return e.view(ctx, func(t tx) error {
		if _, err := t.stackByName(name); err == nil {
			return awserr.Wrap(ErrStackExists, CodeAlreadyExists, "Stack [%s] already exists", name)
		}
		return nil
	})
}

// UpdateInput is UpdateStack's input. Tags nil keeps the stack's tags.
type UpdateInput struct {
	StackName, TemplateBody string
	// TemplateURL names the template instead of TemplateBody (see source).
	TemplateURL         string
	UsePreviousTemplate bool
	Parameters          []ParameterInput
	Capabilities        []string
	Tags                []Tag
	NotificationARNs    []string
	RoleARN             string
	DisableRollback     bool
	Token               string
}

// UpdateStack checks the new template and parameters against the stack,
// records UPDATE_IN_PROGRESS and queues the update.
func (e *Engine) UpdateStack(ctx context.Context, in *UpdateInput) (string, error) {
	s, err := e.updatable(ctx, in.StackName)
	if err != nil {
		return "", err
	}
	if err := e.refuseNestedView(ctx, s, "updated"); err != nil {
		return "", err
	}
	return e.updateStack(ctx, s, in)
}

// updateStack is UpdateStack of a stack found updatable.
func (e *Engine) updateStack(ctx context.Context, s *Stack, in *UpdateInput) (string, error) {
	p, err := e.prepareUpdate(ctx, s, in.TemplateBody, in.TemplateURL, in.UsePreviousTemplate, in.Parameters,
		Config{Capabilities: in.Capabilities, Tags: in.Tags, NotificationARNs: in.NotificationARNs, RoleARN: in.RoleARN})
	if err != nil {
		return "", err
	}
	changes, err := e.plan(ctx, s, p)
	if err != nil {
		return "", err
	}
	if len(changes) == 0 && sameConfig(s.Current, p.cfg) {
		return "", validation(ErrNoUpdates, "No updates are to be performed.")
	}
	return s.ID, e.startUpdate(ctx, s, p.cfg, in.DisableRollback, in.Token, "")
}

// updatable finds a stack whose status allows an update.
func (e *Engine) updatable(ctx context.Context, name string) (*Stack, error) {
	s, err := e.lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	switch s.Status {
	case StatusCreateComplete, StatusUpdateComplete, StatusUpdateRollbackComplete:
		return s, nil
	}
	return nil, stateRefused(s, "updated")
}

// prepareUpdate is prepare for a new configuration of an existing stack:
// UsePreviousTemplate, and the rule that a resource keeps its type.
func (e *Engine) prepareUpdate(ctx context.Context, s *Stack, body, rawURL string, usePrevious bool, params []ParameterInput, cfg Config) (*prepared, error) {
	if usePrevious {
		if body != "" || rawURL != "" {
			return nil, validation(ErrInvalidInput, "You cannot specify both usePreviousTemplate and templateBody or templateURL.")
		}
		body = s.Current.Template
	} else {
		var err error
		if body, err = e.source(ctx, body, rawURL); err != nil {
			return nil, err
		}
	}
	if cfg.Tags == nil {
		cfg.Tags = s.Current.Tags
	}
	p, err := e.prepare(ctx, s.Name, s.ID, body, params, s.Current.Parameters, cfg)
	if err != nil {
		return nil, err
	}
	var retyped []string
	if err := e.view(ctx, func(t tx) error {
		rs, err := t.resources(s.ID)
		for _, r := range rs {
			if d := p.t.Resources[r.LogicalID]; d != nil && d.Type != r.Type && live(r.Status) {
				retyped = append(retyped, r.LogicalID)
			}
		}
		return err
	}); err != nil {
		return nil, err
	}
	if len(retyped) > 0 {
		return nil, validation(ErrInvalidInput, "Update of resource type is not permitted. The new template modifies resource type of the following resources: [%s]", strings.Join(retyped, ", "))
	}
	return p, nil
}

// startUpdate records an update of s to cfg and queues it.
func (e *Engine) startUpdate(ctx context.Context, s *Stack, cfg Config, disableRollback bool, token, changeSetID string) error {
	e.claim(s.ID)
	err := e.update(ctx, func(t tx) error {
		cur, err := t.stack(s.ID)
		if err != nil {
			return err
		}
		if cur.Status != s.Status {
			return stateRefused(cur, "updated")
		}
		prev := cur.Current
		cur.Previous, cur.Current = &prev, cfg
		cur.Status, cur.StatusReason, cur.Updated, cur.Token = StatusUpdateInProgress, reasonUserInitiated, e.now(), token
		cur.DisableRollback = disableRollback
		if changeSetID != "" {
			cur.ChangeSetID = changeSetID
		}
		if err := t.putStack(cur); err != nil {
			return err
		}
		return t.addEvent(e.stackEvent(cur))
	})
	if err != nil {
		return err
	}
	e.enqueue(s.ID)
	return nil
}

func sameConfig(a, b Config) bool {
	return a.Template == b.Template && slices.Equal(a.Parameters, b.Parameters) && slices.Equal(a.Tags, b.Tags)
}

// DeleteInput is DeleteStack's input.
type DeleteInput struct {
	StackName       string
	RetainResources []string
	Token           string
}

// DeleteStack records DELETE_IN_PROGRESS and queues the deletion. Deleting
// a stack that does not exist succeeds, as in CloudFormation; a nested
// stack is deleted with its parent only.
func (e *Engine) DeleteStack(ctx context.Context, in *DeleteInput) error {
	return e.deleteStack(ctx, in, false)
}

// deleteStack is DeleteStack; nested allows deleting a nested stack (its
// parent's provider does).
func (e *Engine) deleteStack(ctx context.Context, in *DeleteInput, nested bool) error {
	var id string
	err := e.update(ctx, func(t tx) error {
		s, err := t.stackByName(in.StackName)
		if errors.Is(err, ErrStackNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case s.Status == StatusDeleteComplete || s.Status == StatusDeleteInProgress:
			return nil
		case s.TerminationGuard:
			return validation(ErrStackBusy, "Stack [%s] cannot be deleted while TerminationProtection is enabled", s.Name)
		case len(in.RetainResources) > 0 && s.Status != StatusDeleteFailed:
			return validation(ErrInvalidInput, "Invalid operation on stack [%s]. RetainResources can only be specified when the stack is in the DELETE_FAILED state", s.ID)
		}
		if !nested {
			if err := refuseNested(t, s, "deleted"); err != nil {
				return err
			}
		}
		if _, busy := steps[s.Status]; busy {
			return validation(ErrStackBusy, "Stack [%s] cannot be deleted while in status %s", s.Name, s.Status)
		}
		e.claim(s.ID)
		s.Status, s.StatusReason, s.Token, s.RetainResources = StatusDeleteInProgress, reasonUserInitiated, in.Token, in.RetainResources
		id = s.ID
		if err := t.putStack(s); err != nil {
			return err
		}
		return t.addEvent(e.stackEvent(s))
	})
	if err == nil && id != "" {
		e.enqueue(id)
	}
	return err
}

// lookup finds a stack by name (live stacks) or id (any).
func (e *Engine) lookup(ctx context.Context, name string) (*Stack, error) {
	var s *Stack
	err := e.view(ctx, func(t tx) error {
		var err error
		s, err = t.stackByName(name)
		return err
	})
	if errors.Is(err, ErrStackNotFound) {
		return nil, stackNotFound(name)
	}
	return s, err
}
