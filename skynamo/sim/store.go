package sim

import (
	"sort"
	"sync"
)

// collection holds one entity's records in id order (the order the API lists
// them in). Writes, when they come, append new ids at the end and update
// records in place, calling touch so cached encodings and filter results
// are dropped.
type collection struct {
	name    string // path segment, e.g. "customers"
	records []*record
	byID    map[int64]*record
	gen     uint64 // bumped on every change; keys the filter cache

	filterMu    sync.Mutex
	filterCache map[string]filterHit
}

type filterHit struct {
	gen  uint64
	idxs []int32
}

func newCollection(name string, recs []*record) *collection {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].id < recs[j].id })
	c := &collection{name: name, records: recs, byID: make(map[int64]*record, len(recs))}
	for _, r := range recs {
		c.byID[r.id] = r
	}
	return c
}

// touch records that r changed; callers hold the store's write lock.
func (c *collection) touch(r *record) {
	r.changed()
	c.gen++
}

// store is the instance's data. One RWMutex guards it all: reads are many
// and concurrent, changes are rare and small.
type store struct {
	mu         sync.RWMutex
	cols       map[string]*collection
	rowVersion int64 // last row_version handed out, shared by every versioned table
	// invoicesByExternalID backs /invoicesbyexternalid/{ExternalID}.
	invoicesByExternalID map[string]*record
}

// nextRowVersion hands out the next row_version; callers hold the write lock
// (or are still seeding).
func (s *store) nextRowVersion() int64 {
	s.rowVersion++
	return s.rowVersion
}

const filterCacheSize = 64

// filtered returns the indexes of the records matching fs. Results are cached
// per filter text because a client pulling a filtered set page by page asks
// the same question once per page. Callers hold at least the read lock.
func (c *collection) filtered(key string, fs []filter) []int32 {
	c.filterMu.Lock()
	hit, ok := c.filterCache[key]
	c.filterMu.Unlock()
	if ok && hit.gen == c.gen {
		return hit.idxs
	}
	idxs := make([]int32, 0, 64)
	for i, r := range c.records {
		if matchAll(r, fs) {
			idxs = append(idxs, int32(i))
		}
	}
	c.filterMu.Lock()
	if c.filterCache == nil || len(c.filterCache) >= filterCacheSize {
		c.filterCache = make(map[string]filterHit)
	}
	c.filterCache[key] = filterHit{gen: c.gen, idxs: idxs}
	c.filterMu.Unlock()
	return idxs
}
