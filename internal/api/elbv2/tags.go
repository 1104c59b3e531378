package elbv2

import "github.com/slipway-dev/slipway/internal/ops/elbops"

// decodeTags reads the Tags list; elbops validates it.
func decodeTags(f form) []elbops.Tag {
	var tags []elbops.Tag
	for _, t := range f.List("Tags") {
		tags = append(tags, elbops.Tag{Key: t.Str("Key"), Value: t.Str("Value")})
	}
	return tags
}

func decodeAddTags(f form) (*elbops.AddTagsInput, error) {
	return &elbops.AddTagsInput{ResourceARNs: f.StrList("ResourceArns"), Tags: decodeTags(f)}, nil
}

func decodeRemoveTags(f form) (*elbops.RemoveTagsInput, error) {
	return &elbops.RemoveTagsInput{ResourceARNs: f.StrList("ResourceArns"), TagKeys: f.StrList("TagKeys")}, nil
}

func decodeDescribeTags(f form) (*elbops.DescribeTagsInput, error) {
	return &elbops.DescribeTagsInput{ResourceARNs: f.StrList("ResourceArns")}, nil
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
