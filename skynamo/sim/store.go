package sim

import (
	"cmp"
	"slices"
	"sort"
	"sync"
	"time"
)

// collection holds one entity's records in id order (the order the API lists
// them in by default). Every change goes through insert, remove or
// changed, which keep the indexes in step and drop cached encodings and
// filter results.
type collection struct {
	name    string // path segment, e.g. "customers"
	records []*record
	byID    map[int64]*record
	// byMod orders the records by last_modified_time then id, the order of
	// Behaviour.UnstableOrder. It is built the first time that behaviour is
	// switched on and kept up to date from then on, so a page never sorts.
	byMod []*record
	gen   uint64 // bumped on every change; keys the filter cache
	// stockKeys is the stock level index of the last write request, valid
	// while gen is still stockKeysGen: requests of 200 upserts each need
	// not index 10,000 stock levels again every time.
	stockKeys    map[unitKey]*record
	stockKeysGen uint64
	// lo and hi are the lowest and highest ids the collection ever held or
	// handed out (newID): new ids are taken outside them, so a deleted id is
	// never reused.
	lo, hi int64

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
	if len(recs) > 0 {
		c.lo, c.hi = recs[0].id, recs[len(recs)-1].id
	}
	return c
}

// order is the sequence lists are paged through.
func (c *collection) order(unstable bool) []*record {
	if unstable && c.byMod != nil {
		return c.byMod
	}
	return c.records
}

// changed records that r's properties changed; callers hold the store's
// write lock and have already moved r in byMod if its time changed.
func (c *collection) changed(r *record) {
	r.changed()
	c.gen++
}

// insert adds a new record; callers hold the write lock.
func (c *collection) insert(r *record) {
	i, _ := slices.BinarySearchFunc(c.records, r.id, func(x *record, id int64) int { return cmp.Compare(x.id, id) })
	c.records = slices.Insert(c.records, i, r)
	c.byID[r.id] = r
	if c.byMod != nil {
		j, _ := slices.BinarySearchFunc(c.byMod, r, cmpMod)
		c.byMod = slices.Insert(c.byMod, j, r)
	}
	c.gen++
}

// remove deletes r; callers hold the write lock.
func (c *collection) remove(r *record) {
	if i, ok := slices.BinarySearchFunc(c.records, r.id, func(x *record, id int64) int { return cmp.Compare(x.id, id) }); ok {
		c.records = slices.Delete(c.records, i, i+1)
	}
	delete(c.byID, r.id)
	if c.byMod != nil {
		if j, ok := slices.BinarySearchFunc(c.byMod, r, cmpMod); ok {
			c.byMod = slices.Delete(c.byMod, j, j+1)
		}
	}
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
	// lastChange is when the last change landed; see changeTime.
	lastChange time.Time
}

// nextRowVersion hands out the next row_version; callers hold the write lock
// (or are still seeding).
func (s *store) nextRowVersion() int64 {
	s.rowVersion++
	return s.rowVersion
}

// changeTime is the last_modified_time of the next change: the instance
// clock, but strictly after every earlier change and after every seeded
// stamp (those may carry up to a second of fraction past Now). That keeps
// "ordered by last_modified_time" and "ordered by row_version" the same
// order for changed records, as they are in a real database, and puts a
// changed record after every unchanged one. Callers hold the write lock.
func (s *store) changeTime(clock, now time.Time) time.Time {
	t := clock.Truncate(100) // the wire format keeps 100ns ticks
	if floor := now.Add(time.Second); t.Before(floor) {
		t = floor
	}
	if !t.After(s.lastChange) {
		t = s.lastChange.Add(100)
	}
	s.lastChange = t
	return t
}

const filterCacheSize = 64

// filtered returns the indexes into recs (one of c's orders, told apart by
// unstable) of the records matching fs. Results are cached per filter text
// because a client pulling a filtered set page by page asks the same
// question once per page. Callers hold at least the read lock.
func (c *collection) filtered(key string, fs []filter, recs []*record, unstable bool) []int32 {
	if unstable {
		key = "mod\x00" + key
	}
	c.filterMu.Lock()
	hit, ok := c.filterCache[key]
	c.filterMu.Unlock()
	if ok && hit.gen == c.gen {
		return hit.idxs
	}
	idxs := make([]int32, 0, 64)
	for i, r := range recs {
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
