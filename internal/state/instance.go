package state

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// Instance returns the container instance with id in cluster.
func (tx Tx) Instance(cluster, id string) (model.ContainerInstance, error) {
	ci, err := store.GetJSON[model.ContainerInstance](tx, bucketInstances, cluster+"/"+id)
	return ci, notFound(err, ErrInstanceNotFound)
}

// PutInstance stores ci.
func (tx Tx) PutInstance(ci model.ContainerInstance) error {
	return store.PutJSON(tx, bucketInstances, ci.Internal.Cluster+"/"+ci.Internal.ID, ci)
}

// Instances returns the container instances of cluster.
func (tx Tx) Instances(cluster string) ([]model.ContainerInstance, error) {
	return store.ListJSON[model.ContainerInstance](tx, bucketInstances, cluster+"/")
}

// AllInstances returns every container instance of every cluster.
func (tx Tx) AllInstances() ([]model.ContainerInstance, error) {
	return store.ListJSON[model.ContainerInstance](tx, bucketInstances, "")
}
