package model

import "slices"

// awsRegions are the regions of the "aws" partition, the one whose ARNs
// ("arn:aws:...") Slipway mints, as the SDK's partition data lists them
// (aws-sdk-go-v2 internal/endpoints/awsrulesfn/partitions.json, without
// the aws-global pseudo region). GovCloud, China and the isolated
// partitions mint other ARNs and are not served.
var awsRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
	"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// IsAWSRegion reports whether name is a region of the aws partition.
func IsAWSRegion(name string) bool {
	_, ok := slices.BinarySearch(awsRegions, name)
	return ok
}

// AWSRegions returns the regions of the aws partition, sorted.
func AWSRegions() []string { return slices.Clone(awsRegions) }
