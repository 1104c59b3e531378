package model

import (
	"slices"
	"testing"
)

func TestAWSRegions(t *testing.T) {
	if !slices.IsSorted(awsRegions) {
		t.Fatal("awsRegions must stay sorted for the binary search")
	}
	for _, r := range []string{"us-east-1", "eu-west-1", "ap-southeast-7"} {
		if !IsAWSRegion(r) {
			t.Errorf("IsAWSRegion(%q) = false", r)
		}
	}
	for _, r := range []string{"", "aws-global", "us-gov-west-1", "cn-north-1", "xx-east-1", "us-east-1 "} {
		if IsAWSRegion(r) {
			t.Errorf("IsAWSRegion(%q) = true", r)
		}
	}
}
