package stack

import (
	"context"
	"slices"

	"github.com/slipway-dev/slipway/internal/cfn/template"
)

// DescribeStacks returns one stack (by name: a live one; by id: any, even
// deleted), or every live stack when name is "".
func (e *Engine) DescribeStacks(ctx context.Context, name string) ([]Stack, error) {
	if name != "" {
		s, err := e.lookup(ctx, name)
		if err != nil {
			return nil, err
		}
		return []Stack{*s}, nil
	}
	var out []Stack
	err := e.view(ctx, func(t tx) error {
		all, err := t.stacks()
		for _, s := range all {
			if s.Status != StatusDeleteComplete {
				out = append(out, s)
			}
		}
		return err
	})
	sortNewestFirst(out)
	return out, err
}

// ListStacks returns every stack, deleted ones included, whose status is in
// filter (all when filter is empty), newest first.
func (e *Engine) ListStacks(ctx context.Context, filter []string) ([]Stack, error) {
	var out []Stack
	err := e.view(ctx, func(t tx) error {
		all, err := t.stacks()
		for _, s := range all {
			if len(filter) == 0 || slices.Contains(filter, s.Status) {
				out = append(out, s)
			}
		}
		return err
	})
	sortNewestFirst(out)
	return out, err
}

func sortNewestFirst(ss []Stack) {
	slices.SortStableFunc(ss, func(a, b Stack) int { return b.Created.Compare(a.Created) })
}

// Events returns a stack's events, newest first.
func (e *Engine) Events(ctx context.Context, name string) ([]Event, error) {
	s, err := e.lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	var out []Event
	err = e.view(ctx, func(t tx) error {
		out, err = t.events(s.ID)
		return err
	})
	slices.Reverse(out)
	return out, err
}

// Resources returns a stack's resources in logical id order with the stack.
func (e *Engine) Resources(ctx context.Context, name string) (*Stack, []Resource, error) {
	s, err := e.lookup(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	var out []Resource
	err = e.view(ctx, func(t tx) error {
		out, err = t.resources(s.ID)
		return err
	})
	return s, out, err
}

// StackOfPhysicalID finds the live stack that has a resource with this
// physical id (DescribeStackResources by PhysicalResourceId).
func (e *Engine) StackOfPhysicalID(ctx context.Context, physicalID string) (string, error) {
	var id string
	err := e.view(ctx, func(t tx) error {
		all, err := t.stacks()
		for _, s := range all {
			if s.Status == StatusDeleteComplete {
				continue
			}
			rs, err := t.resources(s.ID)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if r.PhysicalID == physicalID {
					id = s.ID
					return nil
				}
			}
		}
		return err
	})
	if err == nil && id == "" {
		err = validation(ErrStackNotFound, "Stack for %s does not exist", physicalID)
	}
	return id, err
}

// Template returns the template a stack has, or a change set's.
func (e *Engine) Template(ctx context.Context, stackName, changeSetName string) (string, error) {
	if changeSetName != "" {
		cs, err := e.ChangeSet(ctx, stackName, changeSetName)
		if err != nil {
			return "", err
		}
		return cs.Config.Template, nil
	}
	s, err := e.lookup(ctx, stackName)
	if err != nil {
		return "", err
	}
	return s.Current.Template, nil
}

// ValidateTemplate checks a template as CloudFormation's ValidateTemplate
// does and describes it.
func (e *Engine) ValidateTemplate(ctx context.Context, body, rawURL string) (*template.Summary, error) {
	t, err := e.checkBody(ctx, body, rawURL)
	if err != nil {
		return nil, err
	}
	sum := t.Summarize()
	return &sum, nil
}

// TemplateSummary is GetTemplateSummary: of a template body or of a stack's
// template.
func (e *Engine) TemplateSummary(ctx context.Context, body, rawURL, stackName string) (*template.Summary, []template.ResourceIdentifierSummary, error) {
	var t *template.Template
	var err error
	if stackName != "" {
		var b string
		if b, err = e.Template(ctx, stackName, ""); err == nil {
			t, err = e.parse(b)
		}
	} else {
		t, err = e.checkBody(ctx, body, rawURL)
	}
	if err != nil {
		return nil, nil, err
	}
	sum := t.Summarize()
	return &sum, t.ResourceIdentifierSummaries(e.cat), nil
}

func (e *Engine) checkBody(ctx context.Context, body, rawURL string) (*template.Template, error) {
	body, err := e.source(ctx, body, rawURL)
	if err != nil {
		return nil, err
	}
	return e.parse(body)
}

// Exports lists every export, by name.
func (e *Engine) Exports(ctx context.Context) ([]Export, error) {
	var out []Export
	err := e.view(ctx, func(t tx) error {
		var err error
		out, err = t.exports()
		return err
	})
	return out, err
}

// Imports lists the live stacks that import an export.
func (e *Engine) Imports(ctx context.Context, name string) ([]string, error) {
	var out []string
	found := false
	err := e.view(ctx, func(t tx) error {
		if _, err := t.export(name); err == nil {
			found = true
		}
		all, err := t.stacks()
		for _, s := range all {
			if s.Status != StatusDeleteComplete && slices.Contains(s.Imports, name) {
				out = append(out, s.Name)
			}
		}
		return err
	})
	if err == nil && !found {
		return nil, validation(ErrInvalidInput, "Export '%s' does not exist.", name)
	}
	if err == nil && len(out) == 0 {
		return nil, validation(ErrInvalidInput, "Export '%s' is not imported by any stack.", name)
	}
	slices.Sort(out)
	return out, err
}
