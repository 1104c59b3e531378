package state

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// Tags returns the tags of the resource with the given ARN (none if unset).
func (tx Tx) Tags(arn string) ([]model.Tag, error) {
	tags, err := store.GetJSON[[]model.Tag](tx, bucketTags, arn)
	if isNotFound(err) {
		return []model.Tag{}, nil
	}
	return tags, err
}

// PutTags replaces the tags of arn; an empty list removes the record.
func (tx Tx) PutTags(arn string, tags []model.Tag) error {
	if len(tags) == 0 {
		return tx.Delete(bucketTags, arn)
	}
	return store.PutJSON(tx, bucketTags, arn, tags)
}

// MergeTags adds or overwrites tags on arn, keeping the others.
func (tx Tx) MergeTags(arn string, add []model.Tag) ([]model.Tag, error) {
	tags, err := tx.Tags(arn)
	if err != nil {
		return nil, err
	}
	tags = model.MergeTags(tags, add)
	return tags, tx.PutTags(arn, tags)
}

// RemoveTags deletes the given keys from arn's tags.
func (tx Tx) RemoveTags(arn string, keys []string) error {
	tags, err := tx.Tags(arn)
	if err != nil {
		return err
	}
	return tx.PutTags(arn, model.RemoveTagKeys(tags, keys))
}
