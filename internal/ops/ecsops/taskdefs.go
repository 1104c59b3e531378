package ecsops

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// TaskDefinition is a task definition revision as ECS describes it: the
// stored record (its Document is the registered definition, without the
// fields ECS computes) and the fields ECS adds to it.
type TaskDefinition struct {
	model.TaskDefinition
	// Compatibilities are the launch types the definition runs on: EC2
	// always, and those it requires.
	Compatibilities []string
	// Tags are the definition's tags, when they were asked for (always on
	// RegisterTaskDefinition).
	Tags []model.Tag
}

func taskDefinitionOf(td model.TaskDefinition, tags []model.Tag) *TaskDefinition {
	compat := []string{"EC2"} // td.Spec is decoded by every reader of a stored definition
	for _, c := range td.Spec.RequiresCompatibilities {
		if !slices.Contains(compat, c) {
			compat = append(compat, c)
		}
	}
	return &TaskDefinition{TaskDefinition: td, Compatibilities: compat, Tags: tags}
}

// RegisterTaskDefinitionInput is RegisterTaskDefinition's input.
type RegisterTaskDefinitionInput struct {
	// Request is the RegisterTaskDefinition request document, in ECS's member
	// names (family, containerDefinitions, ..., tags). It is taken whole
	// because every member ECS accepts is stored and echoed, including the
	// ones Slipway does not model.
	Request json.RawMessage
	// SystemTags are tags with the reserved aws: prefix that an in-process
	// caller sets (CloudFormation's; model.ValidateSystemTags), never the wire.
	SystemTags []model.Tag `json:"-"`
}

// RegisterTaskDefinition validates and normalises a definition and stores it
// as the family's next revision, ACTIVE.
func (s *Ops) RegisterTaskDefinition(ctx context.Context, in *RegisterTaskDefinitionInput) (*TaskDefinition, error) {
	reg, err := model.NormalizeRegistration(in.Request)
	if err != nil {
		return nil, apiErr(err)
	}
	if err := model.ValidateSystemTags(in.SystemTags); err != nil {
		return nil, apiErr(err)
	}
	var td model.TaskDefinition
	err = s.st.Update(ctx, func(tx state.Tx) error {
		rev, err := tx.NextRevision(reg.Spec.Family)
		if err != nil {
			return err
		}
		td = model.TaskDefinition{
			ARN: tx.Partition.TaskDefinitionARN(reg.Spec.Family, rev), Family: reg.Spec.Family, Revision: rev,
			Status: model.TaskDefinitionActive, RegisteredAt: s.st.NowTime(), Document: reg.Document, Spec: reg.Spec,
		}
		if err := tx.PutTaskDefinition(td); err != nil {
			return err
		}
		return tx.PutTags(td.ARN, withSystemTags(reg.Tags, in.SystemTags))
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("task definition registered", "task_definition", td.Name())
	return taskDefinitionOf(td, withSystemTags(reg.Tags, in.SystemTags)), nil
}

// DescribeTaskDefinitionInput is DescribeTaskDefinition's input.
type DescribeTaskDefinitionInput struct {
	// TaskDefinition is family (its latest ACTIVE revision), family:revision
	// or an ARN.
	TaskDefinition string `json:"taskDefinition"`
	// Include may hold IncludeTags.
	Include []string `json:"include"`
}

// DescribeTaskDefinition describes one revision, ACTIVE or INACTIVE.
func (s *Ops) DescribeTaskDefinition(ctx context.Context, in *DescribeTaskDefinitionInput) (*TaskDefinition, error) {
	if in.TaskDefinition == "" {
		return nil, clientErr("Task Definition can not be blank.")
	}
	var out *TaskDefinition
	err := s.st.View(ctx, func(tx state.Tx) error {
		td, err := tx.ResolveTaskDefinition(in.TaskDefinition)
		if err != nil {
			return err
		}
		var tags []model.Tag
		if slices.Contains(in.Include, IncludeTags) {
			if tags, err = tx.Tags(td.ARN); err != nil {
				return err
			}
		}
		out = taskDefinitionOf(td, tags)
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// ListTaskDefinitionsInput is ListTaskDefinitions' input.
type ListTaskDefinitionsInput struct {
	// FamilyPrefix names a whole family (it is not a string prefix).
	FamilyPrefix string `json:"familyPrefix"`
	// Status is ACTIVE (the default), INACTIVE or DELETE_IN_PROGRESS.
	Status string `json:"status"`
	// Sort is ASC (the default) or DESC, by family and revision.
	Sort       string `json:"sort"`
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

// ListTaskDefinitionsOutput is ListTaskDefinitions' output.
type ListTaskDefinitionsOutput struct {
	TaskDefinitionARNs []string
	NextToken          string
}

// ListTaskDefinitions lists revisions' ARNs, 100 a page at most.
func (s *Ops) ListTaskDefinitions(ctx context.Context, in *ListTaskDefinitionsInput) (*ListTaskDefinitionsOutput, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, apiErr(err)
	}
	status, err := enumParam("status", in.Status, model.TaskDefinitionActive, model.TaskDefinitionInactive, model.TaskDefinitionDeleteInProgress)
	if err != nil {
		return nil, err
	}
	if in.Sort != "" && in.Sort != "ASC" && in.Sort != "DESC" {
		return nil, invalidParam("sort must be ASC or DESC.")
	}
	prefix := ""
	if in.FamilyPrefix != "" {
		prefix = in.FamilyPrefix + "/"
	}
	var keys, arns []string
	err = s.st.View(ctx, func(tx state.Tx) error {
		keys, arns = []string{}, []string{}
		return tx.ScanTaskDefinitions(prefix, "", func(key string, td model.TaskDefinition) bool {
			if td.Status == status {
				keys, arns = append(keys, key), append(arns, td.ARN)
			}
			return true
		})
	})
	if err != nil {
		return nil, apiErr(err)
	}
	if in.Sort == "DESC" {
		slices.Reverse(keys)
		slices.Reverse(arns)
	}
	page, next := paginate(keys, after, limit)
	return &ListTaskDefinitionsOutput{TaskDefinitionARNs: arns[page.start:page.end], NextToken: next}, nil
}

// ListTaskDefinitionFamiliesInput is ListTaskDefinitionFamilies' input.
type ListTaskDefinitionFamiliesInput struct {
	// FamilyPrefix is a string prefix of the families listed.
	FamilyPrefix string `json:"familyPrefix"`
	// Status is ACTIVE (the default: families with an ACTIVE revision),
	// INACTIVE (those with none) or ALL.
	Status     string `json:"status"`
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

// ListTaskDefinitionFamiliesOutput is ListTaskDefinitionFamilies' output.
type ListTaskDefinitionFamiliesOutput struct {
	Families  []string
	NextToken string
}

// ListTaskDefinitionFamilies lists families by name, 100 a page at most.
func (s *Ops) ListTaskDefinitionFamilies(ctx context.Context, in *ListTaskDefinitionFamiliesInput) (*ListTaskDefinitionFamiliesOutput, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, apiErr(err)
	}
	status, err := enumParam("status", in.Status, "ACTIVE", "INACTIVE", "ALL")
	if err != nil {
		return nil, err
	}
	var families []string
	err = s.st.View(ctx, func(tx state.Tx) error {
		all, err := tx.Families()
		if err != nil {
			return err
		}
		families = []string{}
		for _, f := range all {
			if !strings.HasPrefix(f, in.FamilyPrefix) {
				continue
			}
			_, err := tx.LatestActiveTaskDefinition(f)
			active := err == nil
			if err != nil && !errors.Is(err, state.ErrTaskDefinitionNotFound) {
				return err
			}
			if status == "ALL" || active == (status == "ACTIVE") {
				families = append(families, f)
			}
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	page, next := paginate(families, after, limit)
	return &ListTaskDefinitionFamiliesOutput{Families: families[page.start:page.end], NextToken: next}, nil
}

// DeregisterTaskDefinitionInput is DeregisterTaskDefinition's input.
type DeregisterTaskDefinitionInput struct {
	// TaskDefinition is family:revision or an ARN: the revision must be explicit.
	TaskDefinition string `json:"taskDefinition"`
}

// DeregisterTaskDefinition makes a revision INACTIVE, as in ECS: running
// tasks and services keep it, but no new service or RunTask may use it.
// Deregistering an INACTIVE revision changes nothing.
func (s *Ops) DeregisterTaskDefinition(ctx context.Context, in *DeregisterTaskDefinitionInput) (*TaskDefinition, error) {
	family, rev, err := explicitRevision(in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	var td model.TaskDefinition
	changed := false
	err = s.st.Update(ctx, func(tx state.Tx) error {
		if td, err = tx.TaskDefinition(family, rev); err != nil {
			return err
		}
		changed = td.Status == model.TaskDefinitionActive
		if changed {
			td.Status = model.TaskDefinitionInactive
			td.DeregisteredAt = model.Ptr(s.st.Now())
			return tx.PutTaskDefinition(td)
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	if changed {
		s.log.Info("task definition deregistered", "task_definition", td.Name())
	}
	return taskDefinitionOf(td, nil), nil
}

// explicitRevision parses family:revision or a task definition ARN whose
// revision is given, as DeregisterTaskDefinition and DeleteTaskDefinitions
// require.
func explicitRevision(ref string) (string, int, error) {
	if a, ok := model.ParseARN(ref); ok {
		ref = strings.TrimPrefix(a.Resource, "task-definition/")
	}
	family, revText, ok := strings.Cut(ref, ":")
	rev, err := strconv.Atoi(revText)
	if !ok || err != nil || rev < 1 {
		return "", 0, clientErr("Invalid revision number. Number: %s", revText)
	}
	return family, rev, nil
}
