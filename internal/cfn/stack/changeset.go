package stack

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// ChangeSetInput is CreateChangeSet's input.
type ChangeSetInput struct {
	StackName, ChangeSetName, ChangeSetType string
	TemplateBody                            string
	TemplateURL                             string
	UsePreviousTemplate                     bool
	Parameters                              []ParameterInput
	Capabilities                            []string
	Tags                                    []Tag
	NotificationARNs                        []string
	RoleARN                                 string
	Description                             string
	OnStackFailure                          string
}

var changeSetNamePattern = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

// CreateChangeSet computes what applying a template and parameters to a
// stack (ChangeSetType UPDATE) or to a new one (CREATE: the stack is made in
// REVIEW_IN_PROGRESS) would change, and stores it to be executed. The
// computation is done by the time it returns: the change set is
// CREATE_COMPLETE, or FAILED when it changes nothing.
func (e *Engine) CreateChangeSet(ctx context.Context, in *ChangeSetInput) (*ChangeSet, error) {
	if !changeSetNamePattern.MatchString(in.ChangeSetName) {
		return nil, validation(ErrInvalidInput, "1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.ChangeSetName)
	}
	if err := checkStackName(in.StackName); err != nil && !strings.HasPrefix(in.StackName, "arn:") {
		return nil, err
	}
	typ := in.ChangeSetType
	if typ == "" {
		typ = ChangeSetTypeUpdate
	}
	cfg := Config{Capabilities: in.Capabilities, Tags: in.Tags, NotificationARNs: in.NotificationARNs, RoleARN: in.RoleARN}
	var s *Stack
	var p *prepared
	var err error
	switch typ {
	case ChangeSetTypeCreate:
		s, err = e.reviewStack(ctx, in.StackName)
		var body string
		if err == nil {
			body, err = e.source(ctx, in.TemplateBody, in.TemplateURL)
		}
		if err == nil {
			p, err = e.prepare(ctx, s.Name, s.ID, body, in.Parameters, nil, cfg)
		}
	case ChangeSetTypeUpdate:
		s, err = e.lookup(ctx, in.StackName)
		if err == nil && s.Status == StatusReviewInProgress {
			err = stateRefused(s, "updated")
		}
		if err == nil {
			err = e.refuseNestedView(ctx, s, "updated")
		}
		if err == nil {
			p, err = e.prepareUpdate(ctx, s, in.TemplateBody, in.TemplateURL, in.UsePreviousTemplate, in.Parameters, cfg)
		}
	default:
		return nil, validation(ErrInvalidInput, "1 validation error detected: Value '%s' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, UPDATE]", typ)
	}
	if err != nil {
		return nil, err
	}
	var base *Stack
	if typ == ChangeSetTypeUpdate {
		base = s
	}
	changes, err := e.plan(ctx, base, p)
	if err != nil {
		return nil, err
	}
	cs := &ChangeSet{ID: e.changeSetARN(in.ChangeSetName), Name: in.ChangeSetName, StackID: s.ID, StackName: s.Name, Type: typ,
		Status: ChangeSetCreateComplete, ExecutionStatus: ExecAvailable, Description: in.Description, Created: e.now(),
		Config: p.cfg, Changes: changes, OnFailure: in.OnStackFailure}
	if len(changes) == 0 && typ == ChangeSetTypeUpdate && sameConfig(s.Current, p.cfg) {
		cs.Status, cs.ExecutionStatus, cs.StatusReason = ChangeSetFailed, ExecUnavailable, reasonNoChanges
	}
	err = e.update(ctx, func(t tx) error {
		if _, err := t.changeSet(s.ID, cs.Name); err == nil {
			return awserr.Wrap(ErrChangeSetExists, CodeAlreadyExists, "ChangeSet %s already exists", cs.Name)
		}
		if typ == ChangeSetTypeCreate {
			if _, err := t.stack(s.ID); errors.Is(err, ErrStackNotFound) {
				if err := t.putStack(s); err != nil {
					return err
				}
				if err := t.addEvent(e.stackEvent(s)); err != nil {
					return err
				}
			}
		}
		return t.putChangeSet(cs)
	})
	return cs, err
}

// reviewStack is the stack a CREATE change set is for: a new one in
// REVIEW_IN_PROGRESS (not stored yet), or the one an earlier CREATE change
// set made.
func (e *Engine) reviewStack(ctx context.Context, name string) (*Stack, error) {
	if err := checkStackName(name); err != nil {
		return nil, err
	}
	s, err := e.lookup(ctx, name)
	switch {
	case errors.Is(err, ErrStackNotFound):
		return &Stack{ID: e.stackARN(name), Name: name, Status: StatusReviewInProgress, StatusReason: reasonUserInitiated,
			Created: e.now()}, nil
	case err != nil:
		return nil, err
	case s.Status != StatusReviewInProgress:
		return nil, validation(ErrStackExists, "Stack [%s] already exists and cannot be created again with the changeSet [%s].", name, name)
	}
	return s, nil
}

// ChangeSet finds a change set by name (with its stack) or id.
func (e *Engine) ChangeSet(ctx context.Context, stackName, name string) (*ChangeSet, error) {
	var cs *ChangeSet
	err := e.view(ctx, func(t tx) error {
		var err error
		cs, err = findChangeSet(t, stackName, name)
		return err
	})
	return cs, err
}

func findChangeSet(t tx, stackName, name string) (*ChangeSet, error) {
	if strings.HasPrefix(name, "arn:") {
		var found *ChangeSet
		err := t.Scan(bucketChangeSets, "", "", func(_ string, v []byte) (bool, error) {
			if !strings.Contains(string(v), name) {
				return true, nil
			}
			cs, err := decodeChangeSet(v)
			if err == nil && cs.ID == name {
				found = cs
				return false, nil
			}
			return true, err
		})
		if err == nil && found == nil {
			err = changeSetNotFound(name)
		}
		return found, err
	}
	if stackName == "" {
		return nil, validation(ErrInvalidInput, "StackName must be specified if ChangeSetName is not specified as an ARN.")
	}
	s, err := t.stackByName(stackName)
	if errors.Is(err, ErrStackNotFound) {
		return nil, changeSetNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	cs, err := t.changeSet(s.ID, name)
	if errors.Is(err, ErrChangeSetNotFound) {
		return nil, changeSetNotFound(name)
	}
	return cs, err
}

// ChangeSets lists a stack's change sets.
func (e *Engine) ChangeSets(ctx context.Context, stackName string) ([]ChangeSet, error) {
	var out []ChangeSet
	err := e.view(ctx, func(t tx) error {
		s, err := t.stackByName(stackName)
		if errors.Is(err, ErrStackNotFound) {
			return stackNotFound(stackName)
		}
		if err != nil {
			return err
		}
		out, err = t.changeSets(s.ID)
		return err
	})
	return out, err
}

// ExecuteChangeSet starts the creation or update the change set describes.
// The stack's other change sets are deleted, as CloudFormation does.
func (e *Engine) ExecuteChangeSet(ctx context.Context, stackName, name string, disableRollback bool, token string) error {
	var id string
	err := e.update(ctx, func(t tx) error {
		cs, err := findChangeSet(t, stackName, name)
		if err != nil {
			return err
		}
		if cs.Status != ChangeSetCreateComplete || cs.ExecutionStatus != ExecAvailable {
			return awserr.Wrap(ErrChangeSetStatus, CodeInvalidChangeSet, "ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
		}
		s, err := t.stack(cs.StackID)
		if err != nil {
			return err
		}
		switch {
		case cs.Type == ChangeSetTypeCreate && s.Status == StatusReviewInProgress:
			s.Status, s.Current, s.OnFailure = StatusCreateInProgress, cs.Config, cs.OnFailure
			s.DisableRollback = disableRollback
			s.Created = e.now()
			if t, err := e.parse(cs.Config.Template); err == nil {
				s.Description = t.Description
			}
		case cs.Type == ChangeSetTypeUpdate && (s.Status == StatusCreateComplete || s.Status == StatusUpdateComplete || s.Status == StatusUpdateRollbackComplete):
			prev := s.Current
			s.Previous, s.Current, s.Status, s.Updated = &prev, cs.Config, StatusUpdateInProgress, e.now()
			s.DisableRollback = disableRollback
		default:
			return stateRefused(s, "updated")
		}
		e.claim(s.ID)
		s.StatusReason, s.Token, s.ChangeSetID = reasonUserInitiated, token, cs.ID
		cs.ExecutionStatus = ExecInProgress
		others, err := t.changeSets(s.ID)
		if err != nil {
			return err
		}
		for _, o := range others {
			if o.Name != cs.Name {
				if err := t.deleteChangeSet(s.ID, o.Name); err != nil {
					return err
				}
			}
		}
		if err := t.putChangeSet(cs); err != nil {
			return err
		}
		if err := t.putStack(s); err != nil {
			return err
		}
		id = s.ID
		return t.addEvent(e.stackEvent(s))
	})
	if err == nil {
		e.enqueue(id)
	}
	return err
}

// DeleteChangeSet deletes a change set that is not being executed.
func (e *Engine) DeleteChangeSet(ctx context.Context, stackName, name string) error {
	return e.update(ctx, func(t tx) error {
		cs, err := findChangeSet(t, stackName, name)
		if err != nil {
			return err
		}
		if cs.ExecutionStatus == ExecInProgress {
			return awserr.Wrap(ErrChangeSetStatus, CodeInvalidChangeSet, "Cannot delete ChangeSet in status %s", cs.ExecutionStatus)
		}
		return t.deleteChangeSet(cs.StackID, cs.Name)
	})
}

// executed records the outcome of a change set's execution when its stack
// reaches a final status.
func executed(t tx, s *Stack) error {
	if s.ChangeSetID == "" {
		return nil
	}
	css, err := t.changeSets(s.ID)
	if err != nil {
		return err
	}
	for i := range css {
		cs := &css[i]
		if cs.ID != s.ChangeSetID || cs.ExecutionStatus != ExecInProgress {
			continue
		}
		cs.ExecutionStatus = ExecComplete
		switch s.Status {
		case StatusCreateFailed, StatusRollbackComplete, StatusRollbackFailed, StatusUpdateRollbackComplete, StatusUpdateRollbackFailed, StatusDeleteComplete:
			cs.ExecutionStatus = ExecFailed
		}
		return t.putChangeSet(cs)
	}
	return nil
}
