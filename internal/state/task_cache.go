package state

import "github.com/slipway-dev/slipway/internal/model"

// decodeTask decodes a task record, through the cache when the bytes are
// the ones last decoded.
func (tx Tx) decodeTask(key string, raw []byte) (model.Task, error) {
	return decodeCached(tx.tasks, "task", key, raw)
}

// scanTasks decodes the tasks under prefix after `after`, in key order,
// until fn returns false.
func (tx Tx) scanTasks(prefix, after string, fn func(key string, t model.Task) bool) error {
	return tx.Scan(bucketTasks, prefix, after, func(key string, raw []byte) (bool, error) {
		t, err := tx.decodeTask(key, raw)
		if err != nil {
			return false, err
		}
		return fn(key, t), nil
	})
}
