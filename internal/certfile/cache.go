package certfile

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// Cache loads certificates, reading each pair once: a later Load only stats
// the two files and reads them again when either changed (a renewed
// certificate is picked up at the next Load), so a routing sync costs two
// stats per certificate, not two reads and a parse.
type Cache struct {
	mu   sync.Mutex // protects m
	m    map[string]cached
	read func(path string) ([]byte, os.FileInfo, error) // readFile; tests count reads
}

type cached struct {
	cert, key os.FileInfo
	readAt    time.Time
	pair      Pair
}

// racyWindow: file times tick coarsely (a kernel clock tick), so a file
// rewritten within a tick of its previous write can keep its time and size.
// A pair read less than this after either file's modification is read again
// next time, until a read happens well after it ("racy" entries, as git
// calls them).
const racyWindow = 2 * time.Second

func (e cached) trusted() bool {
	return e.readAt.Sub(e.cert.ModTime()) > racyWindow && e.readAt.Sub(e.key.ModTime()) > racyWindow
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{m: map[string]cached{}, read: readFile} }

// Load is Load through the cache.
func (c *Cache) Load(arn string) (Pair, error) {
	certFile, keyFile, err := model.CertificateFiles(arn)
	if err != nil {
		return Pair{}, fmt.Errorf("%w: %s: %w", ErrUnusable, arn, err)
	}
	certInfo, certErr := os.Stat(certFile)
	keyInfo, keyErr := os.Stat(keyFile)
	c.mu.Lock()
	e, ok := c.m[arn]
	c.mu.Unlock()
	if ok && certErr == nil && keyErr == nil && unchanged(e.cert, certInfo) && unchanged(e.key, keyInfo) && e.trusted() {
		return e.pair, nil
	}
	c.mu.Lock()
	delete(c.m, arn) // a file that no longer loads is not served from the cache
	c.mu.Unlock()
	readAt := time.Now()
	cert, certInfo, err := c.read(certFile)
	if err != nil {
		return Pair{}, err
	}
	key, keyInfo, err := c.read(keyFile)
	if err != nil {
		return Pair{}, err
	}
	pair, err := check(arn, cert, key)
	if err != nil {
		return Pair{}, err
	}
	c.mu.Lock()
	c.m[arn] = cached{cert: certInfo, key: keyInfo, readAt: readAt, pair: pair}
	c.mu.Unlock()
	return pair, nil
}

// Forget drops the certificates not in keep, so that the cache holds only
// those some listener still names.
func (c *Cache) Forget(keep map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for arn := range c.m {
		if !keep[arn] {
			delete(c.m, arn)
		}
	}
}
