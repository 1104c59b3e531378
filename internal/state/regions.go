package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// Errors of Regions.
var (
	// ErrUnknownRegion reports a region outside the set a Regions serves.
	ErrUnknownRegion = errors.New("unknown region")
	// ErrHomeRegionChanged reports a store opened with another home
	// region than it was made with: its unprefixed records (and their
	// ARNs) are the first home region's.
	ErrHomeRegionChanged = errors.New("the data directory belongs to another region")
)

// Region namespaces. The home region's records stay in the buckets they
// always had (a data directory of a single-region Slipway is the home
// region's, unchanged); another region R's bucket B is "region/R/B".
// bucketRegions, in the home namespace, lists the regions ever used, so a
// restarted server opens them all before anything acts on them.
const (
	regionPrefix               = "region/"
	bucketRegions store.Bucket = "regions"
)

// regionRecord is what bucketRegions keeps of a region.
type regionRecord struct {
	FirstUsed model.Time `json:"firstUsed"`
	// Home marks the home region, whose records are unprefixed.
	Home bool `json:"home,omitempty"`
}

// Regions is the set of regions served over one store: a State per region,
// each minting its own ARNs over its own buckets, all sharing the store's
// transactions and change notifier.
type Regions struct {
	db    store.Store
	home  *State
	known func(string) bool

	// opening serializes Get's first use of a region; it is held across a
	// store write, so nothing inside a transaction may take it. mu, which
	// OtherRegions takes inside transactions, is never held across one.
	opening sync.Mutex
	mu      sync.Mutex // protects states
	states  map[string]*State
}

// NewRegions returns the regions over db whose home region is home's
// (the server's --region). known bounds which other regions can be opened;
// now may be nil (time.Now).
func NewRegions(db store.Store, home model.Partition, known func(region string) bool, now func() time.Time) *Regions {
	r := &Regions{db: db, known: known, states: map[string]*State{}}
	r.home = New(db, home, now)
	r.home.regions = r
	r.states[home.Region] = r.home
	return r
}

// Home returns the home region's State.
func (r *Regions) Home() *State { return r.home }

// Load opens every region recorded as used, so that a restart serves and
// reconciles them all, and returns their names (home first, then sorted).
// The first Load records the home region; a later one with another home
// region is ErrHomeRegionChanged.
func (r *Regions) Load(ctx context.Context) ([]string, error) {
	home := r.home.Partition.Region
	var names []string
	homeRecorded := ""
	err := r.db.View(ctx, func(tx store.Tx) error {
		names, homeRecorded = names[:0], ""
		return tx.Scan(bucketRegions, "", "", func(key string, val []byte) (bool, error) {
			var rec regionRecord
			if err := json.Unmarshal(val, &rec); err != nil {
				return false, fmt.Errorf("region %s: %w", key, err)
			}
			if rec.Home {
				homeRecorded = key
			} else {
				names = append(names, key)
			}
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("state: regions: %w", err)
	}
	switch homeRecorded {
	case home:
	case "":
		err = r.db.Update(ctx, func(tx store.Tx) error {
			return store.PutJSON(tx, bucketRegions, home, regionRecord{FirstUsed: r.home.NowTime(), Home: true})
		})
		if err != nil {
			return nil, fmt.Errorf("state: record home region: %w", err)
		}
	default:
		return nil, fmt.Errorf("%w: it was created with --region %s, not %s; start it with --region %s (other regions are served too)",
			ErrHomeRegionChanged, homeRecorded, home, homeRecorded)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range names {
		if _, ok := r.states[name]; !ok {
			r.states[name] = r.newState(name)
		}
	}
	return r.namesLocked(), nil
}

// Get returns region's State, recording the region as used on its first
// use. It is ErrUnknownRegion for a region known does not accept.
func (r *Regions) Get(ctx context.Context, region string) (*State, error) {
	if st, ok := r.open(region); ok {
		return st, nil
	}
	if r.known == nil || !r.known(region) {
		return nil, fmt.Errorf("%w: %.40q", ErrUnknownRegion, region)
	}
	r.opening.Lock()
	defer r.opening.Unlock()
	if st, ok := r.open(region); ok {
		return st, nil
	}
	err := r.db.Update(ctx, func(tx store.Tx) error {
		return store.PutJSON(tx, bucketRegions, region, regionRecord{FirstUsed: r.home.NowTime()})
	})
	if err != nil {
		return nil, fmt.Errorf("state: record region %s: %w", region, err)
	}
	st := r.newState(region)
	r.mu.Lock()
	r.states[region] = st
	r.mu.Unlock()
	return st, nil
}

func (r *Regions) open(region string) (*State, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.states[region]
	return st, ok
}

func (r *Regions) newState(region string) *State {
	st := New(r.db, model.Partition{Region: region, Account: r.home.Partition.Account}, r.home.now)
	st.prefix = regionPrefix + region + "/"
	st.regions = r
	return st
}

// All returns every open region's State, home first, then by name.
func (r *Regions) All() []*State {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*State, 0, len(r.states))
	for _, name := range r.namesLocked() {
		out = append(out, r.states[name])
	}
	return out
}

func (r *Regions) namesLocked() []string {
	names := make([]string, 0, len(r.states))
	for name := range r.states {
		if name != r.home.Partition.Region {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return append([]string{r.home.Partition.Region}, names...)
}

// View runs fn in one read-only transaction with a Tx per open region
// (home first), so that what spans regions (the load balancers' routing,
// which shares this host's ports) is read from one snapshot.
func (r *Regions) View(ctx context.Context, fn func([]Tx) error) error {
	states := r.All()
	return r.db.View(ctx, func(t store.Tx) error {
		txs := make([]Tx, len(states))
		for i, st := range states {
			txs[i] = st.tx(t)
		}
		return fn(txs)
	})
}

// Store is the region's view of the store (its own buckets), for the
// records other packages keep beside state's (ACM's certificates).
func (s *State) Store() store.Store { return store.PrefixedStore(s.store, s.prefix) }

// OtherRegions returns, inside tx's transaction, a Tx of every other open
// region: for what must hold across regions, such as a listener port,
// which is a port of this host whatever the region. A State made by New
// has none.
func (tx Tx) OtherRegions() []Tx {
	if tx.regions == nil {
		return nil
	}
	var out []Tx
	for _, st := range tx.regions.All() {
		if st.Partition.Region != tx.Partition.Region {
			out = append(out, st.tx(tx.raw))
		}
	}
	return out
}
