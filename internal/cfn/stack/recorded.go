package stack

import (
	"context"

	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
)

// recordedProvider "makes" the resources of recorded types (VPCs, subnets,
// IAM roles...): they mean nothing on Slipway's machines, so they are only
// stored, with the ids and attributes AWS would return (resourcetype.Record).
type recordedProvider struct {
	cat  *resourcetype.Catalog
	part partition
}

func (p recordedProvider) context(req *Request) resourcetype.Context {
	return resourcetype.Context{Partition: p.part.name, Region: p.part.region, AccountID: p.part.account,
		URLSuffix: p.part.urlSuffix, StackName: req.StackName, LogicalID: req.LogicalID}
}

func (p recordedProvider) Create(_ context.Context, req *Request) (*Result, error) {
	r, err := p.cat.Record(req.Type, req.Properties, p.context(req), nil)
	if err != nil {
		return nil, err
	}
	return &Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (p recordedProvider) Update(_ context.Context, req *Request) (*Result, error) {
	prev := &resourcetype.RecordedResource{PhysicalID: req.PhysicalID, Attributes: req.Attributes}
	r, err := p.cat.Record(req.Type, req.Properties, p.context(req), prev)
	if err != nil {
		return nil, err
	}
	return &Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (recordedProvider) Delete(context.Context, *Request) error { return nil }
