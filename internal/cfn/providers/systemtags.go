package providers

import (
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/model"
)

// systemTags are the tags CloudFormation adds to each resource it makes
// whose type takes tags: the stack's name and id and the resource's logical
// id. The operations layers take them through their SystemTags input
// members (the aws: prefix is refused from every API caller). A request
// without a stack (a provider called on its own) has none.
func systemTags(req *stack.Request) []model.Tag {
	if req.StackID == "" {
		return nil
	}
	return []model.Tag{
		{Key: model.TagCloudFormationStackName, Value: req.StackName},
		{Key: model.TagCloudFormationStackID, Value: req.StackID},
		{Key: model.TagCloudFormationLogicalID, Value: req.LogicalID},
	}
}
