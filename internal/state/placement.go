package state

import (
	"encoding/binary"
	"fmt"

	"github.com/slipway-dev/slipway/internal/store"
)

// bucketPlacements holds one counter per cluster, bumped by every placement
// of tasks there (RunTask, the service controller).
const bucketPlacements store.Bucket = "placements"

// PlacementVersion returns cluster's placement counter. A placer that plans
// outside its write transaction reads it first and compares it in the
// transaction: when it moved, another placement used capacity meanwhile.
func (tx Tx) PlacementVersion(cluster string) (uint64, error) {
	raw, err := tx.Get(bucketPlacements, cluster)
	switch {
	case isNotFound(err):
		return 0, nil
	case err != nil:
		return 0, err
	case len(raw) != 8:
		return 0, fmt.Errorf("placement version of %s: corrupt record of %d bytes", cluster, len(raw))
	}
	return binary.BigEndian.Uint64(raw), nil
}

// BumpPlacementVersion records that tasks were placed in cluster.
func (tx Tx) BumpPlacementVersion(cluster string) error {
	v, err := tx.PlacementVersion(cluster)
	if err != nil {
		return err
	}
	return tx.Put(bucketPlacements, cluster, binary.BigEndian.AppendUint64(nil, v+1))
}
