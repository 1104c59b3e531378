package cli

import (
	"context"
	"errors"

	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/smithy-go"
)

// homeRegionScaling reads Application Auto Scaling, which the server
// serves in its home region (`slipway server --region`) only. In another
// region it refuses the credential scope, so no scalable target can exist
// there: the commands show none instead of failing. The ECS call before
// went through with the same credentials and signature, so the refusal
// is the region's.
type homeRegionScaling struct{ scalingReader }

// refusedRegion reports the server's refusal of the region's scope.
func refusedRegion(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "InvalidSignatureException"
}

func (h homeRegionScaling) DescribeScalableTargets(ctx context.Context, in *aas.DescribeScalableTargetsInput, opts ...func(*aas.Options)) (*aas.DescribeScalableTargetsOutput, error) {
	out, err := h.scalingReader.DescribeScalableTargets(ctx, in, opts...)
	if refusedRegion(err) {
		return &aas.DescribeScalableTargetsOutput{}, nil
	}
	return out, err
}

func (h homeRegionScaling) DescribeScalingActivities(ctx context.Context, in *aas.DescribeScalingActivitiesInput, opts ...func(*aas.Options)) (*aas.DescribeScalingActivitiesOutput, error) {
	out, err := h.scalingReader.DescribeScalingActivities(ctx, in, opts...)
	if refusedRegion(err) {
		return &aas.DescribeScalingActivitiesOutput{}, nil
	}
	return out, err
}
