package ecs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// taskDefinitionView is the ECS TaskDefinition shape: the registered document
// plus the fields ECS adds (ARN, revision, status, times, compatibilities).
// The document never holds those fields (normalisation drops them), so they
// are spliced in front of its fields without decoding it.
func taskDefinitionView(td model.TaskDefinition) (json.RawMessage, error) {
	if len(td.Document) < 2 || td.Document[0] != '{' {
		return nil, fmt.Errorf("task definition %s: stored document is not an object", td.ARN)
	}
	compat := []string{"EC2"} // td.Spec is decoded by every reader of a stored definition
	for _, c := range td.Spec.RequiresCompatibilities {
		if !slices.Contains(compat, c) {
			compat = append(compat, c)
		}
	}
	head, err := json.Marshal(struct {
		ARN             string      `json:"taskDefinitionArn"`
		Revision        int         `json:"revision"`
		Status          string      `json:"status"`
		RegisteredAt    model.Time  `json:"registeredAt"`
		DeregisteredAt  *model.Time `json:"deregisteredAt,omitempty"`
		RequiresAttrs   []any       `json:"requiresAttributes"`
		Compatibilities []string    `json:"compatibilities"`
	}{td.ARN, td.Revision, td.Status, td.RegisteredAt, td.DeregisteredAt, []any{}, compat})
	if err != nil {
		return nil, err
	}
	rest := bytes.TrimSpace(td.Document[1:])
	out := make([]byte, 0, len(head)+len(rest)+1)
	out = append(out, head[:len(head)-1]...)
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...), nil
}

type taskDefinitionResult struct {
	TaskDefinition json.RawMessage `json:"taskDefinition"`
	Tags           []model.Tag     `json:"tags,omitempty"`
}

// registerTaskDefinition takes the raw body, because every field ECS accepts
// must be stored and echoed, including the ones Slipway does not model.
func (h *Handler) registerTaskDefinition(ctx context.Context, body []byte) (any, error) {
	reg, err := model.NormalizeRegistration(body)
	if err != nil {
		return nil, err
	}
	var td model.TaskDefinition
	err = h.st.Update(ctx, func(tx state.Tx) error {
		rev, err := tx.NextRevision(reg.Spec.Family)
		if err != nil {
			return err
		}
		td = model.TaskDefinition{
			ARN: tx.Partition.TaskDefinitionARN(reg.Spec.Family, rev), Family: reg.Spec.Family, Revision: rev,
			Status: model.TaskDefinitionActive, RegisteredAt: h.st.NowTime(), Document: reg.Document, Spec: reg.Spec,
		}
		if err := tx.PutTaskDefinition(td); err != nil {
			return err
		}
		return tx.PutTags(td.ARN, reg.Tags)
	})
	if err != nil {
		return nil, err
	}
	view, err := taskDefinitionView(td)
	if err != nil {
		return nil, err
	}
	return &taskDefinitionResult{TaskDefinition: view, Tags: reg.Tags}, nil
}

type describeTaskDefinitionIn struct {
	TaskDefinition string   `json:"taskDefinition"`
	Include        []string `json:"include"`
}

func (h *Handler) describeTaskDefinition(ctx context.Context, in *describeTaskDefinitionIn) (*taskDefinitionResult, error) {
	if in.TaskDefinition == "" {
		return nil, clientErr("Task Definition can not be blank.")
	}
	var out taskDefinitionResult
	err := h.st.View(ctx, func(tx state.Tx) error {
		td, err := tx.ResolveTaskDefinition(in.TaskDefinition)
		if err != nil {
			return err
		}
		if out.TaskDefinition, err = taskDefinitionView(td); err != nil {
			return err
		}
		if slices.Contains(in.Include, "TAGS") {
			out.Tags, err = tx.Tags(td.ARN)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

type listTaskDefinitionsIn struct {
	FamilyPrefix string `json:"familyPrefix"`
	Status       string `json:"status"`
	Sort         string `json:"sort"`
	NextToken    string `json:"nextToken"`
	MaxResults   *int   `json:"maxResults"`
}

type listTaskDefinitionsOut struct {
	TaskDefinitionArns []string `json:"taskDefinitionArns"`
	NextToken          string   `json:"nextToken,omitempty"`
}

// listTaskDefinitions follows ECS: familyPrefix names a whole family (it is
// not a string prefix), status defaults to ACTIVE, sort ASC by family and
// revision.
func (h *Handler) listTaskDefinitions(ctx context.Context, in *listTaskDefinitionsIn) (*listTaskDefinitionsOut, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, err
	}
	status, err := enumParam("status", in.Status, model.TaskDefinitionActive, model.TaskDefinitionInactive, "DELETE_IN_PROGRESS")
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
	err = h.st.View(ctx, func(tx state.Tx) error {
		return tx.ScanTaskDefinitions(prefix, "", func(key string, td model.TaskDefinition) bool {
			if td.Status == status {
				keys, arns = append(keys, key), append(arns, td.ARN)
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	if in.Sort == "DESC" {
		slices.Reverse(keys)
		slices.Reverse(arns)
	}
	page, next := paginate(keys, after, limit)
	out := &listTaskDefinitionsOut{TaskDefinitionArns: arns[page.start:page.end], NextToken: next}
	return out, nil
}

type pageRange struct{ start, end int }

// paginate finds the page after the key `after` in an ordered key list and
// returns its bounds and the next token.
func paginate(keys []string, after string, limit int) (pageRange, string) {
	start := 0
	if after != "" {
		start = slices.Index(keys, after) + 1
	}
	end := min(start+limit, len(keys))
	next := ""
	if end < len(keys) {
		next = state.EncodeToken(keys[end-1])
	}
	return pageRange{start, end}, next
}

type listFamiliesIn struct {
	FamilyPrefix string `json:"familyPrefix"`
	Status       string `json:"status"`
	NextToken    string `json:"nextToken"`
	MaxResults   *int   `json:"maxResults"`
}

type listFamiliesOut struct {
	Families  []string `json:"families"`
	NextToken string   `json:"nextToken,omitempty"`
}

// listTaskDefinitionFamilies follows ECS: ACTIVE (the default) lists families
// with an ACTIVE revision, INACTIVE those with none, ALL every family.
func (h *Handler) listTaskDefinitionFamilies(ctx context.Context, in *listFamiliesIn) (*listFamiliesOut, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, err
	}
	status, err := enumParam("status", in.Status, "ACTIVE", "INACTIVE", "ALL")
	if err != nil {
		return nil, err
	}
	var families []string
	err = h.st.View(ctx, func(tx state.Tx) error {
		all, err := tx.Families()
		if err != nil {
			return err
		}
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
		return nil, err
	}
	page, next := paginate(families, after, limit)
	return &listFamiliesOut{Families: families[page.start:page.end], NextToken: next}, nil
}

type deregisterIn struct {
	TaskDefinition string `json:"taskDefinition"`
}

// deregisterTaskDefinition needs an explicit revision, as in ECS. The
// revision becomes INACTIVE: running tasks and services keep it, but no new
// service or RunTask may use it.
func (h *Handler) deregisterTaskDefinition(ctx context.Context, in *deregisterIn) (*taskDefinitionResult, error) {
	ref := in.TaskDefinition
	if a, ok := model.ParseARN(ref); ok {
		ref = strings.TrimPrefix(a.Resource, "task-definition/")
	}
	family, revText, ok := strings.Cut(ref, ":")
	rev, err := strconv.Atoi(revText)
	if !ok || err != nil || rev < 1 {
		return nil, clientErr("Invalid revision number. Number: %s", revText)
	}
	var td model.TaskDefinition
	err = h.st.Update(ctx, func(tx state.Tx) error {
		if td, err = tx.TaskDefinition(family, rev); err != nil {
			return err
		}
		if td.Status == model.TaskDefinitionActive {
			td.Status = model.TaskDefinitionInactive
			td.DeregisteredAt = model.Ptr(h.st.Now())
			return tx.PutTaskDefinition(td)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	view, err := taskDefinitionView(td)
	if err != nil {
		return nil, err
	}
	return &taskDefinitionResult{TaskDefinition: view}, nil
}
