package state

import (
	"errors"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

func serviceKey(cluster, name string) string { return cluster + "/" + name }

// Service returns the named service of cluster.
func (tx Tx) Service(cluster, name string) (model.Service, error) {
	key := serviceKey(cluster, name)
	raw, err := tx.Get(bucketServices, key)
	if err != nil {
		return model.Service{}, notFound(err, ErrServiceNotFound)
	}
	return tx.decodeService(key, raw)
}

// decodeService decodes a service record, through the cache when the bytes
// are the ones last decoded.
func (tx Tx) decodeService(key string, raw []byte) (model.Service, error) {
	return decodeCached(tx.services, "service", key, raw)
}

// PutService stores s under its cluster.
func (tx Tx) PutService(cluster string, s model.Service) error {
	s.Internal.Revision++
	return store.PutJSON(tx, bucketServices, serviceKey(cluster, s.Name), s)
}

// DeleteService removes the record of a service.
func (tx Tx) DeleteService(cluster, name string) error {
	if tx.services != nil {
		tx.services.drop(serviceKey(cluster, name))
	}
	return tx.Delete(bucketServices, serviceKey(cluster, name))
}

// Services returns every service of cluster (all statuses) in name order.
func (tx Tx) Services(cluster string) ([]model.Service, error) {
	var out []model.Service
	err := tx.Scan(bucketServices, cluster+"/", "", func(key string, raw []byte) (bool, error) {
		s, err := tx.decodeService(key, raw)
		out = append(out, s)
		return err == nil, err
	})
	return out, err
}

// ScanServices pages through cluster's services after key `after`.
func (tx Tx) ScanServices(cluster, after string, fn func(key string, s model.Service) bool) error {
	return store.ScanJSON(tx, bucketServices, cluster+"/", after, fn)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// deploymentSeqBucket numbers deployments across all services, so that
// ecs-svc ids are unique in the account as ECS's are.
const deploymentSeqBucket = "seq_deployments"

// NextDeploymentSeq returns the number of a new deployment.
func (tx Tx) NextDeploymentSeq() (uint64, error) { return tx.NextSequence(deploymentSeqBucket) }
