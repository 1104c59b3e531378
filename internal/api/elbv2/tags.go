package elbv2

import "github.com/slipway-dev/slipway/internal/ops/elbops"

// decodeTags reads the Tags list; elbops validates it.
func decodeTags(f form) []elbops.Tag {
	var tags []elbops.Tag
	for _, t := range f.list("Tags") {
		tags = append(tags, elbops.Tag{Key: t.str("Key"), Value: t.str("Value")})
	}
	return tags
}

func decodeAddTags(f form) (*elbops.AddTagsInput, error) {
	return &elbops.AddTagsInput{ResourceARNs: f.strList("ResourceArns"), Tags: decodeTags(f)}, nil
}

func decodeRemoveTags(f form) (*elbops.RemoveTagsInput, error) {
	return &elbops.RemoveTagsInput{ResourceARNs: f.strList("ResourceArns"), TagKeys: f.strList("TagKeys")}, nil
}

func decodeDescribeTags(f form) (*elbops.DescribeTagsInput, error) {
	return &elbops.DescribeTagsInput{ResourceARNs: f.strList("ResourceArns")}, nil
}

type tagDescription struct {
	ResourceArn string
	Tags        list[wireTag]
}

type describeTagsResult struct {
	TagDescriptions list[tagDescription]
}

func encodeTags(o *elbops.DescribeTagsOutput) any {
	res := describeTagsResult{TagDescriptions: list[tagDescription]{Member: []tagDescription{}}}
	for _, d := range o.TagDescriptions {
		res.TagDescriptions.Member = append(res.TagDescriptions.Member, tagDescription{ResourceArn: d.ResourceARN, Tags: toWireTags(d.Tags)})
	}
	return res
}
