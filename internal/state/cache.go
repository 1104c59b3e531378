package state

import (
	"bytes"
	"slices"
	"sync"

	"github.com/slipway-dev/slipway/internal/model"
)

// serviceCache keeps the last decoded copy of each service record with the
// bytes it was decoded from. Services are the API's hottest read and their
// records (deployments, events, history) are the largest, so decoding them
// dominated DescribeServices; now a read whose bytes are unchanged costs a
// comparison and a copy. The bytes, not a version, are the key, so the
// cache can never serve a stale record.
type serviceCache struct {
	mu sync.Mutex // protects m
	m  map[string]cachedService
}

type cachedService struct {
	raw []byte
	svc model.Service
}

func newServiceCache() *serviceCache { return &serviceCache{m: map[string]cachedService{}} }

func (c *serviceCache) get(key string, raw []byte) (model.Service, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || !bytes.Equal(e.raw, raw) {
		return model.Service{}, false
	}
	return cloneService(e.svc), true
}

func (c *serviceCache) put(key string, raw []byte, svc model.Service) {
	c.mu.Lock()
	c.m[key] = cachedService{raw: raw, svc: cloneService(svc)}
	c.mu.Unlock()
}

func (c *serviceCache) drop(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// cloneService copies the slices that callers change in place, so that a
// caller's edits never reach the cached copy.
func cloneService(s model.Service) model.Service {
	s.Deployments = slices.Clone(s.Deployments)
	s.Events = slices.Clone(s.Events)
	s.LoadBalancers = slices.Clone(s.LoadBalancers)
	s.Internal.History = slices.Clone(s.Internal.History)
	return s
}
