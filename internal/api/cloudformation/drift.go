package cloudformation

import (
	"context"
	"slices"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

type detectDriftResult struct {
	StackDriftDetectionId string
}

func (h *Handler) detectStackDrift(ctx context.Context, f form) (any, error) {
	if len(f.StrList("LogicalResourceIds")) > 0 {
		return nil, validationf("Slipway detects the drift of a whole stack only (LogicalResourceIds is not supported)")
	}
	id, err := h.e.DetectStackDrift(ctx, f.Str("StackName"))
	if err != nil {
		return nil, err
	}
	return detectDriftResult{StackDriftDetectionId: id}, nil
}

type driftStatusResult struct {
	StackId                   string
	StackDriftDetectionId     string
	StackDriftStatus          string
	DetectionStatus           string
	DriftedStackResourceCount int
	Timestamp                 string
}

func (h *Handler) describeStackDriftDetectionStatus(ctx context.Context, f form) (any, error) {
	d, err := h.e.Detection(ctx, f.Str("StackDriftDetectionId"))
	if err != nil {
		return nil, err
	}
	return driftStatusResult{StackId: d.StackID, StackDriftDetectionId: d.ID, StackDriftStatus: d.StackDriftStatus,
		DetectionStatus: "DETECTION_COMPLETE", DriftedStackResourceCount: d.DriftedCount, Timestamp: isoTime(d.Timestamp)}, nil
}

type wirePropertyDifference struct {
	PropertyPath, ExpectedValue, ActualValue, DifferenceType string
}

type wireResourceDriftRecord struct {
	StackId                  string
	LogicalResourceId        string
	PhysicalResourceId       string `xml:",omitempty"`
	ResourceType             string
	ExpectedProperties       string `xml:",omitempty"`
	ActualProperties         string `xml:",omitempty"`
	PropertyDifferences      *list[wirePropertyDifference]
	StackResourceDriftStatus string
	Timestamp                string
}

type resourceDriftsResult struct {
	StackResourceDrifts *list[wireResourceDriftRecord]
	NextToken           string `xml:",omitempty"`
}

func (h *Handler) describeStackResourceDrifts(ctx context.Context, f form) (any, error) {
	stacks, err := h.e.DescribeStacks(ctx, f.Str("StackName"))
	if err != nil {
		return nil, err
	}
	d, err := h.e.LastDetection(ctx, stacks[0].ID)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, validationf("No drift detection has been run on stack %s: call DetectStackDrift first", stacks[0].Name)
	}
	filter := f.StrList("StackResourceDriftStatusFilters")
	var out []wireResourceDriftRecord
	for _, r := range d.Resources {
		if len(filter) > 0 && !slices.Contains(filter, r.Status) {
			continue
		}
		out = append(out, toWireResourceDrift(d.StackID, r))
	}
	page, next, err := paginate(out, f.Str("NextToken"), 100)
	if err != nil {
		return nil, err
	}
	return resourceDriftsResult{StackResourceDrifts: &list[wireResourceDriftRecord]{Member: page}, NextToken: next}, nil
}

func toWireResourceDrift(stackID string, r stack.ResourceDrift) wireResourceDriftRecord {
	w := wireResourceDriftRecord{StackId: stackID, LogicalResourceId: r.LogicalID, PhysicalResourceId: r.PhysicalID,
		ResourceType: r.Type, ExpectedProperties: r.PropertiesJSON(false), ActualProperties: r.PropertiesJSON(true),
		StackResourceDriftStatus: r.Status, Timestamp: isoTime(r.Timestamp)}
	var diffs []wirePropertyDifference
	for _, d := range r.Differences {
		diffs = append(diffs, wirePropertyDifference{PropertyPath: d.Path, ExpectedValue: d.Expected, ActualValue: d.Actual, DifferenceType: d.Type})
	}
	w.PropertyDifferences = listOf(diffs)
	return w
}
