package template

import (
	"errors"
	"fmt"
)

// KnownAfterApply is what a change set shows for a value that depends on a
// resource not created yet.
const KnownAfterApply = "{{changeSet:KNOWN_AFTER_APPLY}}"

// Resolver gives the physical ids and attributes of a stack's resources.
// ok is false for a resource that has none yet (not created).
type Resolver interface {
	Ref(logicalID string) (value any, ok bool)
	GetAtt(logicalID, attribute string) (value any, ok bool)
}

// Evaluator is a template bound to parameter values and pseudo parameters,
// with its conditions evaluated. It is immutable and safe for concurrent use.
type Evaluator struct {
	t          *Template
	in         Inputs
	params     map[string]ParameterValue
	refs       map[string]any // what Ref returns for each parameter
	conditions map[string]bool
}

// NewEvaluator resolves the parameters (with CloudFormation's checks),
// applies the Rules section's assertions, evaluates every condition, and checks that no resource or output that
// exists refers to a resource that does not (its condition false).
func NewEvaluator(t *Template, in Inputs) (*Evaluator, error) {
	params, refs, err := t.resolveParameters(in)
	if err != nil {
		return nil, err
	}
	e := &Evaluator{t: t, in: in, params: params, refs: refs, conditions: map[string]bool{}}
	if err := e.checkRules(); err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(t.Conditions) {
		if _, err := e.condition(name, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	if err := e.checkActiveRefs(); err != nil {
		return nil, err
	}
	return e, nil
}

// Template returns the template the evaluator is bound to.
func (e *Evaluator) Template() *Template { return e.t }

// Condition returns a condition's value (false for an undeclared one).
func (e *Evaluator) Condition(name string) bool { return e.conditions[name] }

// Conditions returns every condition's value.
func (e *Evaluator) Conditions() map[string]bool {
	out := make(map[string]bool, len(e.conditions))
	for k, v := range e.conditions {
		out[k] = v
	}
	return out
}

// Active reports whether a resource exists in this stack: it is declared and
// its Condition, if any, is true.
func (e *Evaluator) Active(logicalID string) bool {
	r := e.t.Resources[logicalID]
	return r != nil && (r.Condition == "" || e.conditions[r.Condition])
}

// ActiveResources returns the resources that exist, in declaration order.
func (e *Evaluator) ActiveResources() []string {
	var out []string
	for _, id := range e.t.ResourceOrder {
		if e.Active(id) {
			out = append(out, id)
		}
	}
	return out
}

// Graph is the dependency graph of the active resources, with only the
// Fn::If branches the conditions choose: the order the engine works in.
func (e *Evaluator) Graph() (*Graph, error) {
	return e.t.graph(e.ActiveResources(), e.conditions)
}

// checkActiveRefs refuses a reference from an active resource or output to
// a resource whose condition is false, as CloudFormation does.
func (e *Evaluator) checkActiveRefs() error {
	for _, id := range e.ActiveResources() {
		r := e.t.Resources[id]
		refs := map[string]bool{}
		for _, d := range r.DependsOn {
			refs[d] = true
		}
		for _, v := range []any{r.Properties, r.Metadata} {
			if err := e.t.resourceRefs(v, e.conditions, refs); err != nil {
				return err
			}
		}
		if err := e.inactive(refs, blockResources); err != nil {
			return err
		}
	}
	for _, name := range e.t.OutputOrder {
		o := e.t.Outputs[name]
		if o.Condition != "" && !e.conditions[o.Condition] {
			continue
		}
		refs := map[string]bool{}
		for _, v := range []any{o.Value, o.ExportName} {
			if err := e.t.resourceRefs(v, e.conditions, refs); err != nil {
				return err
			}
		}
		if err := e.inactive(refs, blockOutputs); err != nil {
			return err
		}
	}
	return nil
}

func (e *Evaluator) inactive(refs map[string]bool, b block) error {
	var missing []string
	for _, id := range sortedSet(refs) {
		if !e.Active(id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return unresolvedDeps(missing, b)
	}
	return nil
}

// Resolve evaluates every function in v. A reference to a resource the
// resolver does not know yet makes it return an *UnresolvedError naming all
// such resources.
func (e *Evaluator) Resolve(v any, r Resolver) (any, error) {
	return e.resolve(v, r, false)
}

// Preview evaluates v as a change set shows it: values that depend on
// resources not created yet are KnownAfterApply.
func (e *Evaluator) Preview(v any, r Resolver) (any, error) {
	return e.resolve(v, r, true)
}

func (e *Evaluator) resolve(v any, r Resolver, preview bool) (any, error) {
	c := &evalCtx{e: e, r: r, preview: preview, unresolved: map[string]bool{}}
	out, err := c.eval(v, 0)
	if err != nil {
		return nil, err
	}
	if len(c.unresolved) > 0 && !preview {
		return nil, &UnresolvedError{Resources: sortedSet(c.unresolved)}
	}
	if _, isNoValue := out.(noValue); isNoValue {
		return nil, nil
	}
	out, _ = finish(out)
	return out, nil
}

// Properties resolves a resource's Properties (nil when it has none).
func (e *Evaluator) Properties(logicalID string, r Resolver) (map[string]any, error) {
	return e.properties(logicalID, r, false)
}

// PreviewProperties resolves a resource's Properties as a change set shows them.
func (e *Evaluator) PreviewProperties(logicalID string, r Resolver) (map[string]any, error) {
	return e.properties(logicalID, r, true)
}

func (e *Evaluator) properties(logicalID string, r Resolver, preview bool) (map[string]any, error) {
	res := e.t.Resources[logicalID]
	if res == nil {
		return nil, fmt.Errorf("resource %s: %w", logicalID, errors.New("not in the template"))
	}
	if res.Properties == nil {
		return nil, nil
	}
	v, err := e.resolve(res.Properties, r, preview)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

// Policies returns a resource's DeletionPolicy and UpdateReplacePolicy,
// evaluated (with the language extensions they may be functions of
// parameters and conditions). CloudFormation's default for both is Delete.
func (e *Evaluator) Policies(logicalID string) (deletion, updateReplace string, err error) {
	res := e.t.Resources[logicalID]
	if res == nil {
		return "", "", fmt.Errorf("resource %s: not in the template", logicalID)
	}
	get := func(key string, v any) (string, error) {
		if v == nil {
			return PolicyDelete, nil
		}
		out, err := e.Resolve(v, nil)
		if err != nil {
			return "", err
		}
		s, _ := out.(string)
		return s, checkPolicy(logicalID, key, s)
	}
	if deletion, err = get("DeletionPolicy", res.DeletionPolicy); err != nil {
		return "", "", err
	}
	updateReplace, err = get("UpdateReplacePolicy", res.UpdateReplacePolicy)
	return deletion, updateReplace, err
}
