package acmops

import (
	"context"
	"slices"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// AddTagsToCertificate adds tags to a certificate, replacing the values of
// keys it already has.
func (s *Service) AddTagsToCertificate(ctx context.Context, in *TagsInput) error {
	if err := s.checkTags(in); err != nil {
		return err
	}
	if err := checkTagKeys(in.Tags); err != nil {
		return err
	}
	return s.update(ctx, "certificateArn", in.CertificateArn, func(r *record) error {
		tags := slices.Clone(r.Tags)
		for _, t := range in.Tags {
			if i := slices.IndexFunc(tags, func(x Tag) bool { return x.Key == t.Key }); i >= 0 {
				tags[i] = t
			} else {
				tags = append(tags, t)
			}
		}
		if len(tags) > maxTags {
			return awserr.New(codeTooManyTags, "the TagSet: %d tags is exceeding the maximum of %d tags per certificate.",
				len(tags), maxTags)
		}
		r.Tags = tags
		return nil
	})
}

// RemoveTagsFromCertificate removes tags: a tag given with a value only
// when the certificate's tag has that value, as ACM does.
func (s *Service) RemoveTagsFromCertificate(ctx context.Context, in *TagsInput) error {
	if err := s.checkTags(in); err != nil {
		return err
	}
	return s.update(ctx, "certificateArn", in.CertificateArn, func(r *record) error {
		r.Tags = slices.DeleteFunc(slices.Clone(r.Tags), func(have Tag) bool {
			return slices.ContainsFunc(in.Tags, func(t Tag) bool {
				return t.Key == have.Key && (t.Value == nil || have.Value != nil && *t.Value == *have.Value)
			})
		})
		return nil
	})
}

// ListTagsForCertificate returns a certificate's tags.
func (s *Service) ListTagsForCertificate(ctx context.Context, in *CertificateArnInput) (*ListTagsForCertificateOutput, error) {
	r, err := s.lookup(ctx, "certificateArn", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	tags := r.Tags
	if tags == nil {
		tags = []Tag{}
	}
	return &ListTagsForCertificateOutput{Tags: tags}, nil
}

func (s *Service) checkTags(in *TagsInput) error {
	v := &validation{}
	v.arn("certificateArn", in.CertificateArn)
	v.tags("tags", in.Tags, true)
	return v.err()
}
