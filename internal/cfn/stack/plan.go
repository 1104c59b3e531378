package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
	"github.com/slipway-dev/slipway/internal/cfn/template"
)

// Change set vocabulary.
const (
	actionAdd       = "Add"
	actionModify    = "Modify"
	actionRemove    = "Remove"
	attrProperties  = "Properties"
	evalStatic      = "Static"
	evalDynamic     = "Dynamic"
	sourceParameter = "ParameterReference"
	sourceResource  = "ResourceReference"
	sourceAttribute = "ResourceAttribute"
	sourceDirect    = "DirectModification"
)

// planResolver previews the new template against the stack's resources:
// a resource that will be added or replaced has no id yet (KnownAfterApply).
type planResolver struct {
	res     map[string]*Resource
	unknown map[string]bool
}

func (r planResolver) Ref(id string) (any, bool) {
	x := r.res[id]
	if x == nil || r.unknown[id] || x.PhysicalID == "" {
		return nil, false
	}
	return x.PhysicalID, true
}

func (r planResolver) GetAtt(id, attr string) (any, bool) {
	x := r.res[id]
	if x == nil || r.unknown[id] {
		return nil, false
	}
	v, ok := x.Attributes[attr]
	return v, ok
}

// plan lists the resource changes applying p to stack s would make, in the
// new template's creation order, then the removals: what a change set
// shows, and what tells UpdateStack there is nothing to do.
func (e *Engine) plan(ctx context.Context, s *Stack, p *prepared) ([]ResourceChange, error) {
	res := map[string]*Resource{}
	if s != nil {
		if err := e.view(ctx, func(t tx) error {
			rs, err := t.resources(s.ID)
			for i := range rs {
				if live(rs[i].Status) {
					res[rs[i].LogicalID] = &rs[i]
				}
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	g, err := p.ev.Graph()
	if err != nil {
		return nil, err
	}
	changedParams := map[string]bool{}
	var old map[string]string
	if s != nil {
		old = paramMap(s.Current.Parameters)
	}
	for _, pv := range p.cfg.Parameters {
		if v, ok := old[pv.Key]; !ok || v != pv.Value {
			changedParams[pv.Key] = true
		}
	}
	r := planResolver{res: res, unknown: map[string]bool{}}
	var out []ResourceChange
	for _, id := range g.CreationOrder() {
		decl := p.t.Resources[id]
		after, err := p.ev.PreviewProperties(id, r)
		if err != nil {
			return nil, err
		}
		after = e.withStackTags(decl.Type, after, p.cfg.Tags)
		cur := res[id]
		if cur == nil {
			r.unknown[id] = true
			out = append(out, ResourceChange{Action: actionAdd, LogicalID: id, Type: decl.Type, After: after})
			continue
		}
		diffs := template.DiffProperties(cur.Properties, after)
		if len(diffs) == 0 {
			continue
		}
		ch := e.modification(p.t, id, cur, after, diffs, changedParams, r.unknown)
		if ch.Replacement == "True" {
			r.unknown[id] = true
		}
		out = append(out, ch)
	}
	active := map[string]bool{}
	for _, id := range p.ev.ActiveResources() {
		active[id] = true
	}
	for _, id := range sortedKeys(res) {
		if active[id] {
			continue
		}
		cur := res[id]
		policy := "Delete"
		if cur.DeletionPolicy == template.PolicyRetain || cur.DeletionPolicy == template.PolicyRetainExceptOnCreate {
			policy = "Retain"
		}
		out = append(out, ResourceChange{Action: actionRemove, LogicalID: id, PhysicalID: cur.PhysicalID, Type: cur.Type,
			PolicyAction: policy, Before: cur.Properties})
	}
	return out, nil
}

// modification describes how one resource changes: the replacement its
// changed properties need and, per changed value, what caused it.
func (e *Engine) modification(t *template.Template, id string, cur *Resource, after map[string]any, diffs []template.PropertyDiff,
	changedParams, unknown map[string]bool) ResourceChange {
	typ := e.cat.Lookup(cur.Type)
	ch := ResourceChange{Action: actionModify, LogicalID: id, PhysicalID: cur.PhysicalID, Type: cur.Type,
		Scope: []string{attrProperties}, Replacement: "False", Before: cur.Properties, After: after}
	decider, _ := e.providers[cur.Type].(ReplacementDecider)
	refs := t.PropertyReferences(id)
	for _, d := range diffs {
		upd := typ.UpdateOf(d.Property)
		switch {
		case upd == resourcetype.Replacement:
			ch.Replacement = "True"
		case upd == resourcetype.Conditional && (decider == nil || decider.RequiresReplacement(d.Property, d.Before, d.After)):
			if ch.Replacement != "True" {
				ch.Replacement = "Conditional"
			}
		}
		base := ChangeDetail{Attribute: attrProperties, Name: d.Property, RequiresRecreation: upd.RequiresRecreation(),
			Path: d.Path, BeforeValue: valueText(d.Before), AfterValue: valueText(d.After), AttributeChangeType: changeType(d)}
		causes := causesOf(refs[d.Property], changedParams, unknown)
		if strings.Contains(base.AfterValue, template.KnownAfterApply) {
			base.Evaluation = evalDynamic
		}
		if len(causes) == 0 {
			base.ChangeSource = sourceDirect
			if base.Evaluation == "" {
				base.Evaluation = evalStatic
			}
			ch.Details = append(ch.Details, base)
			continue
		}
		for _, c := range causes {
			d := base
			d.ChangeSource, d.CausingEntity = c[0], c[1]
			if d.Evaluation == "" {
				d.Evaluation = evalStatic
			}
			ch.Details = append(ch.Details, d)
		}
	}
	return ch
}

// causesOf lists the changed things a property refers to, as
// (ChangeSource, CausingEntity) pairs.
func causesOf(refs template.References, changedParams, unknown map[string]bool) [][2]string {
	var out [][2]string
	for _, p := range refs.Parameters {
		if changedParams[p] {
			out = append(out, [2]string{sourceParameter, p})
		}
	}
	for _, r := range refs.Resources {
		if unknown[r] {
			out = append(out, [2]string{sourceResource, r})
		}
	}
	for _, a := range refs.Attributes {
		res, _, _ := strings.Cut(a, ".")
		if unknown[res] {
			out = append(out, [2]string{sourceAttribute, a})
		}
	}
	return out
}

func changeType(d template.PropertyDiff) string {
	switch {
	case d.Before == nil:
		return "Add"
	case d.After == nil:
		return "Remove"
	}
	return "Modify"
}

// valueText is a value as a change set shows it: strings as they are,
// anything else as JSON.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
