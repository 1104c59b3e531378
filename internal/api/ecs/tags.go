package ecs

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

type listTagsResp struct {
	Tags []model.Tag `json:"tags"`
}

func listTagsOut(o *ecsops.ListTagsForResourceOutput) any { return listTagsResp{Tags: o.Tags} }
