package state

import (
	"errors"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// bucketELBAuth holds the one record of the authenticate actions' keys, in
// the home namespace whatever the region: the keys are the installation's,
// as its one data plane serves every region's listeners.
const (
	bucketELBAuth store.Bucket = "elb_auth"
	authKeysKey                = "keys"
)

// ELBAuthKeys returns the authenticate actions' keys; ok is false while
// no authenticate action was ever stored.
func (tx Tx) ELBAuthKeys() (keys model.ELBAuthKeys, ok bool, err error) {
	keys, err = store.GetJSON[model.ELBAuthKeys](tx.home(), bucketELBAuth, authKeysKey)
	if errors.Is(err, store.ErrNotFound) {
		return keys, false, nil
	}
	return keys, err == nil, err
}

// EnsureELBAuthKeys stores the keys gen makes unless there already are some.
func (tx Tx) EnsureELBAuthKeys(gen func() (model.ELBAuthKeys, error)) error {
	if _, ok, err := tx.ELBAuthKeys(); ok || err != nil {
		return err
	}
	keys, err := gen()
	if err != nil {
		return err
	}
	return store.PutJSON(tx.home(), bucketELBAuth, authKeysKey, keys)
}

// home is the transaction without the region's prefix.
func (tx Tx) home() store.Tx {
	if tx.raw != nil {
		return tx.raw
	}
	return tx.Tx
}
