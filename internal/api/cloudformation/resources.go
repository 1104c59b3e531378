package cloudformation

import (
	"context"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

type describeResourcesResult struct {
	StackResources *list[wireStackResource]
}

func (h *Handler) describeStackResources(ctx context.Context, f form) (any, error) {
	name, physical := f.Str("StackName"), f.Str("PhysicalResourceId")
	if name == "" && physical == "" {
		return nil, validationf("Either StackName or PhysicalResourceId must be specified.")
	}
	if name == "" {
		id, err := h.e.StackOfPhysicalID(ctx, physical)
		if err != nil {
			return nil, err
		}
		name = id
	}
	s, rs, err := h.e.Resources(ctx, name)
	if err != nil {
		return nil, err
	}
	logical := f.Str("LogicalResourceId")
	var out []wireStackResource
	for _, r := range rs {
		if logical != "" && r.LogicalID != logical || physical != "" && f.Str("StackName") == "" && r.PhysicalID != physical {
			continue
		}
		out = append(out, wireStackResource{StackName: s.Name, StackId: s.ID, LogicalResourceId: r.LogicalID,
			PhysicalResourceId: r.PhysicalID, ResourceType: r.Type, Timestamp: isoTime(r.Updated), ResourceStatus: r.Status,
			ResourceStatusReason: r.StatusReason, DriftInformation: notChecked})
	}
	return describeResourcesResult{StackResources: &list[wireStackResource]{Member: out}}, nil
}

type describeResourceResult struct {
	StackResourceDetail wireResourceDetail
}

func (h *Handler) describeStackResource(ctx context.Context, f form) (any, error) {
	s, rs, err := h.e.Resources(ctx, f.Str("StackName"))
	if err != nil {
		return nil, err
	}
	id := f.Str("LogicalResourceId")
	for _, r := range rs {
		if r.LogicalID == id {
			return describeResourceResult{StackResourceDetail: wireResourceDetail{StackName: s.Name, StackId: s.ID,
				LogicalResourceId: r.LogicalID, PhysicalResourceId: r.PhysicalID, ResourceType: r.Type,
				LastUpdatedTimestamp: isoTime(r.Updated), ResourceStatus: r.Status, ResourceStatusReason: r.StatusReason,
				DriftInformation: notChecked}}, nil
		}
	}
	return nil, validationf("Resource %s does not exist for stack %s", id, f.Str("StackName"))
}

type listResourcesResult struct {
	StackResourceSummaries *list[wireResourceSummary]
	NextToken              string `xml:",omitempty"`
}

func (h *Handler) listStackResources(ctx context.Context, f form) (any, error) {
	_, rs, err := h.e.Resources(ctx, f.Str("StackName"))
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(rs, f.Str("NextToken"), 100)
	if err != nil {
		return nil, err
	}
	var out []wireResourceSummary
	for _, r := range page {
		out = append(out, resourceSummary(r))
	}
	return listResourcesResult{StackResourceSummaries: &list[wireResourceSummary]{Member: out}, NextToken: next}, nil
}

func resourceSummary(r stack.Resource) wireResourceSummary {
	return wireResourceSummary{LogicalResourceId: r.LogicalID, PhysicalResourceId: r.PhysicalID, ResourceType: r.Type,
		LastUpdatedTimestamp: isoTime(r.Updated), ResourceStatus: r.Status, ResourceStatusReason: r.StatusReason,
		DriftInformation: notChecked}
}

type wireExport struct {
	ExportingStackId string
	Name             string
	Value            string
}

type listExportsResult struct {
	Exports   *list[wireExport]
	NextToken string `xml:",omitempty"`
}

func (h *Handler) listExports(ctx context.Context, f form) (any, error) {
	xs, err := h.e.Exports(ctx)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(xs, f.Str("NextToken"), 100)
	if err != nil {
		return nil, err
	}
	var out []wireExport
	for _, x := range page {
		out = append(out, wireExport{ExportingStackId: x.StackID, Name: x.Name, Value: x.Value})
	}
	return listExportsResult{Exports: &list[wireExport]{Member: out}, NextToken: next}, nil
}

type listImportsResult struct {
	Imports   *list[string]
	NextToken string `xml:",omitempty"`
}

func (h *Handler) listImports(ctx context.Context, f form) (any, error) {
	names, err := h.e.Imports(ctx, f.Str("ExportName"))
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(names, f.Str("NextToken"), 100)
	if err != nil {
		return nil, err
	}
	return listImportsResult{Imports: &list[string]{Member: page}, NextToken: next}, nil
}
