package state

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// Cluster returns the named cluster (ACTIVE or INACTIVE).
func (tx Tx) Cluster(name string) (model.Cluster, error) {
	c, err := store.GetJSON[model.Cluster](tx, bucketClusters, name)
	return c, notFound(err, ErrClusterNotFound)
}

// ActiveCluster returns the named cluster if it is ACTIVE.
func (tx Tx) ActiveCluster(name string) (model.Cluster, error) {
	c, err := tx.Cluster(name)
	if err == nil && c.Status != model.ClusterActive {
		return c, ErrClusterNotFound
	}
	return c, err
}

// PutCluster stores c.
func (tx Tx) PutCluster(c model.Cluster) error { return store.PutJSON(tx, bucketClusters, c.Name, c) }

// Clusters returns every cluster in name order.
func (tx Tx) Clusters() ([]model.Cluster, error) {
	return store.ListJSON[model.Cluster](tx, bucketClusters, "")
}
